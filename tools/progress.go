package tools

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Progress and keep-alive: what a client hears while a call runs. Uploads count bytes
// sent, streams count output lines, files count bytes written; when nothing moves for a
// while, keepAlive says the call is still running.

// keepAliveEvery is how long a call may go without a progress notification before one
// says it is still running: Podman is silent while it prepares an export or copies a big
// layer, and clients reset their timeouts on progress.
var keepAliveEvery = 10 * time.Second

// keepAlive sends a notification whenever none was sent for `every`, until the returned
// stop is called. The value rises by a thousandth each time, so progress still increases
// and the next real figure (a whole byte or line count) stays above it.
func (p *progress) keepAlive(every time.Duration) (stop func()) {
	if p == nil || p.token == nil {
		return func() {}
	}
	done := make(chan struct{})
	start := time.Now()
	go func() {
		tick := time.NewTicker(every / 2)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-p.ctx.Done():
				return
			case now := <-tick.C:
				p.mu.Lock()
				if now.Sub(p.last) < every || now.Sub(start) < every {
					p.mu.Unlock()
					continue
				}
				p.last = now
				p.sent += 0.001
				params := &mcp.ProgressNotificationParams{ProgressToken: p.token, Progress: p.sent,
					Message: fmt.Sprintf("still running after %s", now.Sub(start).Round(time.Second))}
				if p.total > p.sent {
					params.Total = p.total
				}
				if p.msg != "" {
					params.Message += "; last: " + p.msg
				}
				p.mu.Unlock()
				_ = p.session.NotifyProgress(p.ctx, params)
			}
		}
	}()
	return func() { close(done) }
}

// progress sends MCP progress notifications when the client asked for them, at most a
// few per second.
type progress struct {
	ctx     context.Context
	session *mcp.ServerSession
	token   any
	mu      sync.Mutex
	last    time.Time
	// What was last sent: the MCP spec wants progress to increase with every
	// notification; keepAlive repeats the message with a slightly higher value.
	sent  float64
	total float64
	msg   string
	// base is added to line counts, so that output lines after an upload (a build's
	// context) still count up from the bytes reported before.
	base float64
}

func newProgress(ctx context.Context, req *mcp.CallToolRequest) *progress {
	p := &progress{ctx: ctx}
	if req != nil && req.Params != nil && req.Session != nil {
		p.token, p.session = req.Params.GetProgressToken(), req.Session
	}
	return p
}

func (p *progress) notify(done, total float64, msg string, force bool) {
	if p == nil || p.token == nil {
		return
	}
	p.mu.Lock()
	now := time.Now()
	if (!force && now.Sub(p.last) < 200*time.Millisecond) || done <= p.sent {
		p.mu.Unlock()
		return
	}
	p.last, p.sent, p.total, p.msg = now, done, total, msg
	p.mu.Unlock()
	_ = p.session.NotifyProgress(p.ctx, &mcp.ProgressNotificationParams{ProgressToken: p.token, Progress: done, Total: total, Message: msg})
}

func (p *progress) line(n int, text string) {
	if n == 1 {
		p.mu.Lock()
		p.base = p.sent
		p.mu.Unlock()
	}
	p.notify(p.base+float64(n), 0, text, n == 1)
}

func (p *progress) bytes(total int64, verb string) func(int64) {
	return func(n int64) {
		t := float64(total)
		if total <= 0 {
			t = 0
		}
		p.notify(float64(n), t, fmt.Sprintf("%d bytes %s", n, verb), false)
	}
}

// countingReader counts what was read. net/http may still be reading a request body in
// its own goroutine when Do returns, so the count and error are read under a lock.
type countingReader struct {
	r      io.Reader
	onRead func(int64)
	mu     sync.Mutex
	n      int64
	err    error // the first read error other than EOF
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.mu.Lock()
	if err != nil && err != io.EOF && c.err == nil {
		c.err = err
	}
	c.n += int64(n)
	total := c.n
	c.mu.Unlock()
	if n > 0 && c.onRead != nil {
		c.onRead(total)
	}
	return n, err
}

// state is how much was read and the first read error (nothing for no body).
func (c *countingReader) state() (int64, error) {
	if c == nil {
		return 0, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n, c.err
}

func (c *countingReader) Close() error {
	if cl, ok := c.r.(io.Closer); ok {
		return cl.Close()
	}
	return nil
}
