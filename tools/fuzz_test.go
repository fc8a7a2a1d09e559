package tools

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/image-mcp/image-mcp/capabilities"
)

// fuzzTools are the embedded tools, in a fixed order so a fuzz input's tool index is stable.
func fuzzTools(f *testing.F) []*capabilities.Tool {
	caps := capabilities.Embedded()
	var all []*capabilities.Tool
	for _, c := range caps {
		all = append(all, c.Tools...)
	}
	return all
}

// FuzzCheckArguments: any JSON (or not JSON) as any tool's arguments is either refused
// with an *argumentError or gives values of exactly the declared types.
func FuzzCheckArguments(f *testing.F) {
	all := fuzzTools(f)
	f.Add(uint8(0), []byte(`{"t":"x:1","nocache":true,"memory":1024}`))
	f.Add(uint8(3), []byte(`{"fields":["Id","RepoTags"],"all":true,"filters":"{\"label\":[\"a=b\"]}"}`))
	f.Add(uint8(6), []byte(`{"reference":"docker.io/library/busybox","X-Registry-Auth":"eyJ1c2VybmFtZSI6ImEifQ=="}`))
	f.Add(uint8(10), []byte(`{"name":"../../containers/json"}`))
	f.Add(uint8(24), []byte(`{"body":{"imageName":"nginx","force":true}}`))
	f.Add(uint8(1), []byte(`{"references":[1,true,"a"],"output":"/tmp/x.tar"}`))
	f.Add(uint8(2), []byte(`[1,2,3]`))
	f.Add(uint8(7), []byte(`{"name":{"a":[[[[]]]]}}`))
	f.Add(uint8(20), []byte(`{"pagination.limit":1e400}`))
	f.Add(uint8(20), []byte(`null`))
	f.Fuzz(func(t *testing.T, idx uint8, raw []byte) {
		tl := all[int(idx)%len(all)]
		v, err := CheckArguments(tl, raw)
		if err != nil {
			if _, ok := err.(*argumentError); !ok {
				t.Fatalf("error is %T, want *argumentError: %v", err, err)
			}
			return
		}
		for name, val := range v {
			a := tl.Arg(name)
			if a == nil {
				t.Fatalf("%s: unknown argument %q accepted", tl.Name, name)
			}
			if a.In == "header" && strings.ContainsAny(val.(string), "\r\n\x00") {
				t.Fatalf("%s: header %q with a line break accepted", tl.Name, name)
			}
			if !hasType(a.Type, val) {
				t.Fatalf("%s: argument %q of type %s accepted %#v", tl.Name, name, a.Type, val)
			}
		}
		for _, a := range tl.Args {
			if _, ok := v[a.Name]; a.Required && !ok {
				t.Fatalf("%s: required %q missing but accepted", tl.Name, a.Name)
			}
		}
	})
}

func hasType(typ string, v any) bool {
	switch typ {
	case "string":
		_, ok := v.(string)
		return ok
	case "integer", "number":
		_, ok := v.(json.Number)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	}
	return true
}

// FuzzBuildRequest puts any string in every path parameter (and any string in the query
// and header arguments): the escaped path must keep exactly the template's segments, never
// carry a raw `?` or `#`, never climb with `.`/`..`, and decode back to the value.
func FuzzBuildRequest(f *testing.F) {
	all := fuzzTools(f)
	var withPath []*capabilities.Tool
	for _, tl := range all {
		if strings.Contains(tl.Path, "{") {
			withPath = append(withPath, tl)
		}
	}
	for _, s := range []string{"busybox", "../../containers/json", "..", ".", "a/b", "a?b#c", "%2F", "%2e%2e",
		"x\r\nHost: evil", "sha256:0123abc", "name with space", "\x00", "\xff\xfe", "é/ü", "//", "?", "#"} {
		f.Add(uint8(0), s, "q&x=1#f")
	}
	f.Fuzz(func(t *testing.T, idx uint8, s, q string) {
		tl := withPath[int(idx)%len(withPath)]
		args := map[string]any{}
		for _, a := range tl.Args {
			switch {
			case a.Role != "":
				// local arguments open files; not this target's concern
			case a.In == "path":
				args[a.Name] = s
			case a.Type == "string" && a.In != "body" && len(a.Enum) == 0:
				args[a.Name] = q
			}
		}
		raw, _ := json.Marshal(args)
		v, err := CheckArguments(tl, raw)
		if err != nil {
			return // e.g. a header with a line break: refused before any request
		}
		for _, a := range tl.Args {
			if a.Required && a.In == "query" && v[a.Name] == nil {
				v[a.Name] = "x"
			}
		}
		req, err := buildRequest(tl, v, nil)
		if err != nil {
			if s != "" {
				t.Fatalf("%s: %q refused: %v", tl.Name, s, err)
			}
			return
		}
		want := strings.Count(tl.Path, "/")
		if got := strings.Count(req.Path, "/"); got != want {
			t.Fatalf("%s: %q made path %q with %d slashes, the template %q has %d", tl.Name, s, req.Path, got, tl.Path, want)
		}
		if strings.ContainsAny(req.Path, "?#") {
			t.Fatalf("%s: %q made path %q with a raw ? or #", tl.Name, s, req.Path)
		}
		checkSegments(t, tl, v, s, req.Path)
		for k, vs := range req.Header {
			for _, hv := range vs {
				if strings.ContainsAny(k+hv, "\r\n") {
					t.Fatalf("%s: header %s: %q", tl.Name, k, hv)
				}
			}
		}
	})
}

// checkSegments: path, built from s, parses as a path alone, keeps the template's fixed
// segments, and each parameter's segment is no dot segment and decodes back to the value.
func checkSegments(t *testing.T, tl *capabilities.Tool, v Values, s, path string) {
	t.Helper()
	u, err := url.Parse("http://d" + path)
	if err != nil {
		t.Fatalf("%s: path %q does not parse: %v", tl.Name, path, err)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.EscapedPath() != path {
		t.Fatalf("%s: path %q parses as path %q query %q fragment %q", tl.Name, path, u.EscapedPath(), u.RawQuery, u.Fragment)
	}
	var sent string // s as JSON carried it (invalid UTF-8 became U+FFFD)
	for _, a := range tl.Args {
		if a.In == "path" {
			sent = v.String(a.Name)
		}
	}
	tmpl, got := strings.Split(tl.Path, "/"), strings.Split(path, "/")
	for i, seg := range tmpl {
		if !strings.HasPrefix(seg, "{") {
			if got[i] != seg {
				t.Fatalf("%s: segment %d is %q, template has %q", tl.Name, i, got[i], seg)
			}
			continue
		}
		if got[i] == "." || got[i] == ".." {
			t.Fatalf("%s: %q made a dot segment in %q", tl.Name, s, path)
		}
		if dec, err := url.PathUnescape(got[i]); err != nil || dec != sent {
			t.Fatalf("%s: segment %q decodes to %q (%v), want %q", tl.Name, got[i], dec, err, sent)
		}
	}
}
