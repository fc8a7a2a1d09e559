package tools

import (
	"bytes"
	"context"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/image-mcp/image-mcp/capabilities"
)

// The cached tools/list answer is byte for byte what the go-sdk writes for the same
// tools, and it is the one served.
func TestCachedToolsList(t *testing.T) {
	all := embeddedTools(t)
	for _, tc := range []struct {
		name  string
		tools []*capabilities.Tool
	}{
		{"all built-in tools", all},
		{"one tool", all[:1]},
		{"some tools", all[3:9]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cached := mcp.NewServer(&mcp.Implementation{Name: "test", Version: "1"}, nil)
			New(Config{Tools: tc.tools}).Register(cached)
			got, gotType := listRaw(t, cached)
			if _, ok := gotType.(*encodedToolsList); !ok {
				t.Fatalf("tools/list was answered with a %T, not the cached answer", gotType)
			}

			// The same listed tools, added to a server without the cache.
			plain := mcp.NewServer(&mcp.Implementation{Name: "test", Version: "1"}, nil)
			for _, tl := range tc.tools {
				mt := MCPTool(tl)
				raw, err := EncodeSchema(mt.InputSchema.(*jsonschema.Schema))
				if err != nil {
					t.Fatal(err)
				}
				mt.InputSchema = raw
				plain.AddTool(mt, func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) { return nil, nil })
			}
			want, wantType := listRaw(t, plain)
			if _, ok := wantType.(*mcp.ListToolsResult); !ok {
				t.Fatalf("the plain server answered with a %T", wantType)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("cached answer differs from the go-sdk's:\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// listRaw lists the server's tools through a real session and gives the answer as the
// go-sdk encodes it, and the result's type.
func listRaw(t *testing.T, server *mcp.Server) ([]byte, mcp.Result) {
	t.Helper()
	var raw []byte
	var typ mcp.Result
	server.AddReceivingMiddleware(func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			res, err := next(ctx, method, req)
			if method == "tools/list" && err == nil {
				typ = res
				if raw, err = marshalNoEscape(res); err != nil {
					t.Error(err)
				}
			}
			return res, err
		}
	})
	ct, st := mcp.NewInMemoryTransports()
	ctx := context.Background()
	ss, err := server.Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ss.Close()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	if _, err := cs.ListTools(ctx, nil); err != nil {
		t.Fatal(err)
	}
	return raw, typ
}
