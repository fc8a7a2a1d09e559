package tools

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// A silent call still sends notifications, with rising progress, and none after it ends.
func TestKeepAlive(t *testing.T) {
	server := mcp.NewServer(&mcp.Implementation{Name: "s", Version: "1"}, nil)
	server.AddTool(&mcp.Tool{Name: "slow", InputSchema: map[string]any{"type": "object"}}, func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		p := newProgress(ctx, req)
		p.notify(5, 10, "five", true)
		defer p.keepAlive(40 * time.Millisecond)()
		time.Sleep(600 * time.Millisecond)
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "ok"}}}, nil
	})
	var mu sync.Mutex
	var got []mcp.ProgressNotificationParams
	client := mcp.NewClient(&mcp.Implementation{Name: "c", Version: "1"}, &mcp.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, r *mcp.ProgressNotificationClientRequest) {
			mu.Lock()
			got = append(got, *r.Params)
			mu.Unlock()
		}})
	ct, st := mcp.NewInMemoryTransports()
	ctx := context.Background()
	ss, err := server.Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ss.Close()
	cs, err := client.Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	params := &mcp.CallToolParams{Name: "slow"}
	params.SetProgressToken("tok")
	if _, err := cs.CallTool(ctx, params); err != nil {
		t.Fatal(err)
	}
	time.Sleep(150 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if len(got) < 3 {
		t.Fatalf("got %d notifications, want the first and keep-alives: %+v", len(got), got)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Progress <= got[i-1].Progress {
			t.Fatalf("progress did not increase: %+v", got)
		}
		if !strings.Contains(got[i].Message, "still running") || !strings.Contains(got[i].Message, "five") {
			t.Fatalf("keep-alive message %q", got[i].Message)
		}
	}
	if n := len(got); n > 30 {
		t.Fatalf("%d notifications in 600ms at a 40ms period: not throttled", n)
	}
}
