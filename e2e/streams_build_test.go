package e2e

// Builds: from a local directory, a remote tar, a git repository, and on the Podman host.

import (
	"archive/tar"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var hexID = regexp.MustCompile(`^[0-9a-f]{64}$`)

// TestBuildImage builds from a local directory (RUN step, .containerignore), from a
// remote URL served on loopback, and a failing build.
func TestBuildImage(t *testing.T) {
	needPodman(t)
	plog := &progressLog{}
	s := StartServer(t, ServerOptions{Client: plog.options()})
	const img = "localhost/streams-build:1"
	t.Cleanup(func() { removeImage(t, img); removeImage(t, "localhost/streams-remote:1") })

	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		// The RUN step fails if the ignored files were sent, or the kept one was not.
		"Containerfile": "FROM " + baseImage + "\nCOPY . /ctx\n" +
			"RUN test ! -e /ctx/secret.txt && test ! -e /ctx/logs/a.log && test -e /ctx/keep.txt && echo context-ok\n",
		".containerignore": "secret.txt\nlogs/\n",
		"secret.txt":       "do not send",
		"logs/a.log":       "noise",
		"keep.txt":         "keep",
	})
	res := mustProgress(t, s, plog, "build-image", map[string]any{"context": dir, "t": img, "networkmode": "none"})
	steps := 0
	for _, n := range plog.forToken(plog.lastToken()) {
		if strings.HasPrefix(n.Message, "STEP ") {
			steps++
		}
	}
	if steps == 0 {
		t.Errorf("no progress notification names a build step: %+v", plog.forToken(plog.lastToken()))
	}
	var sum struct {
		ID     string
		Output []string
	}
	Structured(t, res, &sum)
	if !hexID.MatchString(sum.ID) {
		t.Fatalf("build result has no image ID: %s", Text(res))
	}
	if !strings.Contains(strings.Join(sum.Output, "\n"), "context-ok") {
		t.Errorf("the RUN step's output is missing from the result: %s", Text(res))
	}
	if got := inspectID(t, img); got != sum.ID {
		t.Fatalf("%s is %q, the build reported %q", img, got, sum.ID)
	}

	t.Run("failing RUN step", func(t *testing.T) {
		bad := t.TempDir()
		writeFiles(t, bad, map[string]string{"Containerfile": "FROM " + baseImage + "\nRUN echo step-output-before-failure && exit 3\n"})
		s.MustFail(t, "build-image", map[string]any{"context": bad, "t": "localhost/streams-bad:1", "networkmode": "none"},
			"build-image failed", "exit status 3", "step-output-before-failure")
		if inspectID(t, "localhost/streams-bad:1") != "" {
			t.Fatal("a failed build left an image")
		}
	})

	// sourcedateepoch is read from Podman 5.6.0 on; 4.3.1 would ignore it, so it is refused there.
	t.Run("argument newer than the connected Podman", func(t *testing.T) {
		const dated = "localhost/streams-epoch:1"
		args := map[string]any{"context": dir, "t": dated, "networkmode": "none", "sourcedateepoch": 0}
		if olderThan(podmanVer, "5.6.0") {
			s.MustFail(t, "build-image", args, `argument "sourcedateepoch" needs Podman 5.6.0 or later`, "the connected Podman is "+podmanVer)
			return
		}
		t.Cleanup(func() { removeImage(t, dated) })
		s.MustSucceed(t, "build-image", args)
		_, body, _ := PodmanRaw("GET", "/libpod/images/localhost%2Fstreams-epoch:1/json", nil)
		if !strings.Contains(string(body), `"Created":"1970-01-01T00:00:00Z"`) {
			t.Fatalf("sourcedateepoch=0 did not date the image 1970: %.600s", body)
		}
	})

	t.Run("remote tar", func(t *testing.T) { buildRemoteTar(t, s) })
	t.Run("remote git", func(t *testing.T) { buildRemoteGit(t, s) })

	t.Run("no context", func(t *testing.T) {
		s.MustFail(t, "build-image", map[string]any{"t": "localhost/streams-none:1"}, `give one of "context", "remote"`)
	})
}

// buildRemoteTar builds from a tar of a Containerfile served on loopback.
func buildRemoteTar(t *testing.T, s *Server) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	cf := "FROM " + baseImage + "\nRUN echo remote-ok > /remote\n"
	tw.WriteHeader(&tar.Header{Name: "Containerfile", Mode: 0o644, Size: int64(len(cf)), Typeflag: tar.TypeReg})
	tw.Write([]byte(cf))
	tw.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-tar")
		w.Write(buf.Bytes())
	}))
	defer srv.Close()
	res := s.MustSucceed(t, "build-image", map[string]any{"remote": srv.URL + "/context.tar", "t": "localhost/streams-remote:1", "networkmode": "none"})
	var sum struct{ ID string }
	Structured(t, res, &sum)
	if !hexID.MatchString(sum.ID) || inspectID(t, "localhost/streams-remote:1") != sum.ID {
		t.Fatalf("remote build: %s", Text(res))
	}
}

