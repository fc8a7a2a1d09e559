package cli

import (
	"context"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// startHeapLimit bounds the heap while the collector is off at start (a few MiB are
// allocated then); past it the runtime collects anyway.
const startHeapLimit = 64 << 20

// startGCFallback resumes the collector for a client that asks nothing after initialize.
const startGCFallback = time.Second

// startGC keeps the garbage collector off from start until the first answer after
// initialize (normally tools/list) is written. Start-up allocates ~4 MiB, so one
// collection used to fall right on that answer: on 2 CPUs its mark workers and assists
// took ~1 ms of the exec → tools/list time, to free memory nobody was short of.
type startGC struct {
	once    sync.Once
	percent int   // as GOGC set it
	limit   int64 // as GOMEMLIMIT set it
	timer   *time.Timer
	armed   atomic.Bool // a request after initialize was handled: resume after its answer
}

func pauseGC() *startGC {
	g := &startGC{percent: debug.SetGCPercent(-1)}
	g.limit = debug.SetMemoryLimit(min(debug.SetMemoryLimit(-1), startHeapLimit))
	g.timer = time.AfterFunc(startGCFallback, g.resume)
	return g
}

// resume restores GOGC and GOMEMLIMIT as they were; only the first call acts.
func (g *startGC) resume() {
	g.once.Do(func() {
		g.timer.Stop()
		debug.SetGCPercent(g.percent)
		debug.SetMemoryLimit(g.limit)
	})
}

// middleware arms the resume when a request other than initialize has been handled; its
// answer is written next (by the go-sdk, after the middleware returns), then written
// calls resume.
func (g *startGC) middleware() mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			res, err := next(ctx, method, req)
			if method != "initialize" && !strings.HasPrefix(method, "notifications/") && !g.armed.Load() {
				g.armed.Store(true)
			}
			return res, err
		}
	}
}

// written is called after each message is written to stdout.
func (g *startGC) written() {
	if g.armed.Load() {
		g.resume()
	}
}
