package cli

import (
	"context"
	"runtime"
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

// collector is when the garbage collector runs besides its own pacing. It is off from
// start until the first answer after initialize (normally tools/list) is written: start-up
// allocates ~4 MiB, so one collection used to fall right on that answer (on 2 CPUs its
// mark workers and assists took ~1 ms of the exec → tools/list time, to free memory nobody
// was short of). And it runs once after a big answer is written (bigAnswerRead).
type collector struct {
	once    sync.Once
	percent int   // as GOGC set it
	limit   int64 // as GOMEMLIMIT set it
	timer   *time.Timer
	armed   atomic.Bool // a request after initialize was handled: resume after its answer

	bigAnswer  atomic.Bool // a big answer was read: collect once it is written
	collecting atomic.Bool // one collection after big answers at a time
}

func pauseGC() *collector {
	g := &collector{percent: debug.SetGCPercent(-1)}
	g.limit = debug.SetMemoryLimit(min(debug.SetMemoryLimit(-1), startHeapLimit))
	g.timer = time.AfterFunc(startGCFallback, g.resume)
	return g
}

// resume restores GOGC and GOMEMLIMIT as they were; only the first call acts.
func (g *collector) resume() {
	g.once.Do(func() {
		g.timer.Stop()
		debug.SetGCPercent(g.percent)
		debug.SetMemoryLimit(g.limit)
	})
}

// middleware arms the resume when a request other than initialize has been handled; its
// answer is written next (by the go-sdk, after the middleware returns), then written
// calls resume. A tool call resumes it before it runs: a client may call a tool first
// (it knows the tools), and a first StackRox call (TLS, the CA pool, a big answer) run
// with the collector off took the process from 14 to 25 MiB.
func (g *collector) middleware() mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			if method == "tools/call" {
				g.resume()
			}
			res, err := next(ctx, method, req)
			if method != "initialize" && !strings.HasPrefix(method, "notifications/") && !g.armed.Load() {
				g.armed.Store(true)
			}
			return res, err
		}
	}
}

// written is called after each message is written to stdout.
func (g *collector) written() {
	if g.armed.Load() {
		g.resume()
	}
	if g.bigAnswer.Swap(false) && g.collecting.CompareAndSwap(false, true) {
		go func() {
			defer g.collecting.Store(false)
			runtime.GC()
		}()
	}
}

// bigAnswerRead asks for a collection once the answer being written is out. A 2 MB answer
// leaves ~8 MB of garbage (the body, its blocks, its compact copy, the go-sdk's encodings);
// left to the pacer, the next answer started on top of it and the heap settled at twice
// that: 30–34 MiB of RSS for the bench's GetImage calls instead of 25–26. Collected after
// the write, it does not slow the answer itself.
func (g *collector) bigAnswerRead() { g.bigAnswer.Store(true) }
