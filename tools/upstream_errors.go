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

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/tidwall/gjson"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/internal/jsondepth"
	"github.com/image-mcp/image-mcp/upstream"
)

// versionLookupTimeout bounds asking the upstream's version to explain a 404 or 405.
const versionLookupTimeout = 5 * time.Second

// transportError says why no answer came: the call was cancelled, the upstream did not
// answer within --timeout, or the connection failed.
func (e *Engine) transportError(ctx context.Context, t *capabilities.Tool, err error) *mcp.CallToolResult {
	var idle *idleError
	switch {
	case errors.As(context.Cause(ctx), &idle):
		return errorResult("%s: %s: %v; the stream was ended.", t.Name, t.Capability.Display, idle)
	case errors.Is(ctx.Err(), context.Canceled):
		return errorResult("%s was cancelled; the request to %s was aborted.", t.Name, t.Capability.Display)
	case errors.Is(ctx.Err(), context.DeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		return errorResult("%s: %s did not answer within %s (--timeout); the request was aborted.", t.Name, t.Capability.Display, e.Timeout)
	}
	return errorResult("%s: %v", t.Name, err)
}

// upstreamError turns an upstream error body into a message a person can act on:
// the upstream's own message, the status, and a hint where one helps.
func (e *Engine) upstreamError(ctx context.Context, t *capabilities.Tool, client upstream.Client, resp *http.Response) *mcp.CallToolResult {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	cp := t.Capability
	msg := ""
	first := body
	if !isJSON(first) { // Podman 4.x may write several JSON objects after an error
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
		msg = clip(strings.TrimSpace(string(body)), 500)
	}
	status := fmt.Sprintf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	text := fmt.Sprintf("%s: %s answered %s: %s", t.Name, cp.Display, status, strings.TrimSpace(msg))
	if (resp.StatusCode == http.StatusMethodNotAllowed || resp.StatusCode == http.StatusNotFound) && !isJSON(body) {
		// Which version does not serve it: asked under the call's context, briefly.
		if vc, ok := client.(upstream.Versioned); ok {
			vctx, cancel := context.WithTimeout(ctx, versionLookupTimeout)
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
	return errorResult("%s", text)
}

// isJSON tells whether an error body is JSON shallow enough to read (gjson's validator
// recurses once per level).
func isJSON(b []byte) bool {
	return !jsondepth.Exceeds(b, jsondepth.Upstream) && gjson.ValidBytes(b)
}
