package tools

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/tidwall/gjson"
	"github.com/tidwall/pretty"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/internal/jsondepth"
	"github.com/image-mcp/image-mcp/podman"
)

// A reader turns an upstream's answer into the call's result. Each response kind has
// one; an error status is the upstream's error, except where the kind reads it.
type reader func(e *Engine, c *call, a *answer) *mcp.CallToolResult

var readers = map[capabilities.ResponseKind]reader{
	capabilities.ResponseJSON:   readJSON,
	capabilities.ResponseExists: readExists,
	capabilities.ResponseNDJSON: readStream,
	capabilities.ResponseFile:   readFile,
}

// readerFor is the reader of a response kind; JSON when none is set.
func readerFor(k capabilities.ResponseKind) reader {
	if r, ok := readers[k]; ok {
		return r
	}
	return readJSON
}

// readJSON reads a JSON answer whole and shapes it: an empty body is a plain success,
// a body that is not JSON an error, failures reported inside a 2xx answer an isError.
func readJSON(e *Engine, c *call, a *answer) *mcp.CallToolResult {
	t, cp := c.t, c.t.Capability
	if a.StatusCode >= 400 {
		return e.upstreamError(a.ctx, t, c.client, a.Response)
	}
	body, err := readBody(a.Response, e.MaxAnswerBytes)
	var tooLarge *answerTooLargeError
	switch {
	case errors.As(err, &tooLarge):
		return errorResult("%s: %s answered HTTP %d: %v. Ask %s for less (a narrower query or filter, a smaller page), or raise the limit.",
			t.Name, cp.Display, a.StatusCode, err, cp.Display)
	case err != nil:
		return e.transportError(a.ctx, t, fmt.Errorf("the answer from %s broke off after %d bytes (%w); nothing of it is used, call again", cp.Display, len(body), err))
	}
	if len(body) >= bigAnswer && e.BigAnswer != nil {
		defer e.BigAnswer()
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return e.Shaper.Value(map[string]any{"ok": true, "status": a.StatusCode},
			fmt.Sprintf("%s: done (%s answered HTTP %d %s).", t.Name, cp.Display, a.StatusCode, http.StatusText(a.StatusCode)))
	}
	if jsondepth.Exceeds(body, jsondepth.Upstream) {
		return errorResult("%s: %s answered HTTP %d with JSON nested deeper than %d levels; it was not read (no real answer nests so deep).",
			t.Name, cp.Display, a.StatusCode, jsondepth.Upstream)
	}
	compact, ok := compactJSON(body)
	if !ok {
		return errorResult("%s: %s answered HTTP %d with a body that is not JSON (is the endpoint really %s?): %q",
			t.Name, cp.Display, a.StatusCode, cp.Display, clip(string(body), 200))
	}
	if res := reportedErrors(t, compact); res != nil {
		return res
	}
	return e.Shaper.shape(compact, fieldsOf(t, c.v), narrowHint(t), c.page, confirmNotice(t, c.v, compact))
}

// bigAnswer is the size from which an answer is reported to Config.BigAnswer once read.
const bigAnswer = 256 << 10

// compactJSON checks that body is JSON and compacts it in place (the text the shaper
// measures and writes); false when it is not JSON. (Checking a big one on another core
// while compacting a copy saved no time measurable through the server and held 2 MiB
// more.)
func compactJSON(body []byte) ([]byte, bool) {
	if !gjson.ValidBytes(body) {
		return nil, false
	}
	return pretty.UglyInPlace(body), true
}

// readBody reads a body whole, copying it once at most: into one buffer of the length the
// upstream declared, or else (a chunked answer, as Central's big ones are) into blocks
// joined at the end. io.ReadAll grows its buffer by a quarter at a time, which for a 2 MB
// answer allocates and copies five times its size. A body longer than limit (0: none) is
// an *answerTooLargeError: refused at once when its declared length says so, else once
// limit bytes are read, and the rest is not read.
func readBody(r *http.Response, limit int64) ([]byte, error) {
	if limit > 0 && r.ContentLength > limit {
		return nil, &answerTooLargeError{limit: limit}
	}
	if r.ContentLength > 0 {
		body := make([]byte, r.ContentLength)
		n, err := io.ReadFull(r.Body, body)
		return body[:n], err
	}
	var blocks [][]byte
	var total int64
	for size := 16 << 10; ; size = min(2*size, 512<<10) {
		b := make([]byte, size)
		n, err := io.ReadFull(r.Body, b)
		if total += int64(n); limit > 0 && total > limit {
			return nil, &answerTooLargeError{limit: limit}
		}
		blocks = append(blocks, b[:n])
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			if len(blocks) == 1 {
				return blocks[0], nil
			}
			return slices.Concat(blocks...), nil
		case err != nil:
			return slices.Concat(blocks...), err
		}
	}
}

