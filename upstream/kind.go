package upstream

import "github.com/image-mcp/image-mcp/capabilities"

// Kind is one kind of upstream (capabilities.UpstreamKind, a capability's `upstream:`):
// it connects each capability of that kind to its API.
type Kind interface {
	// Connect gives the client of c's API, or why there is none (e.g. no Central is
	// configured); the error's text reaches the model as it is.
	Connect(c *capabilities.Capability) (Client, error)
}

// Kinds are the upstream kinds a server serves, each registered under its name.
type Kinds map[capabilities.UpstreamKind]Kind
