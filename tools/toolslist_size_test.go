package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"sort"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// MaxToolsListBytes bounds the compact JSON of the whole tools/list answer: every client
// pays it in every conversation, whether it uses the tools or not. It is measured on the
// newest protocol, whose answer also carries resultType and _meta (~100 bytes more than
// on 2025-06-18).
const MaxToolsListBytes = 24_000

// toolsListSizes lists the embedded tools through a real MCP session and returns the
// compact JSON size of the whole answer and of each tool in it.
func toolsListSizes(t testing.TB) (int, map[string]int, []string) {
	t.Helper()
	all := embeddedTools(t)
	var wire *listWire
	res := listInMemory(t, all, func(ct mcp.Transport) mcp.Transport { wire = &listWire{Transport: ct}; return wire })
	var whole bytes.Buffer
	if err := json.Compact(&whole, wire.result); err != nil {
		t.Fatalf("tools/list answer as sent: %v", err)
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
	return whole.Len(), sizes, names
}

// listWire keeps the tools/list answer as the server sent it.
type listWire struct {
	mcp.Transport
	result json.RawMessage
}

func (w *listWire) Connect(ctx context.Context) (mcp.Connection, error) {
	c, err := w.Transport.Connect(ctx)
	return &listConn{Connection: c, w: w}, err
}

type listConn struct {
	mcp.Connection
	w *listWire
}

func (c *listConn) Read(ctx context.Context) (jsonrpc.Message, error) {
	m, err := c.Connection.Read(ctx)
	if r, ok := m.(*jsonrpc.Response); ok && bytes.Contains(r.Result, []byte(`"tools":[`)) {
		c.w.result = r.Result
	}
	return m, err
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