// readExists answers true for a 2xx and false for a 404; any other status is read as JSON.
func readExists(e *Engine, c *call, a *answer) *mcp.CallToolResult {
	if a.StatusCode != http.StatusNotFound && a.StatusCode/100 != 2 {
		return readJSON(e, c, a)
	}
	io.Copy(io.Discard, io.LimitReader(a.Body, 1<<16))
	return e.Shaper.Value(map[string]bool{"exists": a.StatusCode != http.StatusNotFound})
}

// readStream summarises an NDJSON stream (pull, push, build), reporting each output
// line as progress; a failure inside the stream is an isError with the last output.
func readStream(e *Engine, c *call, a *answer) *mcp.CallToolResult {
	t := c.t
	if a.StatusCode >= 400 {
		return e.upstreamError(a.ctx, t, c.client, a.Response)
	}
	sum, err := podman.ReadNDJSON(a.Body, a.progress.line)
	var limit *podman.StreamLimitError
	if errors.As(err, &limit) {
		text := fmt.Sprintf("%s: %v; the stream from %s was ended there and not read further.", t.Name, err, t.Capability.Display)
		if len(sum.Output) > 0 {
			text += "\n\nLast output:\n" + strings.Join(sum.Output, "\n")
		}
		return errorResult("%s", text)
	}
	if err != nil {
		return e.transportError(a.ctx, t, fmt.Errorf("the stream from %s broke off: %w", t.Capability.Display, err))
	}
	sum.FinishBuild()
	if sum.Error != "" {
		if len(sum.Output) == 0 {
			return errorResult("%s failed: %s", t.Name, sum.Error)
		}
		return errorResult("%s failed: %s\n\nLast output:\n%s", t.Name, sum.Error, strings.Join(sum.Output, "\n"))
	}
	return e.Shaper.Value(sum)
}

// readFile streams the answer into the output file, which takes its name only when
// complete; the result gives its path, size and the images in it.
func readFile(e *Engine, c *call, a *answer) *mcp.CallToolResult {
	t, out, p := c.t, c.out, a.progress
	if a.StatusCode >= 400 {
		return e.upstreamError(a.ctx, t, c.client, a.Response)
	}
	// A large buffer: fewer, larger writes to disk than io.Copy's 32 KiB.
	n, err := io.CopyBuffer(out, &countingReader{r: a.Body, onRead: p.bytes(a.ContentLength, "written")}, make([]byte, 1<<20))
	if err != nil {
		out.Abort()
		return e.transportError(a.ctx, t, fmt.Errorf("writing %s stopped after %d bytes; the partial file was removed: %w", out.Path, n, err))
	}
	// Read from the file as written, before it takes its name: the name may be swapped.
	images := podman.ArchiveImages(out.Written())
	if res := e.commit(c, a); res != nil {
		return res
	}
	p.notify(float64(n), float64(n), fmt.Sprintf("%d bytes written to %s", n, out.Path), true)
	return e.Shaper.Value(map[string]any{"path": out.Path, "bytes": n, "images": images})
}

// commit gives the output file its name. Something there that the person did not approve
// replacing (it appeared or changed during the call) is asked about now, as at the check:
// a yes replaces it; a question for a client of MCP 2026-07-28 ends this call, whose
// output is dropped, and the call runs again once answered.
func (e *Engine) commit(c *call, a *answer) *mcp.CallToolResult {
	err := c.out.Commit()
	var taken *TakenError
	if errors.As(err, &taken) {
		if res := e.confirmOverwrite(a.ctx, c.req, c.t, c.v, taken.Existing); res != nil {
			c.out.Abort()
			return res
		}
		c.out.approve(&taken.Existing)
		if err = c.out.Commit(); errors.As(err, &taken) {
			c.out.Abort()
			err = fmt.Errorf("%s changed again while the person was asked; nothing was overwritten", taken.Existing.Path)
		}
	}
	if err != nil {
		return errorResult("%s: %v", c.t.Name, err)
	}
	return nil
}
