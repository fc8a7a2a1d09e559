package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// buildRecorder is a proxy in front of the test Podman service that keeps the body of
// every build request: the context tar as the client sent it.
type buildRecorder struct {
	sock   string
	mu     sync.Mutex
	bodies [][]byte
}

func startBuildRecorder(t *testing.T) *buildRecorder {
	t.Helper()
	dir, err := os.MkdirTemp("", "ctxrec-") // short: a unix socket path has a length limit
	must(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	r := &buildRecorder{sock: filepath.Join(dir, "s.sock")}
	ln, err := net.Listen("unix", r.sock)
	must(t, err)
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) { pr.Out.URL.Scheme, pr.Out.URL.Host = "http", "d" },
		Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", podmanSock)
		}},
		FlushInterval: -1,
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method == "POST" && path.Base(req.URL.Path) == "build" {
			b, err := io.ReadAll(req.Body)
			if err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			r.mu.Lock()
			r.bodies = append(r.bodies, b)
			r.mu.Unlock()
			req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
		}
		rp.ServeHTTP(w, req)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return r
}

func (r *buildRecorder) last(t *testing.T) []byte {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.bodies) == 0 {
		t.Fatal("no build request went through the proxy")
	}
	return r.bodies[len(r.bodies)-1]
}

// ctxTarEntries lists a tar's entries (gzip or not) other than directories, as
// "name" for files and "name -> target" for symlinks; dirs lists the directories.
func ctxTarEntries(t *testing.T, b []byte, under string) (entries, dirs []string) {
	t.Helper()
	var rd io.Reader = bytes.NewReader(b)
	if len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(rd)
		must(t, err)
		rd = zr
	}
	tr := tar.NewReader(rd)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		must(t, err)
		name := strings.TrimPrefix(path.Clean(strings.TrimPrefix(h.Name, "./")), "/")
		if under != "" {
			if !strings.HasPrefix(name, under+"/") {
				continue
			}
			name = strings.TrimPrefix(name, under+"/")
		}
		switch h.Typeflag {
		case tar.TypeDir:
			dirs = append(dirs, name)
		case tar.TypeSymlink:
			entries = append(entries, name+" -> "+h.Linkname)
		default:
			entries = append(entries, name)
		}
	}
	slices.Sort(entries)
	slices.Sort(dirs)
	return entries, dirs
}

// imageLayerEntries is what the single layer of an image holds below under.
func imageLayerEntries(t *testing.T, name, under string) []string {
	t.Helper()
	code, archive, err := PodmanRaw("GET", "/libpod/images/"+url.PathEscape(name)+"/get?format=docker-archive", nil)
	if err != nil || code != 200 {
		t.Fatalf("export %s: %d %v", name, code, err)
	}
	files := map[string][]byte{}
	tr := tar.NewReader(bytes.NewReader(archive))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		must(t, err)
		b, _ := io.ReadAll(tr)
		files[h.Name] = b
	}
	var m []struct{ Layers []string }
	must(t, json.Unmarshal(files["manifest.json"], &m))
	if len(m) != 1 || len(m[0].Layers) != 1 {
		t.Fatalf("%s: want one image with one layer, manifest %s", name, files["manifest.json"])
	}
	entries, _ := ctxTarEntries(t, files[m[0].Layers[0]], under)
	return entries
}

