// Package collector runs the garbage collector where the server's rhythm wants it: off
// from start until tools/list is answered, and once after each big answer. It leans on
// the go-sdk writing an answer after its receiving middleware returns
// (TestPauseWithTheSDK runs it against the go-sdk).
//
// Measured gain (docs/performance.md): exec → tools/list 1.2–2.1 ms shorter.
// The collection after a big answer: StackRox peak RSS 22.7 MiB instead of 29.6.
package collector

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

// startFallback resumes the collector for a client that asks nothing after initialize.
const startFallback = time.Second

// Schedule is when the garbage collector runs besides its own pacing. It is off from
// start until the first answer after initialize (normally tools/list) is written, and
// runs once after a big answer is written (BigAnswerRead).
type Schedule struct {
	once    sync.Once
	percent int   // as GOGC set it
	limit   int64 // as GOMEMLIMIT set it
	timer   *time.Timer
	armed   atomic.Bool // a request after initialize was handled: resume after its answer

	bigAnswer  atomic.Bool // a big answer was read: collect once it is written
	collecting atomic.Bool // one collection after big answers at a time
}

// Pause turns the collector off until the first answer after initialize is written (or
// startFallback passes); the caller defers Resume.
func Pause() *Schedule {
	g := &Schedule{percent: debug.SetGCPercent(-1)}
	g.limit = debug.SetMemoryLimit(min(debug.SetMemoryLimit(-1), startHeapLimit))
	g.timer = time.AfterFunc(startFallback, g.Resume)
	return g
}

// Resume restores GOGC and GOMEMLIMIT as they were; only the first call acts.
func (g *Schedule) Resume() {
	g.once.Do(func() {
		g.timer.Stop()
		debug.SetGCPercent(g.percent)
		debug.SetMemoryLimit(g.limit)
	})
}

// Middleware arms the resume when a request other than initialize has been handled: the
// go-sdk writes its answer after the middleware returns, and Written then resumes. A tool
// call resumes before it runs: a client may call a tool first (it knows the tools), and a
// first StackRox call run with the collector off grows the process by half.
func (g *Schedule) Middleware() mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			if method == "tools/call" {
				g.Resume()
			}
			res, err := next(ctx, method, req)
			if method != "initialize" && !strings.HasPrefix(method, "notifications/") && !g.armed.Load() {
				g.armed.Store(true)
			}
			return res, err
		}
	}
}

// Written is called after each message is written to stdout.
func (g *Schedule) Written() {
	if g.armed.Load() {
		g.Resume()
	}
	if g.bigAnswer.Swap(false) && g.collecting.CompareAndSwap(false, true) {
		go func() {
			defer g.collecting.Store(false)
			runtime.GC()
		}()
	}
}

// BigAnswerRead asks for a collection once the answer being written is out: a big
// answer leaves several times its size in garbage, and the next one would start on top
// of it. Collected after the write, it does not slow the answer itself.
func (g *Schedule) BigAnswerRead() { g.bigAnswer.Store(true) }
