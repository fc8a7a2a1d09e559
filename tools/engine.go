// Package tools turns loaded capabilities into MCP tools and runs their calls: argument
// checking, the upstream request, and the shaped result.
package tools

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/rs/zerolog"
	"github.com/tidwall/gjson"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/internal/allowdirs"
	"github.com/image-mcp/image-mcp/podman"
	"github.com/image-mcp/image-mcp/upstream"
)

// Connector gives the client for a capability's upstream, or why there is none
// (e.g. no Central configured); the error text reaches the model as is.
type Connector func(*capabilities.Capability) (upstream.Client, error)

// Engine serves tools. Everything in it is built once at start.
type Engine struct {
	Tools   []*capabilities.Tool
	Connect Connector
	Shaper  Shaper
	// Timeout bounds one non-streaming call; streams end only by finishing or cancellation.
	Timeout time.Duration
	Log     zerolog.Logger
	// Confirm, when set, is asked before a destructive call; it returns a non-nil result
	// to stop the call (declined, cancelled).
	Confirm func(ctx context.Context, req *mcp.CallToolRequest, t *capabilities.Tool, v Values) *mcp.CallToolResult
	// ConfirmOverwrite, when set, is asked before an output file replaces an existing one.
	ConfirmOverwrite func(ctx context.Context, req *mcp.CallToolRequest, t *capabilities.Tool, v Values, path string, size int64) *mcp.CallToolResult
	// Paths, when set, keeps path arguments inside the allowed directories.
	Paths *PathRule
	// Session, when set, ends every running call when it is done (the client left).
	Session  context.Context
	inflight sync.WaitGroup
}

// MCPTool is the tool as listed: schema, title and annotations, all four hints explicit.
func MCPTool(t *capabilities.Tool) *mcp.Tool {
	ro, destr, idem := t.ReadOnly, t.Destructive, t.Idempotent
	return &mcp.Tool{
		Name:        t.Name,
		Title:       t.Title,
		Description: t.Description,
		InputSchema: Schema(t),
		// No annotations.title: clients prefer the tool's title, and every byte of
		// tools/list is paid in every conversation.
		Annotations: &mcp.ToolAnnotations{
			ReadOnlyHint:    ro,
			DestructiveHint: &destr,
			IdempotentHint:  idem,
			OpenWorldHint:   t.OpenWorld,
		},
	}
}

// Register adds every tool of the engine to the server.
func (e *Engine) Register(s *mcp.Server) {
	for _, t := range e.Tools {
		s.AddTool(MCPTool(t), e.handler(t))
	}
}

func (e *Engine) handler(t *capabilities.Tool) mcp.ToolHandler {
	return func(ctx context.Context, req *mcp.CallToolRequest) (res *mcp.CallToolResult, err error) {
		ctx, end := e.callContext(ctx)
		defer end()
		start := time.Now()
		defer func() {
			if p := recover(); p != nil {
				e.Log.Error().Str("tool", t.Name).Interface("panic", p).Str("stack", string(debug.Stack())).Msg("tool call panicked")
				res, err = errorResult("%s failed with an internal error (logged by image-mcp); the server keeps running. Please report it.", t.Name), nil
			}
			ev := e.Log.Debug()
			if res != nil && res.IsError {
				ev = e.Log.Info()
			}
			msg := "tool call"
			if res != nil && res.InputRequests != nil {
				msg = "tool call round: input asked from the client" // the client calls again
			}
			ev.Str("tool", t.Name).Dur("took", time.Since(start)).Bool("isError", res != nil && res.IsError).Msg(msg)
		}()
		var raw []byte
		if req.Params != nil {
			raw = req.Params.Arguments
		}
		vals, err := CheckArguments(t, raw)
		if err != nil {
			return errorResult("%v", err), nil
		}
		return e.Call(ctx, req, t, vals), nil
	}
}

