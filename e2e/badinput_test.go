package e2e

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// recorder is an HTTP server on a unix socket that only observes: it counts the
// connections image-mcp opens and records each raw request line. It stands in for Podman
// where a test must see the exact bytes sent; it answers _ping as Podman 4.3.1 does and
// everything else with a Podman-style 404.
type recorder struct {
	sock string
	mu   sync.Mutex
	reqs []string // "METHOD RequestURI"
	dial int
}

func startRecorder(t *testing.T) *recorder {
	t.Helper()
	dir, err := os.MkdirTemp(workDir, "rec")
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{sock: filepath.Join(dir, "s.sock")}
	l, err := net.Listen("unix", r.sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			r.mu.Lock()
			r.reqs = append(r.reqs, req.Method+" "+req.RequestURI)
			r.mu.Unlock()
			if req.RequestURI == "/_ping" {
				w.Header().Set("Libpod-API-Version", "4.3.1")
				w.Write([]byte("OK"))
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"cause":"image not known","message":"recorder: no such image","response":404}`))
		}),
		ConnState: func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				r.mu.Lock()
				r.dial++
				r.mu.Unlock()
			}
		},
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return r
}

func (r *recorder) snapshot() ([]string, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.reqs...), r.dial
}

// Bad arguments are refused before anything is sent: the upstream sees no connection.
func TestBadInputSendsNothing(t *testing.T) {
	rec := startRecorder(t)
	s := StartServer(t, ServerOptions{NoPod: true, Args: []string{"--podman-url", "unix://" + rec.sock}})
	cases := []struct {
		tool string
		args map[string]any
		want []string
	}{
		{"inspect-image", map[string]any{"nmae": "x"}, []string{`unknown argument "nmae"`, "this tool takes: name"}},
		{"inspect-image", map[string]any{"name": "x", "all": true}, []string{`unknown argument "all"`}},
		{"inspect-image", map[string]any{"name": 5}, []string{`argument "name" must be a string, got number 5`}},
		{"inspect-image", map[string]any{}, []string{`missing required argument "name"`}},
		{"inspect-image", nil, []string{`missing required argument "name"`}},
		{"inspect-image", map[string]any{"name": nil}, []string{`missing required argument "name"`}},
		{"tag-image", map[string]any{"name": "x"}, []string{`missing required argument "repo"`}},
		{"list-images", map[string]any{"all": "yes"}, []string{`argument "all" must be a boolean`}},
		{"list-images", map[string]any{"fields": "Id"}, []string{`argument "fields" must be an array`}},
		{"search-images", map[string]any{"term": "x", "limit": 1.5}, []string{`argument "limit" must be an integer, got 1.5`}},
		{"search-images", map[string]any{"term": "x", "limit": "3"}, []string{`argument "limit" must be an integer`}},
		{"remove-one-more-images-storage", map[string]any{"images": "a"}, []string{`argument "images" must be an array`}},
		{"remove-one-more-images-storage", map[string]any{"images": []any{"a", map[string]any{}}}, []string{`argument "images" item 1 must be a string`}},
		{"pull-images", map[string]any{"reference": "x", "X-Registry-Auth": "e30=\r\nX-Evil: 1"}, []string{`argument "X-Registry-Auth" must not contain line breaks`}},
		{"pull-images", map[string]any{}, []string{`missing required argument "reference"`}},
		{"inspect-image", map[string]any{"name": ""}, []string{`"name" must not be empty`}},
		{"load-image", map[string]any{"upload": filepath.Join(workDir, "no-such.tar")}, []string{`argument "upload"`, "cannot read"}},
	}
	for _, tc := range cases {
		res := s.MustFail(t, tc.tool, tc.args, tc.want...)
		if res.StructuredContent != nil {
			t.Errorf("%s: an error with structured content", tc.tool)
		}
	}
	if reqs, dials := rec.snapshot(); dials != 0 || len(reqs) != 0 {
		t.Fatalf("bad input reached the upstream: %d connections, requests %v", dials, reqs)
	}
	// The same server does connect for a good call, so the zero above means something.
	s.MustFail(t, "inspect-image", map[string]any{"name": "x"}, "recorder: no such image", "HTTP 404")
	reqs, dials := rec.snapshot()
	if dials == 0 || strings.Join(reqs, ", ") != "GET /_ping, GET /v4.3.1/libpod/images/x/json" {
		t.Fatalf("a good call: %d connections, requests %v", dials, reqs)
	}
}

// Names that look like paths or queries stay one path segment: they can never reach
// another endpoint.
func TestPathEscape(t *testing.T) {
	needPodman(t)
	names := []struct{ name, segment string }{
		{"../../containers/json", "..%2F..%2Fcontainers%2Fjson"},
		{"x?all=true", "x%3Fall=true"},
		{"a%2Fb", "a%252Fb"},
		{"..", "%2E%2E"},
		{".", "%2E"},
		{"x#y", "x%23y"},
	}
	tools := []struct{ tool, method, suffix string }{
		{"inspect-image", "GET", "/json"},
		{"image-exists", "GET", "/exists"},
		{"remove-image-local-storage", "DELETE", ""},
	}

	t.Run("exact request URI", func(t *testing.T) {
		rec := startRecorder(t)
		s := StartServer(t, ServerOptions{NoPod: true, Args: []string{"--podman-url", "unix://" + rec.sock}})
		for _, n := range names {
			for _, tl := range tools {
				before, _ := rec.snapshot()
				s.Call(t, tl.tool, map[string]any{"name": n.name})
				after, _ := rec.snapshot()
				sent := after[len(before):]
				if len(sent) > 0 && sent[0] == "GET /_ping" {
					sent = sent[1:]
				}
				want := tl.method + " /v4.3.1/libpod/images/" + n.segment + tl.suffix
				if len(sent) != 1 || sent[0] != want {
					t.Errorf("%s %q sent %v, want exactly [%s]", tl.tool, n.name, sent, want)
				}
			}
		}
	})

	t.Run("real Podman", func(t *testing.T) {
		s := StartServer(t, ServerOptions{})
		for _, n := range names {
			// Podman decodes the one segment back to the whole name, and finds no such image.
			s.MustFail(t, "inspect-image", map[string]any{"name": n.name}, "HTTP 404", "failed to find image "+n.name+":")
			var v struct{ Exists *bool }
			Structured(t, s.MustSucceed(t, "image-exists", map[string]any{"name": n.name}), &v)
			if v.Exists == nil || *v.Exists {
				t.Errorf("image-exists %q: %+v", n.name, v)
			}
			s.MustFail(t, "remove-image-local-storage", map[string]any{"name": n.name}, "Podman answered HTTP", "invalid reference format")
		}
		if !imgExists(t, s, baseImage) {
			t.Fatal("the base image is gone")
		}
	})
}

// An operation the connected Podman lacks is refused with the versions named; only the
// version ping reaches the service.
func TestVersionGate(t *testing.T) {
	rec := startRecorder(t) // announces Podman 4.3.1
	s := StartServer(t, ServerOptions{NoPod: true, Args: []string{"--podman-url", "unix://" + rec.sock}})
	s.MustFail(t, "resolve-image-short-name", map[string]any{"name": "busybox"},
		"resolve-image-short-name needs Podman 5.0.0 or later; the connected Podman is 4.3.1", "Use inspect-image or search-images")
	s.MustFail(t, "create-image-local-build-context", map[string]any{"localcontextdir": "/srv/ctx"},
		"needs Podman 5.7.0 or later; the connected Podman is 4.3.1", "build-image")
	s.MustFail(t, "load-image-local-path", map[string]any{"path": "/srv/x.tar"},
		"needs Podman 5.7.0 or later; the connected Podman is 4.3.1", "load-image")
	// An argument newer than the connected Podman (which would ignore it) is refused too,
	// even when false: on 5.5+ inheritlabels=false changes the build, on 4.3.1 it would not.
	s.MustFail(t, "build-image", map[string]any{"context": t.TempDir(), "createdannotation": false, "inheritlabels": false, "timestamp": 1},
		`build-image: argument "createdannotation" needs Podman 5.6.0 or later, argument "inheritlabels" needs Podman 5.5.0 or later; `+
			"the connected Podman is 4.3.1, which would ignore them. Call again without them")
	s.MustFail(t, "pull-images", map[string]any{"reference": "x", "pullProgress": true},
		`pull-images: argument "pullProgress" needs Podman 6.0.0 or later; the connected Podman is 4.3.1, which would ignore it.`)
	if reqs, _ := rec.snapshot(); strings.Join(reqs, ", ") != "GET /_ping" {
		t.Errorf("requests %v, want only the version ping", reqs)
	}
	// report-changes has no gate: 4.3.1 serves it.
	s.MustFail(t, "report-changes-images-s-filesystem-adds", map[string]any{"name": "x"}, "recorder: no such image")
	if reqs, _ := rec.snapshot(); reqs[len(reqs)-1] != "GET /v4.3.1/libpod/images/x/changes" {
		t.Errorf("changes sent %v", reqs)
	}
}
