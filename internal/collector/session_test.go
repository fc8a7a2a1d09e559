package collector

import (
	"bufio"
	"context"
	"io"
	"runtime/debug"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// notedWriter notes GOGC as each message is written, then calls written.
type notedWriter struct {
	io.WriteCloser
	written func()
	gogc    chan int
}

func (w *notedWriter) Write(p []byte) (int, error) {
	p0, _ := gcSettings()
	n, err := w.WriteCloser.Write(p)
	w.gogc <- p0
	w.written()
	return n, err
}

// The schedule against a real go-sdk server over stdio: the collector stays off through
// initialize and while tools/list is answered and written, and is back on right after,
// long before the fallback. It fails if the go-sdk ever writes an answer before its
// receiving middleware has returned (the resume would then wait for the fallback), or if
// the schedule resumed on initialize.
func TestPauseWithTheSDK(t *testing.T) {
	p0, l0 := gcSettings()
	defer func() { debug.SetGCPercent(p0); debug.SetMemoryLimit(l0) }()
	debug.SetGCPercent(100)

	g := Pause()
	defer g.Resume()
	server := mcp.NewServer(&mcp.Implementation{Name: "test", Version: "1"}, nil)
	server.AddTool(&mcp.Tool{Name: "t", InputSchema: map[string]any{"type": "object"}}, func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return &mcp.CallToolResult{}, nil
	})
	server.AddReceivingMiddleware(g.Middleware())
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	out := &notedWriter{WriteCloser: outW, written: g.Written, gogc: make(chan int, 8)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go server.Run(ctx, &mcp.IOTransport{Reader: inR, Writer: out})
	answers := bufio.NewScanner(outR)
	answers.Buffer(nil, 1<<20)

	ask := func(line string, answered bool) (gogcAtWrite int) {
		t.Helper()
		if _, err := io.WriteString(inW, line+"\n"); err != nil {
			t.Fatal(err)
		}
		if !answered {
			time.Sleep(50 * time.Millisecond)
			return 0
		}
		if !answers.Scan() {
			t.Fatalf("no answer to %s: %v", line, answers.Err())
		}
		return <-out.gogc
	}
	off := func(when string) {
		t.Helper()
		if p, _ := gcSettings(); p != -1 {
			t.Fatalf("%s: GOGC %d, want the collector off", when, p)
		}
	}
	if p := ask(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}`, true); p != -1 {
		t.Fatalf("initialize's answer written with GOGC %d, want off", p)
	}
	off("after initialize")
	ask(`{"jsonrpc":"2.0","method":"notifications/initialized"}`, false)
	off("after notifications/initialized")
	if p := ask(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`, true); p != -1 {
		t.Fatalf("tools/list's answer written with GOGC %d, want off", p)
	}
	deadline := time.Now().Add(startFallback / 2)
	for p, _ := gcSettings(); p != 100; p, _ = gcSettings() {
		if time.Now().After(deadline) {
			t.Fatalf("GOGC %d %v after tools/list was answered, want 100 again", p, startFallback/2)
		}
		time.Sleep(time.Millisecond)
	}
}