// Call runs one checked tool call.
func (e *Engine) Call(ctx context.Context, req *mcp.CallToolRequest, t *capabilities.Tool, v Values) (res *mcp.CallToolResult) {
	cp := t.Capability
	client, err := e.Connect(cp)
	if err != nil {
		return errorResult("%s: %v", t.Name, err)
	}
	// Paths are judged before anything else, so a refused path costs nothing upstream.
	var allowed allowdirs.Dirs
	if hasPathArgs(t, v) {
		var res *mcp.CallToolResult
		if allowed, res = e.Paths.allowedFor(ctx, req); res != nil {
			return res
		}
		if res := checkHostPaths(t, v, allowed, isLocal(client)); res != nil {
			return res
		}
	}
	if res := e.checkVersion(ctx, client, t, v); res != nil {
		return res
	}
	if res := checkConfirmScope(t, v); res != nil {
		return res
	}
	page, err := pageOf(t, v)
	if err != nil {
		return errorResult("%v", err)
	}
	if e.Confirm != nil && t.Destructive && !t.ReadOnly {
		if res := e.Confirm(ctx, req, t, v); res != nil {
			return res
		}
	}
	var out *OutputFile
	if t.Response == capabilities.ResponseFile {
		a := t.ArgWithRole(capabilities.RoleOutputFile)
		ow := t.ArgWithRole(capabilities.RoleOverwrite)
		overwrite := ow != nil && v.Bool(ow.Name)
		if overwrite && e.ConfirmOverwrite != nil {
			if path, size, exists := ExistingOutput(v.String(a.Name), allowed); exists {
				if res := e.ConfirmOverwrite(ctx, req, t, v, path, size); res != nil {
					return res
				}
			}
		}
		if out, err = CreateOutputFile(v.String(a.Name), overwrite, allowed); err != nil {
			return errorResult("%s: argument %q: %v", t.Name, a.Name, err)
		}
		defer out.Abort() // a no-op once committed
	}
	ureq, err := buildRequestIn(t, v, allowed)
	if err != nil {
		return errorResult("%v", err)
	}
	defer closeBody(ureq)
	creds, err := podman.ApplyRegistryAuth(t, v, ureq)
	if err != nil {
		return errorResult("%s: %v", t.Name, err)
	}
	if creds != nil {
		e.Log.Debug().Str("tool", t.Name).Str("registry", creds.Registry).Str("credentials", cmp.Or(creds.Source, "none")).Msg("registry credentials")
		defer func() { res = podman.FinishRegistryResult(res, t, creds) }()
	}
	if !ureq.Stream && e.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, e.Timeout)
		defer cancel()
	}
	progress := newProgress(ctx, req)
	defer progress.keepAlive(keepAliveEvery)()
	var sent *countingReader
	if ureq.Body != nil {
		sent = &countingReader{r: ureq.Body, onRead: progress.bytes(ureq.ContentLength, "uploaded")}
		ureq.Body = sent
	}
	resp, err := client.Do(ctx, ureq)
	if err != nil {
		if n, readErr := sent.state(); readErr != nil && ctx.Err() == nil {
			// The file or directory being sent failed, not the upstream.
			return errorResult("%s: reading what was to be sent failed after %d bytes: %v", t.Name, n, readErr)
		}
		return e.transportError(ctx, t, err)
	}
	defer resp.Body.Close()

	switch {
	case t.Response == capabilities.ResponseExists && (resp.StatusCode == http.StatusNotFound || resp.StatusCode/100 == 2):
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		return valueResult(map[string]bool{"exists": resp.StatusCode != http.StatusNotFound})
	case resp.StatusCode >= 400:
		return e.upstreamError(t, resp)
	case t.Response == capabilities.ResponseNDJSON:
		return e.streamResult(ctx, t, resp, progress)
	case t.Response == capabilities.ResponseFile:
		return e.fileResult(ctx, t, v, resp, out, progress)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return e.transportError(ctx, t, fmt.Errorf("the answer from %s broke off after %d bytes (%w); nothing of it is used, call again", cp.Display, len(body), err))
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return valueResult(map[string]any{"ok": true, "status": resp.StatusCode},
			fmt.Sprintf("%s: done (%s answered HTTP %d %s).", t.Name, cp.Display, resp.StatusCode, http.StatusText(resp.StatusCode)))
	}
	if !gjson.ValidBytes(bytes.TrimSpace(body)) {
		return errorResult("%s: %s answered HTTP %d with a body that is not JSON (is the endpoint really %s?): %q",
			t.Name, cp.Display, resp.StatusCode, cp.Display, clip(string(body), 200))
	}
	var fields []string
	if a := t.ArgWithRole(capabilities.RoleFields); a != nil {
		if items, ok := v[a.Name].([]any); ok {
			for _, it := range items {
				fields = append(fields, scalarString(it))
			}
		}
	}
	if res := reportedErrors(t, body); res != nil {
		return res
	}
	return e.Shaper.Page(body, fields, narrowHint(t), page, confirmNotice(t, v, body))
}

func (e *Engine) checkVersion(ctx context.Context, client upstream.Client, t *capabilities.Tool, v Values) *mcp.CallToolResult {
	vc, ok := client.(upstream.Versioned)
	if !ok {
		return nil
	}
	// The arguments of this call that an older upstream would silently ignore.
	var gated []*capabilities.Argument
	for _, a := range t.Args {
		if _, given := v[a.Name]; given && a.MinVersion != "" {
			gated = append(gated, a)
		}
	}
	if t.MinVersion == "" && len(gated) == 0 {
		return nil
	}
	have, err := vc.Version(ctx)
	if err != nil {
		return e.transportError(ctx, t, err)
	}
	if t.MinVersion != "" && upstream.CompareVersions(have, t.MinVersion) < 0 {
		return errorResult("%s needs %s %s or later; the connected %s is %s. %s",
			t.Name, t.Capability.Display, t.MinVersion, t.Capability.Display, have, t.Instead)
	}
	var old []string
	for _, a := range gated {
		if upstream.CompareVersions(have, a.MinVersion) < 0 {
			old = append(old, fmt.Sprintf("argument %q needs %s %s or later", a.Name, t.Capability.Display, a.MinVersion))
		}
	}
	if len(old) > 0 {
		it := "it"
		if len(old) > 1 {
			it = "them"
		}
		return errorResult("%s: %s; the connected %s is %s, which would ignore %s. Call again without %s, or upgrade %s.",
			t.Name, strings.Join(old, ", "), t.Capability.Display, have, it, it, t.Capability.Display)
	}
	return nil
}

