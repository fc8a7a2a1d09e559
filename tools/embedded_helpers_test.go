package tools

import (
	"context"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/image-mcp/image-mcp/capabilities"
)

// embeddedTools are the tools of the built-in capabilities, as the server serves them.
func embeddedTools(tb testing.TB) []*capabilities.Tool {
	tb.Helper()
	caps := capabilities.Embedded()
	all, err := capabilities.AllTools(caps)
	if err != nil {
		tb.Fatal(err)
	}
	return all
}

// listInMemory registers tools on a server and lists them through a real MCP session over
// the client transport ct (wrap it to watch the wire).
func listInMemory(tb testing.TB, tools []*capabilities.Tool, client func(mcp.Transport) mcp.Transport) *mcp.ListToolsResult {
	tb.Helper()
	server := mcp.NewServer(&mcp.Implementation{Name: "test", Version: "1"}, nil)
	(&Engine{Tools: tools}).Register(server)
	ct, st := mcp.NewInMemoryTransports()
	ctx := context.Background()
	ss, err := server.Connect(ctx, st, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer ss.Close()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, nil).Connect(ctx, client(ct), nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer cs.Close()
	res, err := cs.ListTools(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if len(res.Tools) != len(tools) {
		tb.Fatalf("listed %d tools, want %d", len(res.Tools), len(tools))
	}
	return res
}
