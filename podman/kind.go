package podman

import (
	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/upstream"
)

// Kind connects every Podman capability to one Podman service.
type Kind struct{ client func() *Client }

// NewKind is the kind whose service is client's. client is asked at every connect: the
// command discovers the service in the background, and client waits for that.
func NewKind(client func() *Client) Kind { return Kind{client: client} }

// Connect gives the service's client; what is wrong with it (none found, bad settings)
// is the answer of its first request.
func (k Kind) Connect(*capabilities.Capability) (upstream.Client, error) { return k.client(), nil }
