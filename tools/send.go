package tools

import (
	"context"
	"fmt"
	"net/http"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/upstream"
)

// answer is an upstream's answer being read, with what reading it needs.
type answer struct {
	*http.Response
	// ctx is the call's, ended by --timeout unless the answer is a stream: reading the
	// body is bounded as the request was.
	ctx      context.Context
	progress *progress
	end      func() // closes the body, stops the keep-alive, ends the timeout
}

// send is the one way a request reaches an upstream, for a call and for the dry run
// before a confirmation: it applies the timeout (to a stream, which may last as long as
// its work, the idle limit instead), counts an upload for progress, keeps the client
// informed while it waits, and turns a failure to get an answer into a result; failed, if
// not empty, says what failed. The caller must call the answer's end.
func (e *Engine) send(ctx context.Context, req *mcp.CallToolRequest, t *capabilities.Tool, client upstream.Client, ureq *upstream.Request, failed string) (*answer, *mcp.CallToolResult) {
	cancel := context.CancelFunc(func() {})
	var dog *watchdog
	switch {
	case ureq.Stream:
		ctx, dog, cancel = newWatchdog(ctx, e.StreamIdle)
	case e.Timeout > 0:
		ctx, cancel = context.WithTimeout(ctx, e.Timeout)
	}
	p := newProgress(ctx, req)
	stopKeepAlive := p.keepAlive(keepAliveEvery)
	var sent *countingReader
	if ureq.Body != nil {
		uploaded := p.bytes(ureq.ContentLength, "uploaded")
		sent = &countingReader{r: ureq.Body, onRead: func(n int64) { dog.touch(); uploaded(n) }}
		ureq.Body = sent
	}
	resp, err := client.Do(ctx, ureq)
	if err != nil {
		defer cancel()
		defer stopKeepAlive()
		if n, readErr := sent.state(); readErr != nil && ctx.Err() == nil {
			// The file or directory being sent failed, not the upstream.
			return nil, errorResult("%s: reading what was to be sent failed after %d bytes: %v", t.Name, n, readErr)
		}
		if failed != "" {
			err = fmt.Errorf("%s: %w", failed, err)
		}
		return nil, e.transportError(ctx, t, err)
	}
	if dog != nil {
		resp.Body = &touchingReader{r: resp.Body, w: dog}
	}
	return &answer{Response: resp, ctx: ctx, progress: p, end: func() {
		resp.Body.Close()
		stopKeepAlive()
		cancel()
	}}, nil
}
