package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The tools/list answer (22 KB for the built-in tools) is encoded once, in the background
// right after Register, while the server starts and answers initialize: encoding it when
// the first tools/list came (building encoding/json's encoders for the go-sdk's types,
// then encoding) was ~0.5 ms of the exec → tools/list time.

// listCache holds the registered tools as the server lists them (sorted by name) and
// their JSON array, encoded as the go-sdk encodes a result (no HTML escaping).
type listCache struct {
	ready chan struct{}
	tools []*mcp.Tool
	json  []byte // nil when encoding failed: the go-sdk then encodes as usual
}

func newListCache(tools []*mcp.Tool) *listCache {
	c := &listCache{ready: make(chan struct{}), tools: slices.Clone(tools)}
	slices.SortFunc(c.tools, func(a, b *mcp.Tool) int { return strings.Compare(a.Name, b.Name) })
	go func() {
		defer close(c.ready)
		if b, err := marshalNoEscape(c.tools); err == nil {
			c.json = b
		}
	}()
	return c
}

// middleware answers tools/list with the cached tools when the go-sdk's answer lists
// exactly them (the whole list, no page).
func (c *listCache) middleware() mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			res, err := next(ctx, method, req)
			if method != "tools/list" || err != nil {
				return res, err
			}
			lr, ok := res.(*mcp.ListToolsResult)
			if !ok || lr.NextCursor != "" || !slices.Equal(lr.Tools, c.tools) {
				return res, err
			}
			<-c.ready
			if c.json == nil {
				return res, err
			}
			return &encodedToolsList{ListToolsResult: lr, tools: c.json}, nil
		}
	}
}

// encodedToolsList is a tools/list answer whose tools are already encoded.
type encodedToolsList struct {
	*mcp.ListToolsResult
	tools []byte
}

// toolsLast is how the go-sdk's ListToolsResult encodes with no tools: "tools" is its
// last field.
var toolsLast = []byte(`"tools":[]}`)

func (e *encodedToolsList) MarshalJSON() ([]byte, error) {
	rest := *e.ListToolsResult
	rest.Tools = []*mcp.Tool{}
	b, err := marshalNoEscape(&rest)
	if err != nil {
		return nil, err
	}
	if !bytes.HasSuffix(b, toolsLast) { // a go-sdk that orders its fields otherwise
		return marshalNoEscape(e.ListToolsResult)
	}
	out := make([]byte, 0, len(b)+len(e.tools))
	out = append(out, b[:len(b)-len(toolsLast)]...)
	out = append(out, `"tools":`...)
	out = append(out, e.tools...)
	return append(out, '}'), nil
}

// marshalNoEscape is json.Marshal without HTML escaping, as the go-sdk encodes results.
func marshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