// checkConfirmScope refuses an unconfirmed call whose scope is blank: for StackRox
// DeleteImages a blank query means every image.
func checkConfirmScope(t *capabilities.Tool, v Values) *mcp.CallToolResult {
	c := t.Confirm
	if c == nil || c.Scope == "" || v.Bool(c.Argument) {
		return nil
	}
	if !anyGiven(v, []string{c.Scope}) {
		return errorResult("%s: refused: %q is empty, which selects ALL %s. Give a query that selects what to delete, "+
			"or, to really act on all %s, call again with %s=true.", t.Name, c.Scope, c.Noun, c.Noun, c.Argument)
	}
	return nil
}

// confirmNotice says plainly that an unconfirmed call was a dry run.
func confirmNotice(t *capabilities.Tool, v Values, body []byte) string {
	c := t.Confirm
	if c == nil || v.Bool(c.Argument) {
		return ""
	}
	n := "some"
	if r := gjson.GetBytes(body, c.Count); r.Exists() {
		n = r.String()
	}
	verb, them := "match", "them"
	if n == "1" {
		verb, them = "matches", "it"
	}
	return fmt.Sprintf("DRY RUN: nothing was deleted. %s %s and would be deleted. To delete %s, call %s again with %s=true.",
		c.Counted(n), verb, them, t.Name, c.Argument)
}

// narrowHint tells the model which arguments make a large answer smaller: those the
// corrections give role fields, limit or narrow.
func narrowHint(t *capabilities.Tool) string {
	var names []string
	for _, a := range t.Args {
		switch a.Role {
		case capabilities.RoleFields, capabilities.RoleLimit, capabilities.RoleNarrow:
			names = append(names, a.Name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return "To get less, call again with " + strings.Join(names, ", ") + "."
}

func (e *Engine) transportError(ctx context.Context, t *capabilities.Tool, err error) *mcp.CallToolResult {
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		return errorResult("%s was cancelled; the request to %s was aborted.", t.Name, t.Capability.Display)
	case errors.Is(ctx.Err(), context.DeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		return errorResult("%s: %s did not answer within %s (--timeout); the request was aborted.", t.Name, t.Capability.Display, e.Timeout)
	}
	return errorResult("%s: %v", t.Name, err)
}

// upstreamError turns an upstream error body into a message a person can act on:
// the upstream's own message, the status, and a hint where one helps.
func (e *Engine) upstreamError(t *capabilities.Tool, resp *http.Response) *mcp.CallToolResult {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	cp := t.Capability
	msg := ""
	first := body
	if !gjson.ValidBytes(first) { // Podman 4.x may write several JSON objects after an error
		first, _, _ = bytes.Cut(bytes.TrimSpace(body), []byte("\n"))
	}
	if gjson.ValidBytes(first) {
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
	if (resp.StatusCode == http.StatusMethodNotAllowed || resp.StatusCode == http.StatusNotFound) && !gjson.ValidBytes(body) {
		if vc, ok := e.client(cp).(upstream.Versioned); ok {
			vctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
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

func (e *Engine) client(c *capabilities.Capability) upstream.Client {
	cl, _ := e.Connect(c)
	return cl
}

func (e *Engine) streamResult(ctx context.Context, t *capabilities.Tool, resp *http.Response, p *progress) *mcp.CallToolResult {
	sum, err := podman.ReadNDJSON(resp.Body, p.line)
	if err != nil {
		return e.transportError(ctx, t, fmt.Errorf("the stream from %s broke off: %w", t.Capability.Display, err))
	}
	sum.FinishBuild()
	if sum.Error != "" {
		if len(sum.Output) == 0 {
			return errorResult("%s failed: %s", t.Name, sum.Error)
		}
		return errorResult("%s failed: %s\n\nLast output:\n%s", t.Name, sum.Error, strings.Join(sum.Output, "\n"))
	}
	return valueResult(sum)
}

func (e *Engine) fileResult(ctx context.Context, t *capabilities.Tool, v Values, resp *http.Response, out *OutputFile, p *progress) *mcp.CallToolResult {
	// A large buffer: fewer, larger writes to disk than io.Copy's 32 KiB.
	n, err := io.CopyBuffer(out, &countingReader{r: resp.Body, onRead: p.bytes(resp.ContentLength, "written")}, make([]byte, 1<<20))
	if err != nil {
		out.Abort()
		return e.transportError(ctx, t, fmt.Errorf("writing %s stopped after %d bytes; the partial file was removed: %w", out.Path, n, err))
	}
	if err := out.Commit(); err != nil {
		return errorResult("%s: %v", t.Name, err)
	}
	p.notify(float64(n), float64(n), fmt.Sprintf("%d bytes written to %s", n, out.Path), true)
	return valueResult(map[string]any{"path": out.Path, "bytes": n, "images": podman.ArchiveImages(out.Path)})
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
