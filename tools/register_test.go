package tools

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/image-mcp/image-mcp/capabilities"
)

// Register hands AddTool a bare schema and sets the full one after: tools/list must still
// give every tool exactly as MCPTool builds it.
func TestRegisterListsFullSchemas(t *testing.T) {
	caps, err := capabilities.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	all, err := capabilities.AllTools(caps)
	if err != nil {
		t.Fatal(err)
	}
	server := mcp.NewServer(&mcp.Implementation{Name: "test", Version: "1"}, nil)
	(&Engine{Tools: all}).Register(server)
	ct, st := mcp.NewInMemoryTransports()
	ctx := context.Background()
	ss, err := server.Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ss.Close()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "c", Version: "1"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	res, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tools) != len(all) {
		t.Fatalf("listed %d tools, want %d", len(res.Tools), len(all))
	}
	byName := map[string]*capabilities.Tool{}
	for _, tl := range all {
		byName[tl.Name] = tl
	}
	for _, got := range res.Tools {
		want, err := json.Marshal(MCPTool(byName[got.Name]).InputSchema)
		if err != nil {
			t.Fatal(err)
		}
		gotSchema, err := json.Marshal(got.InputSchema)
		if err != nil {
			t.Fatal(err)
		}
		var g, w any
		if err := json.Unmarshal(gotSchema, &g); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(want, &w); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s: listed schema\n%s\nwant\n%s", got.Name, gotSchema, want)
		}
	}
}
