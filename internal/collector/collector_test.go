package collector

import (
	"context"
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// gcSettings reads GOGC and GOMEMLIMIT as the runtime has them now.
func gcSettings() (int, int64) {
	p := debug.SetGCPercent(-1)
	debug.SetGCPercent(p)
	return p, debug.SetMemoryLimit(-1)
}

// TestStartGC: the collector is off from start until the answer to the first request
// after initialize is written, then GOGC and GOMEMLIMIT are as they were.
func TestStartGC(t *testing.T) {
	for _, tc := range []struct {
		name    string
		percent int
		limit   int64
	}{
		{"defaults", 100, math.MaxInt64},
		{"GOGC=50 GOMEMLIMIT=1GiB", 50, 1 << 30},
		{"GOMEMLIMIT below the start limit", 100, 16 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p0, l0 := gcSettings()
			defer func() { debug.SetGCPercent(p0); debug.SetMemoryLimit(l0) }()
			debug.SetGCPercent(tc.percent)
			debug.SetMemoryLimit(tc.limit)

			g := Pause()
			defer g.Resume()
			wantLimit := min(tc.limit, startHeapLimit)
			handle := g.Middleware()(func(context.Context, string, mcp.Request) (mcp.Result, error) { return nil, nil })
			for _, method := range []string{"initialize", "notifications/initialized"} {
				handle(context.Background(), method, nil)
				g.Written()
				if p, l := gcSettings(); p != -1 || l != wantLimit {
					t.Fatalf("after %s: GOGC %d GOMEMLIMIT %d, want off and %d", method, p, l, wantLimit)
				}
			}
			handle(context.Background(), "tools/list", nil)
			if p, _ := gcSettings(); p != -1 {
				t.Fatalf("before the tools/list answer is written: GOGC %d, want off", p)
			}
			g.Written()
			if p, l := gcSettings(); p != tc.percent || l != tc.limit {
				t.Fatalf("after the tools/list answer: GOGC %d GOMEMLIMIT %d, want %d and %d", p, l, tc.percent, tc.limit)
			}
		})
	}
}

// TestCollectAfterBigAnswer: a big answer read is followed by one collection once the
// next message is written, not before; a write without one starts none.
func TestCollectAfterBigAnswer(t *testing.T) {
	numGC := func() uint32 {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.NumGC
	}
	g := Pause()
	g.Resume()                   // as after start
	p0 := debug.SetGCPercent(-1) // no collection but the ones asked for
	defer debug.SetGCPercent(p0)

	before := numGC()
	g.Written()
	g.BigAnswerRead()
	time.Sleep(50 * time.Millisecond)
	if n := numGC(); n != before {
		t.Fatalf("%d collections before the answer was written, want none", n-before)
	}
	g.Written()
	deadline := time.Now().Add(10 * time.Second)
	for numGC() == before {
		if time.Now().After(deadline) {
			t.Fatal("no collection after the big answer was written")
		}
		time.Sleep(time.Millisecond)
	}
	for g.collecting.Load() {
		time.Sleep(time.Millisecond)
	}
	after := numGC()
	g.Written()
	time.Sleep(50 * time.Millisecond)
	if n := numGC(); n != after {
		t.Fatalf("%d collections after a write with no big answer, want none", n-after)
	}
}

// A tool call right after initialize (a client that knows the tools) runs with the
// collector on: it is resumed before the call, not after its answer.
func TestStartGCResumedByToolCall(t *testing.T) {
	p0, l0 := gcSettings()
	defer func() { debug.SetGCPercent(p0); debug.SetMemoryLimit(l0) }()
	g := Pause()
	defer g.Resume()
	var during int
	handle := g.Middleware()(func(context.Context, string, mcp.Request) (mcp.Result, error) {
		during, _ = gcSettings()
		return nil, nil
	})
	handle(context.Background(), "initialize", nil)
	g.Written()
	handle(context.Background(), "tools/call", nil)
	if during != p0 {
		t.Fatalf("the tool call ran with GOGC %d, want %d", during, p0)
	}
}