// The build context image-mcp sends is the one `podman build` itself sends for the same
// directory and ignore file (through the same private Podman service), and the same
// files reach both images.
func TestContextIgnoreMatchesPodman(t *testing.T) {
	needPodman(t)
	dir := filepath.Join(t.TempDir(), "ctx")
	outside := filepath.Join(filepath.Dir(dir), "outside-secret")
	must(t, os.WriteFile(outside, []byte("secret"), 0o600))
	writeIgnoreContext(t, dir, outside)

	rec := startBuildRecorder(t)
	podmanTag, mcpTag := "localhost/ctxcmp:podman", "localhost/ctxcmp:image-mcp"
	t.Cleanup(func() { untagName(podmanTag); untagName(mcpTag) })

	cmd := exec.Command("podman", "--url", "unix://"+rec.sock, "build", "-t", podmanTag, dir)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + workDir, "XDG_RUNTIME_DIR=" + filepath.Join(workDir, "no-runtime-dir"), "CONTAINERS_CONF=" + containersC}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("podman build: %v\n%s", err, out)
	}
	podmanSent, podmanDirs := ctxTarEntries(t, rec.last(t), "")

	s := StartServer(t, ServerOptions{NoPod: true, Env: []string{"CONTAINER_HOST=unix://" + rec.sock}})
	s.MustSucceed(t, "build-image", map[string]any{"context": dir, "t": mcpTag})
	mcpSent, mcpDirs := ctxTarEntries(t, rec.last(t), "")

	t.Logf("podman build sent %d entries: %s", len(podmanSent), strings.Join(podmanSent, ", "))
	// Podman's client (4.3.1 and 5.8 alike: it reads ignore lines as they are) keeps the
	// leading / of "/rooted", which then matches nothing and sends the file; Docker's client
	// (moby/patternmatcher/ignorefile) strips it, so the pattern means the top-level
	// "rooted", and the Podman service itself leaves that file out of the image (checked
	// below). image-mcp follows Docker and the service: it sends less.
	podmanSent = slices.DeleteFunc(podmanSent, func(e string) bool { return e == "rooted" })
	if !slices.Equal(podmanSent, mcpSent) {
		t.Errorf("the context tars differ:\npodman:    %s\nimage-mcp: %s\nonly podman: %s\nonly image-mcp: %s",
			strings.Join(podmanSent, ", "), strings.Join(mcpSent, ", "), diff(podmanSent, mcpSent), diff(mcpSent, podmanSent))
	}
	if !slices.Equal(podmanDirs, mcpDirs) {
		t.Logf("directory entries differ (not files): podman %q, image-mcp %q", podmanDirs, mcpDirs)
	}
	for _, secret := range []string{".env", "secret.txt", "sub/.git/config"} {
		if slices.Contains(mcpSent, secret) {
			t.Errorf("%s was sent", secret)
		}
	}
	inPodman, inMCP := imageLayerEntries(t, podmanTag, "ctx"), imageLayerEntries(t, mcpTag, "ctx")
	t.Logf("the image podman built holds: %s", strings.Join(inPodman, ", "))
	if !slices.Equal(inPodman, inMCP) {
		t.Errorf("the images hold different files:\npodman:    %s\nimage-mcp: %s", strings.Join(inPodman, ", "), strings.Join(inMCP, ", "))
	}
	if !slices.Contains(inMCP, "link-out -> "+outside) {
		t.Errorf("the image does not hold link-out as a symlink: %s", strings.Join(inMCP, ", "))
	}
}

// writeIgnoreContext writes a build context whose .containerignore uses every kind of
// pattern, with a symlink to outside, a file outside the context.
func writeIgnoreContext(t *testing.T, dir, outside string) {
	t.Helper()
	ignore := strings.Join([]string{
		"# comment",
		"*.log",
		"!keep.log",
		"secret*",
		"**/tmp",
		"build/",
		"!build/out.bin",
		"[!a]bc",
		`\#hash`,
		"docs/**/*.md",
		"!docs/keep/**",
		".env",
		"**/.git",
		"  spaced.txt  ",
		"/rooted",
		"a?c.txt",
		"Containerfile", // ignored, yet always sent
		"",
	}, "\n")
	files := []string{
		"Containerfile", ".containerignore", "a.log", "keep.log", "src/x.log", "secret.txt", "src/secret.txt",
		"src/tmp/t", "tmp/x", "deep/a/b/tmp/y", "build/obj.o", "build/out.bin", "xbc", "abc", "#hash", "hash",
		"docs/a/b/c.md", "docs/top.md", "docs/keep/k.md", "docs/x.txt", ".env", "sub/.env", "sub/.git/config",
		".git/HEAD", "spaced.txt", "rooted", "sub/rooted", "abc.txt", "a/c.txt", "plain",
	}
	for _, f := range files {
		content := "content of " + f
		switch f {
		case "Containerfile":
			content = "FROM scratch\nCOPY . /ctx/\n"
		case ".containerignore":
			content = ignore
		}
		must(t, os.MkdirAll(filepath.Join(dir, filepath.Dir(f)), 0o755))
		must(t, os.WriteFile(filepath.Join(dir, f), []byte(content), 0o644))
	}
	// A symlink to a file outside the context: both send the link, not the file.
	must(t, os.Symlink(outside, filepath.Join(dir, "link-out")))
	// (A relative link that climbs out, ../x, is refused by the Podman service itself.)
}

func diff(a, b []string) string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return fmt.Sprint(out)
}
