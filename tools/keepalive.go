package tools

import (
	"fmt"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

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
