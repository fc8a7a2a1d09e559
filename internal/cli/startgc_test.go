package cli

import (
	"context"
	"math"
	"runtime/debug"
	"testing"

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

			g := pauseGC()
			defer g.resume()
			wantLimit := min(tc.limit, startHeapLimit)
			handle := g.middleware()(func(context.Context, string, mcp.Request) (mcp.Result, error) { return nil, nil })
			for _, method := range []string{"initialize", "notifications/initialized"} {
				handle(context.Background(), method, nil)
				g.written()
				if p, l := gcSettings(); p != -1 || l != wantLimit {
					t.Fatalf("after %s: GOGC %d GOMEMLIMIT %d, want off and %d", method, p, l, wantLimit)
				}
			}
			handle(context.Background(), "tools/list", nil)
			if p, _ := gcSettings(); p != -1 {
				t.Fatalf("before the tools/list answer is written: GOGC %d, want off", p)
			}
			g.written()
			if p, l := gcSettings(); p != tc.percent || l != tc.limit {
				t.Fatalf("after the tools/list answer: GOGC %d GOMEMLIMIT %d, want %d and %d", p, l, tc.percent, tc.limit)
			}
		})
	}
}