// buildRemoteGit builds from a bare git repository that git daemon serves on loopback.
func buildRemoteGit(t *testing.T, s *Server) {
	git, err := lookTool("git")
	if err != nil {
		t.Fatal("git is needed (the Podman service clones the repository): ", err)
	}
	base := t.TempDir()
	repo := filepath.Join(base, "work")
	writeFiles(t, repo, map[string]string{"Containerfile": "FROM " + baseImage + "\nRUN echo git-ok > /git\n"})
	for _, args := range [][]string{
		{"-C", repo, "init", "-q"}, {"-C", repo, "add", "."},
		{"-C", repo, "-c", "user.email=e2e@test", "-c", "user.name=e2e", "commit", "-qm", "context"},
		{"clone", "-q", "--bare", repo, filepath.Join(base, "ctx.git")},
	} {
		if out, err := exec.Command(git, args...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	daemon := exec.Command(git, "daemon", "--reuseaddr", "--export-all", "--base-path="+base, "--listen=127.0.0.1", fmt.Sprintf("--port=%d", port), base)
	if err := daemon.Start(); err != nil {
		t.Fatal(err)
	}
	defer stopProcess(daemon)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Cleanup(func() { removeImage(t, "localhost/streams-git:1") })
	res := s.MustSucceed(t, "build-image", map[string]any{"remote": "git://" + addr + "/ctx.git", "t": "localhost/streams-git:1", "networkmode": "none"})
	var sum struct{ ID string }
	Structured(t, res, &sum)
	if !hexID.MatchString(sum.ID) || inspectID(t, "localhost/streams-git:1") != sum.ID {
		t.Fatalf("git build: %s", Text(res))
	}
}

// TestLocalBuildAndLoad: the host-path variants need Podman 5.7.0, where the routes
// /libpod/local/build and /libpod/local/images/load appeared. An older Podman gets the
// version error; 5.7+ really builds from and loads from paths on the Podman host. The paths
// are under t.TempDir() ($TMPDIR or /tmp), which scripts/podman5.sh's Podman 5 sees too.
func TestLocalBuildAndLoad(t *testing.T) {
	needPodman(t)
	s := StartServer(t, ServerOptions{})
	if olderThan(podmanVer, "5.7.0") {
		s.MustFail(t, "create-image-local-build-context", map[string]any{"localcontextdir": t.TempDir()},
			"needs Podman 5.7.0 or later; the connected Podman is "+podmanVer, "build-image")
		s.MustFail(t, "load-image-local-path", map[string]any{"path": busyboxTar},
			"needs Podman 5.7.0 or later; the connected Podman is "+podmanVer, "load-image")
		return
	}
	const img = "localhost/streams-local:1"
	t.Cleanup(func() { removeImage(t, img) })
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"Containerfile":    "FROM " + baseImage + "\nCOPY . /ctx\nRUN test -e /ctx/keep.txt && test ! -e /ctx/skip.txt && echo local-context-ok\n",
		".containerignore": "skip.txt\n",
		"keep.txt":         "keep",
		"skip.txt":         "skip",
	})
	res := s.MustSucceed(t, "create-image-local-build-context", map[string]any{"localcontextdir": dir, "t": img, "networkmode": "none"})
	var sum struct {
		ID     string
		Output []string
	}
	Structured(t, res, &sum)
	if !hexID.MatchString(sum.ID) || !strings.Contains(strings.Join(sum.Output, "\n"), "local-context-ok") {
		t.Fatalf("local build: %s", Text(res))
	}
	if got := inspectID(t, img); got != sum.ID {
		t.Fatalf("%s is %q, the build reported %q", img, got, sum.ID)
	}
	// A failing step is an error carrying its output, as with build-image.
	bad := t.TempDir()
	writeFiles(t, bad, map[string]string{"Containerfile": "FROM " + baseImage + "\nRUN echo local-step-output && exit 4\n"})
	s.MustFail(t, "create-image-local-build-context", map[string]any{"localcontextdir": bad, "t": "localhost/streams-local-bad:1", "networkmode": "none"},
		"exit status 4", "local-step-output")

	archive := filepath.Join(t.TempDir(), "local.tar")
	s.MustSucceed(t, "export-image", map[string]any{"name": img, "output": archive, "format": "docker-archive"})
	removeImage(t, img)
	if inspectID(t, img) != "" {
		t.Fatalf("%s is still there", img)
	}
	res = s.MustSucceed(t, "load-image-local-path", map[string]any{"path": archive})
	if got := inspectID(t, img); got != sum.ID || !strings.Contains(Text(res), img) {
		t.Fatalf("after load-image-local-path %s is %q (want %q): %s", img, got, sum.ID, Text(res))
	}
	// A path the service cannot see is Podman's error, named.
	s.MustFail(t, "load-image-local-path", map[string]any{"path": filepath.Join(t.TempDir(), "missing.tar")}, "missing.tar")
}
