package e2e

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/image-mcp/image-mcp/internal/fakecentral"
)

// hostilePodman is a fake Podman service on a unix socket, for answers no Podman gives
// (hostile-answer tests only; Podman's own behaviour is tested against real Podman). It
// answers _ping as Podman 4.3.1 does, image exists with 204, and anything else with the
// handler the test sets.
type hostilePodman struct {
	Sock    string
	mu      sync.Mutex
	handler http.HandlerFunc
}

func startHostilePodman(t *testing.T) *hostilePodman {
	t.Helper()
	p := &hostilePodman{Sock: filepath.Join(t.TempDir(), "h.sock")}
	l, err := net.Listen("unix", p.Sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/_ping":
			w.Header().Set("Libpod-Api-Version", "4.3.1")
			w.Write([]byte("OK"))
			return
		case strings.HasSuffix(r.URL.Path, "/exists"):
			w.WriteHeader(http.StatusNoContent)
			return
		}
		p.mu.Lock()
		h := p.handler
		p.mu.Unlock()
		if h == nil {
			http.NotFound(w, r)
			return
		}
		h(w, r)
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return p
}

func (p *hostilePodman) answer(h http.HandlerFunc) {
	p.mu.Lock()
	p.handler = h
	p.mu.Unlock()
}

// endless writes prefix, then chunk again and again until the client goes away.
func endless(prefix, chunk string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(prefix))
		buf := bytes.Repeat([]byte(chunk), max(1, (64<<10)/len(chunk)))
		for r.Context().Err() == nil {
			if _, err := w.Write(buf); err != nil {
				return
			}
		}
	}
}

// fixed writes body whole.
func fixed(contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Write([]byte(body))
	}
}

// peakRSS follows a process's peak resident memory: reset sets it to what is resident
// now (/proc/PID/clear_refs, 5), read gives the peak since, in MiB (VmHWM).
type peakRSS struct{ pid int }

func (p peakRSS) reset(t *testing.T) {
	t.Helper()
	if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", p.pid), []byte("5"), 0o200); err != nil {
		t.Fatalf("reset the peak RSS: %v", err)
	}
}

func (p peakRSS) read(t *testing.T) float64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return float64(kb) / 1024
		}
	}
	t.Fatal("no VmHWM")
	return 0
}

// The answers of issue 21's red team, from a fake Central and a fake Podman socket: an
// endless JSON body (Central, Podman's list), one declared over the bound, an NDJSON line
// that never ends, a stream that goes silent, JSON nested ten million levels (a 20 MB
// answer, an error body) and a stream line nested 600,000. Each ends in a clear error within its bound, the server's peak
// memory stays bounded (each case on a fresh server; the figures are logged), and the
// next call on the same server works.
func TestHostileUpstreamAnswers(t *testing.T) {
	central := StartFakeCentral(t, FakeCentralOptions{})
	podman := startHostilePodman(t)
	count := toolFor(t, "GET", "/v1/imagescount").Name
	get := toolFor(t, "GET", "/v1/images/{id}").Name
	list := toolFor(t, "GET", "/libpod/images/json").Name
	pull := toolFor(t, "POST", "/libpod/images/pull").Name
	exists := toolFor(t, "GET", "/libpod/images/{name}/exists").Name
	deep := strings.Repeat("[", 10_000_000) + strings.Repeat("]", 10_000_000)
	const mib = 1 << 20

	cases := []struct {
		name    string
		central http.HandlerFunc // or
		podman  http.HandlerFunc
		env     []string
		tool    string
		args    map[string]any
		want    []string
		peakMiB float64 // the bound the peak must stay under
	}{
		{name: "endless Central answer, default bound (256 MiB)", central: endless(`{"images":[`, `{"id":"sha256:0","name":"x"},`),
			tool: count, want: []string{"larger than 268435456 bytes (--max-answer-bytes", "was not read further"}, peakMiB: 256 + 96},
		{name: "Central answer declared at 300 MiB", central: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(300*mib))
			endless(`{"count":`, "1")(w, r)
		}, tool: count, want: []string{"larger than 268435456 bytes"}, peakMiB: 40},
		{name: "Central answer nested ten million levels (20 MB)", central: fixed("application/json", deep),
			tool: get, args: map[string]any{"id": "sha256:x"}, want: []string{"nested deeper than 512 levels", "it was not read"}, peakMiB: 96},
		{name: "Central error nested ten million levels", central: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte(deep))
		}, tool: count, want: []string{"HTTP 500"}, peakMiB: 40},
		{name: "endless Podman list, IMAGE_MCP_MAX_ANSWER_BYTES=32 MiB", podman: endless(`[`, `{"Id":"0000","RepoTags":["x"]},`),
			env: []string{"IMAGE_MCP_MAX_ANSWER_BYTES=" + strconv.Itoa(32*mib)}, tool: list, want: []string{"larger than 33554432 bytes (--max-answer-bytes"}, peakMiB: 32 + 64},
		{name: "an NDJSON line that never ends", podman: endless(`{"stream":"Trying to pull x...\n"}`+"\n"+`{"stream":"`, "a"),
			tool: pull, args: map[string]any{"reference": "quay.io/x/y:1"}, want: []string{"line 2 of the stream is longer than 1048576 bytes", "Trying to pull x"}, peakMiB: 40},
		// (Ten million levels are over the line bound first; 600,000 fit in 1 MiB.)
		{name: "an NDJSON line nested 600,000 levels", podman: fixed("application/json", strings.Repeat("[", 600_000)+"\n"),
			tool: pull, args: map[string]any{"reference": "quay.io/x/y:1"}, want: []string{"line 1 of the stream is JSON nested deeper than 512 levels"}, peakMiB: 40},
		{name: "a stream silent for longer than --stream-idle-timeout (3s)", podman: func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"stream":"Copying blob 1\n"}` + "\n"))
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}, env: []string{"IMAGE_MCP_STREAM_IDLE_TIMEOUT=3s"}, tool: pull, args: map[string]any{"reference": "quay.io/x/y:1"},
			want: []string{"nothing was sent or received for 3s (--stream-idle-timeout", "the stream was ended"}, peakMiB: 40},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			central.Override(c.central)
			podman.answer(c.podman)
			defer central.Override(nil)
			env := append(central.Env(fakecentral.AdminToken), "CONTAINER_HOST=unix://"+podman.Sock)
			s := StartServer(t, ServerOptions{NoPod: true, Env: append(env, c.env...)})
			rss := peakRSS{pid: s.cmd.Process.Pid}
			before := rss.read(t)
			rss.reset(t)
			args := c.args
			if args == nil {
				args = map[string]any{}
			}
			start := time.Now()
			s.MustFail(t, c.tool, args, c.want...)
			took := time.Since(start)
			peak := rss.read(t)
			t.Logf("%s: error after %s; peak RSS %.1f MiB (%.1f MiB before the call)", c.name, took.Round(time.Millisecond), peak, before)
			if peak > c.peakMiB {
				t.Errorf("peak RSS %.1f MiB, over %.0f MiB", peak, c.peakMiB)
			}
			// The next call on the same server works.
			central.Override(nil)
			podman.answer(nil)
			if c.central != nil {
				s.MustSucceed(t, count, map[string]any{})
			} else {
				s.MustSucceed(t, exists, map[string]any{"name": "localhost/x:1"})
			}
		})
	}
}
