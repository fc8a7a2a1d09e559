package central

import (
	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/internal/upstreamhttp"
	"github.com/image-mcp/image-mcp/upstream"
)

// Kind connects every StackRox capability to one Central, or answers why there is none.
type Kind struct {
	client *upstreamhttp.Client
	err    error
}

// NewKind is the kind of the Central cfg describes. cfgErr is a setting that could not
// be read (a bad ROX_* value): then, as when cfg names no Central, every StackRox tool
// answers the error, and the other tools work.
func NewKind(cfg Config, cfgErr error) Kind {
	if cfgErr != nil {
		return Kind{err: cfgErr}
	}
	c, err := NewClient(cfg)
	return Kind{client: c, err: err}
}

// Err says why there is no Central (ErrNotConfigured when none is set); nil when there is.
func (k Kind) Err() error { return k.err }

// Connect gives Central's client, or why there is none.
func (k Kind) Connect(*capabilities.Capability) (upstream.Client, error) {
	if k.err != nil {
		return nil, k.err
	}
	return k.client, nil
}
