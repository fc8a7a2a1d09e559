package tools

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/image-mcp/image-mcp/capabilities"
)

// Register hands AddTool each tool's schema as JSON (generated for the built-in tools):
// tools/list gives every tool's schema as mcpTool builds it.
func TestRegisterListsFullSchemas(t *testing.T) {
	all := embeddedTools(t)
	res := listInMemory(t, all, func(ct mcp.Transport) mcp.Transport { return ct })
	byName := map[string]*capabilities.Tool{}
	for _, tl := range all {
		byName[tl.Name] = tl
	}
	for _, got := range res.Tools {
		want, err := json.Marshal(mcpTool(byName[got.Name], Schema(byName[got.Name])).InputSchema)
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
