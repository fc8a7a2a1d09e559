package tools

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/image-mcp/image-mcp/internal/clip"
	"github.com/image-mcp/image-mcp/internal/jsondepth"
	"github.com/image-mcp/image-mcp/upstream"
)

// versionLookupTimeout bounds asking the upstream's version to explain a 404 or 405.
const versionLookupTimeout = 5 * time.Second

// transportError says why no answer came: the call was cancelled, the upstream did not
// answer within --timeout, or the connection failed.
// ctx is the request's (the call's, bounded by the timeout or the idle limit).
func (c *call) transportError(ctx context.Context, err error) error {
	t := c.t
	var idle *idleError
	switch {
	case errors.As(context.Cause(ctx), &idle):
		return failf("%s: %s: %v; the stream was ended.", t.Name, t.Capability.Display, idle)
	case errors.Is(ctx.Err(), context.Canceled):
		return failf("%s was cancelled; the request to %s was aborted.", t.Name, t.Capability.Display)
	case errors.Is(ctx.Err(), context.DeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		return failf("%s: %s did not answer within %s (--timeout); the request was aborted.", t.Name, t.Capability.Display, c.e.timeout)
	}
	return failf("%s: %v", t.Name, err)
}

// upstreamError turns an upstream's error answer into a message a person can act on:
// the upstream's own message, the status, and a hint where one helps: the tool's or the
// capability's for the status, or for a 404 or 405 that is no answer of the API (not
// JSON), the version of the upstream, which does not serve the path yet.
func (c *call) upstreamError(a *answer) error {
	t, resp := c.t, a.Response
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	cp := t.Capability
	msg := ""
	first := body
	if !isJSON(first) { // an upstream may write several JSON objects after an error (Podman 4.x does)
		first, _, _ = bytes.Cut(bytes.TrimSpace(body), []byte("\n"))
	}
	if isJSON(first) {
		for _, k := range []string{"message", "error", "cause"} {
			if r := gjson.GetBytes(first, k); r.Type == gjson.String && r.String() != "" {
				msg = r.String()
				break
			}
		}
	}
	if msg == "" {
		msg = clip.Text(strings.TrimSpace(string(body)), 500)
	}
	status := fmt.Sprintf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	text := fmt.Sprintf("%s: %s answered %s: %s", t.Name, cp.Display, status, strings.TrimSpace(msg))
	if (resp.StatusCode == http.StatusMethodNotAllowed || resp.StatusCode == http.StatusNotFound) && !isJSON(body) {
		// Which version does not serve it: asked under the call's context, briefly.
		if vc, ok := c.client.(upstream.Versioned); ok {
			vctx, cancel := context.WithTimeout(a.ctx, versionLookupTimeout)
			v, err := vc.Version(vctx)
			cancel()
			if err == nil {
				text += fmt.Sprintf(". The connected %s (%s) does not serve %s %s; a newer %s does. %s", cp.Display, v, t.Method, t.Path, cp.Display, t.Instead)
			}
		}
	} else if h := t.ErrorHints[resp.StatusCode]; h != "" {
		text = strings.TrimRight(text, ". ") + ". " + h
	} else if h := cp.ErrorHints[resp.StatusCode]; h != "" {
		text = strings.TrimRight(text, ". ") + ". " + h
	}
	return failf("%s", text)
}

// isJSON tells whether an error body is JSON shallow enough to read (gjson's validator
// recurses once per level).
func isJSON(b []byte) bool {
	return !jsondepth.Exceeds(b, jsondepth.Upstream) && gjson.ValidBytes(b)
}
