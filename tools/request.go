package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/upstream"
)

// BuildRequest maps checked arguments onto the upstream request: path segments escaped,
// query keys under their wire names (arrays repeat the key), headers, and the body. A body
// from a file or a directory is opened here and streamed; the caller closes it (see
// closeBody). Local arguments (roles) are not sent.
func BuildRequest(t *capabilities.Tool, v Values) (*upstream.Request, error) {
	req := &upstream.Request{Method: t.Method, Query: url.Values{}, Header: http.Header{}, Stream: t.Response == capabilities.ResponseNDJSON || t.Response == capabilities.ResponseFile}
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
	if err := setLocalBody(t, v, req); err != nil {
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
func setLocalBody(t *capabilities.Tool, v Values, req *upstream.Request) error {
	bad := func(format string, a ...any) error {
		return &ArgumentError{Tool: t.Name, Msg: fmt.Sprintf(format, a...)}
	}
	if a := t.ArgWithRole(capabilities.RoleInputFile); a != nil {
		if p := v.String(a.Name); p != "" {
			f, size, err := openInputFile(p)
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
			body, err := tarDirectory(p)
			if err != nil {
				return bad("argument %q: %v", a.Name, err)
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

func openInputFile(p string) (*os.File, int64, error) {
	if !filepath.IsAbs(p) {
		return nil, 0, fmt.Errorf("%q is not an absolute path; give the full path of the file on this machine", p)
	}
	fi, err := os.Stat(p)
	if err != nil {
		return nil, 0, fmt.Errorf("cannot read %s: %w", p, unwrapPathError(err))
	}
	if fi.IsDir() {
		return nil, 0, fmt.Errorf("%s is a directory; give the path of a tar file", p)
	}
	if !fi.Mode().IsRegular() {
		return nil, 0, fmt.Errorf("%s is not a regular file", p)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, 0, fmt.Errorf("cannot read %s: %w", p, unwrapPathError(err))
	}
	return f, fi.Size(), nil
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// closeBody closes a request body that the request builder opened.
func closeBody(req *upstream.Request) {
	if c, ok := req.Body.(io.Closer); ok {
		c.Close()
	}
}

// sentAsIs: an upstream's own paging arguments keep their role (for the continuation
// notice) and still go on the wire.
func sentAsIs(a *capabilities.Argument) bool {
	return a.In != "" && (a.Role == capabilities.RoleOffset || a.Role == capabilities.RoleLimit)
}
