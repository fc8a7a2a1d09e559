package tools

import (
	"bytes"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/image-mcp/image-mcp/internal/clip"
)

// shapeJSON shapes a raw JSON body as readJSON does once it has checked it: the tests'
// way into the shaper.
func (s shaper) shapeJSON(body []byte, fields []string, narrowHint string, notes ...string) *mcp.CallToolResult {
	return s.paged(body, fields, narrowHint, nil, notes...)
}

// paged is shapeJSON for an answer read in parts (pg nil: it is not). The caller keeps
// its body; one that is not JSON panics (the readers refuse it before the shaper).
func (s shaper) paged(body []byte, fields []string, narrowHint string, pg *page, notes ...string) *mcp.CallToolResult {
	compact, ok := compactJSON(bytes.Clone(bytes.TrimSpace(body)))
	if !ok {
		panic("shaped a body that is not JSON: " + clip.Text(string(body), 300))
	}
	return s.shape(compact, fields, narrowHint, pg, notes...)
}
