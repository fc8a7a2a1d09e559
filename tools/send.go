package tools

import (
	"context"
	"fmt"
	"net/http"

	"github.com/image-mcp/image-mcp/upstream"
)

// answer is an upstream's answer being read, with what reading it needs.
type answer struct {
	*http.Response
	// ctx is the call's, ended by --timeout unless the answer is a stream: reading the
	// body is bounded as the request was.
	ctx      context.Context
	progress *progress
	end      func() // closes both bodies, stops the keep-alive, ends the timeout
}

// send is the one way a request reaches an upstream, for a call and for the dry run
// before a confirmation: it applies the timeout (to a stream, which may last as long as
// its work, the idle limit instead), counts an upload for progress, keeps the client
// informed while it waits, and says why no answer came; failed, if not empty, says what
// failed. The caller must call the answer's end, which also closes the request's body.
func (c *call) send(ureq *upstream.Request, failed string) (*answer, error) {
	ctx, cancel := c.ctx, context.CancelFunc(func() {})
	var dog *watchdog
	switch {
	case ureq.Stream:
		ctx, dog, cancel = newWatchdog(ctx, c.e.streamIdle)
	case c.e.timeout > 0:
		ctx, cancel = context.WithTimeout(ctx, c.e.timeout)
	}
	p := newProgress(ctx, c.req)
	stopKeepAlive := p.keepAlive(keepAliveEvery)
	var sent *countingReader
	if ureq.Body != nil {
		uploaded := p.bytes(ureq.ContentLength, "uploaded")
		sent = &countingReader{r: ureq.Body, onRead: func(n int64) { dog.touch(); uploaded(n) }}
		ureq.Body = sent
	}
	resp, err := c.client.Do(ctx, ureq)
	if err != nil {
		defer closeBody(ureq)
		defer cancel()
		defer stopKeepAlive()
		if n, readErr := sent.state(); readErr != nil && ctx.Err() == nil {
			// The file or directory being sent failed, not the upstream.
			return nil, failf("%s: reading what was to be sent failed after %d bytes: %v", c.t.Name, n, readErr)
		}
		if failed != "" {
			err = fmt.Errorf("%s: %w", failed, err)
		}
		return nil, c.transportError(ctx, err)
	}
	if dog != nil {
		resp.Body = &touchingReader{r: resp.Body, w: dog}
	}
	return &answer{Response: resp, ctx: ctx, progress: p, end: func() {
		resp.Body.Close()
		stopKeepAlive()
		cancel()
		closeBody(ureq)
	}}, nil
}
