package tools

import (
	"context"
	"encoding/json"
	"sort"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/image-mcp/image-mcp/capabilities"
)

// MaxToolsListBytes bounds the compact JSON of the whole tools/list answer: every client
// pays it in every conversation, whether it uses the tools or not.
const MaxToolsListBytes = 24_000

// ToolsListSizes lists the embedded tools through a real MCP session and returns the
// compact JSON size of the whole answer and of each tool in it.
func toolsListSizes(t testing.TB) (int, map[string]int, []string) {
	t.Helper()
	caps, err := capabilities.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	all, err := capabilities.AllTools(caps)
	if err != nil {
		t.Fatal(err)
	}
	server := mcp.NewServer(&mcp.Implementation{Name: "size", Version: "test"}, nil)
	(&Engine{Tools: all}).Register(server)
	st, ct := mcp.NewInMemoryTransports()
	ctx := context.Background()
	ss, err := server.Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ss.Close()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "size", Version: "test"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	res, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	sizes := map[string]int{}
	var names []string
	for _, tl := range res.Tools {
		b, err := json.Marshal(tl)
		if err != nil {
			t.Fatal(err)
		}
		sizes[tl.Name] = len(b)
		names = append(names, tl.Name)
	}
	if len(names) != len(all) {
		t.Fatalf("tools/list has %d tools, want %d", len(names), len(all))
	}
	return len(whole), sizes, names
}

func TestToolsListSize(t *testing.T) {
	total, sizes, names := toolsListSizes(t)
	sort.Slice(names, func(i, j int) bool { return sizes[names[i]] > sizes[names[j]] })
	for _, n := range names {
		t.Logf("%6d B  %s", sizes[n], n)
	}
	t.Logf("tools/list: %d bytes for %d tools (%d B a tool)", total, len(names), total/len(names))
	if total > MaxToolsListBytes {
		t.Errorf("tools/list is %d bytes, over the %d-byte limit", total, MaxToolsListBytes)
	}
}
