package tools

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/tidwall/gjson"
	"github.com/tidwall/pretty"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/internal/clip"
	"github.com/image-mcp/image-mcp/internal/jsondepth"
	"github.com/image-mcp/image-mcp/upstream"
)

// A reader turns an upstream's answer into the call's result. Each response kind has
// one; an error status is the upstream's error, except where the kind reads it.
type reader func(c *call, a *answer) (*mcp.CallToolResult, error)

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
// a body that is not JSON an error, failures reported inside a 2xx answer an error.
func readJSON(c *call, a *answer) (*mcp.CallToolResult, error) {
	body, err := c.readWhole(a)
	if err != nil {
		return nil, err
	}
	if len(body) >= bigAnswer && c.e.bigAnswer != nil {
		defer c.e.bigAnswer()
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return c.e.shaper.value(map[string]any{"ok": true, "status": a.StatusCode},
			fmt.Sprintf("%s: done (%s answered HTTP %d %s).", c.t.Name, c.t.Capability.Display, a.StatusCode, http.StatusText(a.StatusCode)))
	}
	compact, err := c.checkJSON(a, body)
	if err != nil {
		return nil, err
	}
	return c.e.shaper.shape(compact, fieldsOf(c.t, c.v), narrowHint(c.t), c.page, confirmNotice(c.t, c.v, compact)), nil
}

// bigAnswer is the size from which an answer is reported to Config.BigAnswer once read.
const bigAnswer = 256 << 10

// readWhole reads a 2xx answer's body whole, within --max-answer-bytes; any other is
// the upstream's error.
func (c *call) readWhole(a *answer) ([]byte, error) {
	cp := c.t.Capability
	if a.StatusCode >= 400 {
		return nil, c.upstreamError(a)
	}
	body, err := readBody(a.Response, c.e.maxAnswer)
	var tooLarge *answerTooLargeError
	switch {
	case errors.As(err, &tooLarge):
		return nil, failf("%s: %s answered HTTP %d: %v. Ask %s for less (a narrower query or filter, a smaller page), or raise the limit.",
			c.t.Name, cp.Display, a.StatusCode, err, cp.Display)
	case err != nil:
		return nil, c.transportError(a.ctx, fmt.Errorf("the answer from %s broke off after %d bytes (%w); nothing of it is used, call again", cp.Display, len(body), err))
	}
	return body, nil
}

// checkJSON checks that a body, trimmed and not empty, is JSON that can be read, and
// compacts it in place; failures the upstream reports inside it are the call's error.
func (c *call) checkJSON(a *answer, body []byte) ([]byte, error) {
	cp := c.t.Capability
	if jsondepth.Exceeds(body, jsondepth.Upstream) {
		return nil, failf("%s: %s answered HTTP %d with JSON nested deeper than %d levels; it was not read (no real answer nests so deep).",
			c.t.Name, cp.Display, a.StatusCode, jsondepth.Upstream)
	}
	compact, ok := compactJSON(body)
	if !ok {
		return nil, failf("%s: %s answered HTTP %d with a body that is not JSON (is the endpoint really %s?): %q",
			c.t.Name, cp.Display, a.StatusCode, cp.Display, clip.Text(string(body), 200))
	}
	if err := reportedErrors(c.t, compact); err != nil {
		return nil, err
	}
	return compact, nil
}

// compactJSON checks that body is JSON and compacts it in place (the text the shaper
// measures and writes); false when it is not JSON.
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
func readExists(c *call, a *answer) (*mcp.CallToolResult, error) {
	if a.StatusCode != http.StatusNotFound && a.StatusCode/100 != 2 {
		return readJSON(c, a)
	}
	io.Copy(io.Discard, io.LimitReader(a.Body, 1<<16))
	return c.e.shaper.value(map[string]bool{"exists": a.StatusCode != http.StatusNotFound})
}

// readStream summarises a progress stream (pull, push, build) with the upstream's
// StreamReader, reporting each output line as progress; a failure inside the stream is
// an error with the last output.
func readStream(c *call, a *answer) (*mcp.CallToolResult, error) {
	t := c.t
	if a.StatusCode >= 400 {
		return nil, c.upstreamError(a)
	}
	sr, ok := c.client.(upstream.StreamReader)
	if !ok {
		return nil, failf("%s: %s answered a stream (response ndjson), which image-mcp reads only from an upstream that knows its lines.", t.Name, t.Capability.Display)
	}
	body := &countingReader{r: a.Body} // tells the body's failure from a line's
	sum, err := sr.ReadStream(body, a.progress.line)
	if _, readErr := body.state(); readErr != nil {
		return nil, c.transportError(a.ctx, fmt.Errorf("the stream from %s broke off: %w", t.Capability.Display, err))
	}
	if err != nil {
		return nil, failf("%s", withOutput(fmt.Sprintf("%s: %v; the stream from %s was ended there and not read further.", t.Name, err, t.Capability.Display), sum))
	}
	if f := sum.Failure(); f != "" {
		return nil, failf("%s", withOutput(fmt.Sprintf("%s failed: %s", t.Name, f), sum))
	}
	return c.e.shaper.value(sum)
}

// withOutput adds a stream's last output lines to a failure's text.
func withOutput(text string, sum upstream.Stream) string {
	if sum == nil || len(sum.LastOutput()) == 0 {
		return text
	}
	return text + "\n\nLast output:\n" + strings.Join(sum.LastOutput(), "\n")
}

// readFile streams the answer into the output file, which takes its name only when
// complete; the result gives its path, size and what the upstream says is in it.
func readFile(c *call, a *answer) (*mcp.CallToolResult, error) {
	out, p := c.out, a.progress
	if a.StatusCode >= 400 {
		return nil, c.upstreamError(a)
	}
	// A large buffer: fewer, larger writes to disk than io.Copy's 32 KiB.
	n, err := io.CopyBuffer(out, &countingReader{r: a.Body, onRead: p.bytes(a.ContentLength, "written")}, make([]byte, 1<<20))
	if err != nil {
		out.abort()
		return nil, c.transportError(a.ctx, fmt.Errorf("writing %s stopped after %d bytes; the partial file was removed: %w", out.path, n, err))
	}
	result := map[string]any{"path": out.path, "bytes": n}
	if d, ok := c.client.(upstream.FileDescriber); ok {
		// Read from the file as written, before it takes its name: the name may be swapped.
		maps.Copy(result, d.DescribeFile(out.written()))
	}
	if err := c.commit(); err != nil {
		return nil, err
	}
	p.notify(float64(n), float64(n), fmt.Sprintf("%d bytes written to %s", n, out.path), true)
	return c.e.shaper.value(result)
}

// commit gives the output file its name. Something there that the person did not approve
// replacing (it appeared or changed during the call) is asked about now, as at the check:
// a yes replaces it; a question for a client of MCP 2026-07-28 ends this call, whose
// output is dropped, and the call runs again once answered.
func (c *call) commit() error {
	err := c.out.commit()
	var taken *takenError
	if errors.As(err, &taken) {
		if err := c.e.confirm.overwrite(c, taken.existing); err != nil {
			c.out.abort()
			return err
		}
		c.out.approve(&taken.existing)
		if err = c.out.commit(); errors.As(err, &taken) {
			c.out.abort()
			err = fmt.Errorf("%s changed again while the person was asked; nothing was overwritten", taken.existing.Path)
		}
	}
	if err != nil {
		return failf("%s: %v", c.t.Name, err)
	}
	return nil
}
