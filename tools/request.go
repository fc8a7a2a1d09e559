package tools

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/internal/allowdirs"
	"github.com/image-mcp/image-mcp/podman"
	"github.com/image-mcp/image-mcp/upstream"
)

// BuildRequest maps checked arguments onto the upstream request: path segments escaped,
// query keys under their wire names (arrays repeat the key), headers, and the body. A body
// from a file or a directory is opened here and streamed; the caller closes it (see
// closeBody). Local arguments (roles) are not sent.
func BuildRequest(t *capabilities.Tool, v Values) (*upstream.Request, error) {
	return buildRequestIn(t, v, nil, nil)
}

// buildRequestIn is BuildRequest with local files and directories opened only inside
// the allowed directories (none: any path), and the containerfiles of a build context
// sent as a tar held to the context (see podman.TarDirectory).
func buildRequestIn(t *capabilities.Tool, v Values, allowed allowdirs.Dirs, containerfiles []string) (*upstream.Request, error) {
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
				return nil, &ArgumentError{Tool: t.Name, Msg: fmt.Sprintf("argument %q must not be empty", a.Name)}
			}
			path = strings.ReplaceAll(path, "{"+a.Wire+"}", EscapeSegment(s))
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
				return nil, &ArgumentError{Tool: t.Name, Msg: err.Error()}
			}
		}
	}
	req.Path = path
	if err := setLocalBody(t, v, req, allowed, containerfiles); err != nil {
		return nil, err
	}
	return req, nil
}

// EscapeSegment makes a value exactly one path segment: `/`, `?`, `#` and `%` are escaped,
// and "." or ".." cannot climb to another endpoint.
func EscapeSegment(s string) string {
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

// setLocalBody streams a file (role input-file) or a tar of a directory (role
// context-dir) as the request body.
func setLocalBody(t *capabilities.Tool, v Values, req *upstream.Request, allowed allowdirs.Dirs, containerfiles []string) error {
	bad := func(format string, a ...any) error {
		return &ArgumentError{Tool: t.Name, Msg: fmt.Sprintf(format, a...)}
	}
	if a := t.ArgWithRole(capabilities.RoleInputFile); a != nil {
		if p := v.String(a.Name); p != "" {
			f, size, err := openInputFile(p, allowed)
			if err != nil {
				return bad("argument %q: %v", a.Name, err)
			}
			req.Body, req.ContentLength = f, size
			req.Stream = true // an upload lasts as long as the file is big: no overall timeout
			if size == 0 {
				f.Close()
				req.Body = nil // an empty file is no body; Go would send none either
			}
			defaultHeader(req, "Content-Type", "application/x-tar")
		}
	}
	if a := t.ArgWithRole(capabilities.RoleContextDir); a != nil {
		if p := v.String(a.Name); p != "" {
			body, err := podman.TarDirectory(p, allowed, containerfiles)
			if err != nil {
				name := a.Name
				var ce *podman.ContainerfileError
				if cf := t.ArgWithRole(capabilities.RoleContextFile); errors.As(err, &ce) && cf != nil && v.String(cf.Name) != "" {
					name = cf.Name // the Containerfile was named; else a default one in the context
				}
				return bad("argument %q: %v. Nothing was sent", name, err)
			}
			req.Body = body
			req.Stream = true
			defaultHeader(req, "Content-Type", "application/x-tar")
		}
	}
	return nil
}

func defaultHeader(req *upstream.Request, k, v string) {
	if req.Header.Get(k) == "" {
		req.Header.Set(k, v)
	}
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
