package tools

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/internal/allowdirs"
	"github.com/image-mcp/image-mcp/upstream"
)

// request builds the upstream request from the arguments (buildRequest), then lets the
// upstream add what only it knows (upstream.Preparer): a body packed from a directory,
// credentials, which are masked from here on. The request's body is closed with the
// answer (or here, when there is none).
func (c *call) request() (*upstream.Request, error) {
	req, err := buildRequest(c.t, c.v, c.allowed)
	if err != nil {
		return nil, err
	}
	p, ok := c.client.(upstream.Preparer)
	if !ok {
		if a := c.t.ArgWithRole(capabilities.RoleContextDir); a != nil && c.v.String(a.Name) != "" {
			closeBody(req)
			return nil, failf("%s: argument %q: %s takes no directory: only an upstream that packs one (Podman's build context) does. Nothing was sent.",
				c.t.Name, a.Name, c.t.Capability.Display)
		}
		return req, nil
	}
	if c.prepared, err = p.Prepare(c.ctx, c, req); err != nil {
		closeBody(req)
		return nil, err
	}
	if c.prepared != nil {
		c.e.redact.Add(c.prepared.Secrets()...) // before anything is sent: progress may echo them
		c.e.log.Debug().Str("tool", c.t.Name).Stringer("prepared", c.prepared).Msg("request prepared by the upstream")
	}
	return req, nil
}

// buildRequest maps checked arguments onto the upstream request: path segments escaped,
// query keys under their wire names (arrays repeat the key), headers, and the body. A
// body from a file (role input-file) is opened here, inside the allowed directories
// (none: any path), and streamed; the caller closes it (see closeBody). Local arguments
// (roles) are not sent.
func buildRequest(t *capabilities.Tool, v Values, allowed allowdirs.Dirs) (*upstream.Request, error) {
	req := &upstream.Request{Method: t.Method, Query: url.Values{}, Header: http.Header{}, Stream: t.Response.Streams()}
	path := t.Path
	for _, a := range t.Args {
		val, ok := v[a.Name]
		if !ok && a.Default != nil {
			val, ok = a.Default, true
		}
		if !ok || (a.Role != "" && !sentAsIs(a)) {
			continue
		}
		switch a.In {
		case "path":
			s := scalarString(val)
			if s == "" {
				return nil, &argumentError{tool: t.Name, msg: fmt.Sprintf("argument %q must not be empty", a.Name)}
			}
			path = strings.ReplaceAll(path, "{"+a.Wire+"}", escapeSegment(s))
		case "query":
			if items, isList := val.([]any); isList {
				for _, it := range items {
					req.Query.Add(a.Wire, scalarString(it))
				}
			} else {
				req.Query.Set(a.Wire, scalarString(val))
			}
		case "header":
			req.Header.Set(a.Wire, scalarString(val))
		case "body":
			if err := setBody(req, a, val); err != nil {
				return nil, &argumentError{tool: t.Name, msg: err.Error()}
			}
		}
	}
	req.Path = path
	if err := setInputFile(t, v, req, allowed); err != nil {
		return nil, err
	}
	return req, nil
}

// escapeSegment makes a value exactly one path segment: `/`, `?`, `#` and `%` are escaped,
// and "." or ".." cannot climb to another endpoint.
func escapeSegment(s string) string {
	if s == "." || s == ".." {
		return strings.Repeat("%2E", len(s))
	}
	return url.PathEscape(s)
}

func setBody(req *upstream.Request, a *capabilities.Argument, val any) error {
	switch x := val.(type) {
	case string:
		req.Body = strings.NewReader(x)
		req.ContentLength = int64(len(x))
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return fmt.Errorf("argument %q: %v", a.Name, err)
		}
		req.Body = bytes.NewReader(b)
		req.ContentLength = int64(len(b))
		if req.Header.Get("Content-Type") == "" {
			req.Header.Set("Content-Type", "application/json")
		}
	}
	return nil
}

// setInputFile streams a file (role input-file) as the request body.
func setInputFile(t *capabilities.Tool, v Values, req *upstream.Request, allowed allowdirs.Dirs) error {
	a := t.ArgWithRole(capabilities.RoleInputFile)
	if a == nil || v.String(a.Name) == "" {
		return nil
	}
	f, size, err := openInputFile(v.String(a.Name), allowed)
	if err != nil {
		return &argumentError{tool: t.Name, msg: fmt.Sprintf("argument %q: %v", a.Name, err)}
	}
	req.Body, req.ContentLength = f, size
	req.Stream = true // an upload lasts as long as the file is big: no overall timeout
	if size == 0 {
		f.Close()
		req.Body = nil // an empty file is no body; Go would send none either
	}
	req.Header.Set("Content-Type", cmp.Or(req.Header.Get("Content-Type"), "application/x-tar"))
	return nil
}

// openInputFile opens the file first and then looks at what was opened, so the checks
// are about the file that is sent.
func openInputFile(p string, allowed allowdirs.Dirs) (*os.File, int64, error) {
	f, _, err := allowed.OpenFile(p)
	if err != nil {
		return nil, 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("cannot read %s: %w", p, allowdirs.PathCause(err))
	}
	if fi.IsDir() {
		f.Close()
		return nil, 0, fmt.Errorf("%s is a directory; give the path of a tar file", p)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, 0, fmt.Errorf("%s is not a regular file", p)
	}
	return f, fi.Size(), nil
}

// closeBody closes a request body that the request builder opened.
func closeBody(req *upstream.Request) {
	if c, ok := req.Body.(io.Closer); ok {
		c.Close()
	}
}

// sentAsIs: arguments whose role only adds a check or a notice still go on the wire: an
// upstream's own paging arguments (for the continuation notice), what the upstream
// opens or fetches itself (paths on the Podman host or inside the build context, build
// contexts, URLs: checked first), and arguments that narrow an answer (named in the
// notice when it is cut).
func sentAsIs(a *capabilities.Argument) bool {
	switch {
	case a.Role.OnHost(), a.Role == capabilities.RoleNarrow:
		return true
	}
	switch a.Role {
	case capabilities.RoleOffset, capabilities.RoleLimit:
		return a.In != ""
	}
	return false
}
