package e2e

import (
	"archive/tar"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
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

	t.Run("remote tar", func(t *testing.T) {
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
		Structured(t, res, &sum)
		if !hexID.MatchString(sum.ID) || inspectID(t, "localhost/streams-remote:1") != sum.ID {
			t.Fatalf("remote build: %s", Text(res))
		}
	})

	t.Run("remote git", func(t *testing.T) {
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
		Structured(t, res, &sum)
		if !hexID.MatchString(sum.ID) || inspectID(t, "localhost/streams-git:1") != sum.ID {
			t.Fatalf("git build: %s", Text(res))
		}
	})

	t.Run("no context", func(t *testing.T) {
		s.MustFail(t, "build-image", map[string]any{"t": "localhost/streams-none:1"}, `give one of "context", "remote"`)
	})
}

// TestPushPull pushes to the loopback registry, removes the image, pulls it back and
// compares IDs; a missing tag is an error with the registry's message.
func TestPushPull(t *testing.T) {
	needPodman(t)
	plog := &progressLog{}
	s := StartServer(t, ServerOptions{Client: plog.options()})
	local := "localhost/streams-push:1"
	remote := registry + "/streams/push:1"
	t.Cleanup(func() { removeImage(t, local); removeImage(t, remote) })

	// A unique image (the commit message makes its config, so its ID, new).
	res := s.MustSucceed(t, "import-image", map[string]any{"upload": busyboxTar, "reference": local, "message": "push " + time.Now().String()})
	id := inspectID(t, local)
	if id == "" || !strings.Contains(Text(res), id) {
		t.Fatalf("import: %s (image %q)", Text(res), id)
	}

	res = mustProgress(t, s, plog, "push-image", map[string]any{"name": local, "destination": remote, "tlsVerify": false})
	var sum struct {
		ID     string
		Images []string
		Output []string
	}
	Structured(t, res, &sum)
	// Podman 4.3.1 reports no digest for a push (5.x does: manifestdigest).
	if !strings.Contains(strings.Join(sum.Output, "\n"), "Writing manifest") {
		t.Errorf("push result lacks the copy output: %s", Text(res))
	}
	removeImage(t, local)
	if inspectID(t, local) != "" {
		t.Fatal("image still there after removal")
	}

	res = mustProgress(t, s, plog, "pull-images", map[string]any{"reference": remote, "tlsVerify": false})
	Structured(t, res, &sum)
	if strings.TrimPrefix(sum.ID, "sha256:") != id {
		t.Fatalf("pulled image ID %q, pushed %q: %s", sum.ID, id, Text(res))
	}
	if got := inspectID(t, remote); got != id {
		t.Fatalf("%s is %q after the pull, want %q", remote, got, id)
	}

	t.Run("missing tag", func(t *testing.T) {
		s.MustFail(t, "pull-images", map[string]any{"reference": registry + "/streams/push:nope", "tlsVerify": false},
			"pull-images failed", "manifest unknown")
	})
}

// TestExportLoadImport writes images to files (get and export), then loads and imports
// them back.
func TestExportLoadImport(t *testing.T) {
	needPodman(t)
	plog := &progressLog{}
	s := StartServer(t, ServerOptions{Client: plog.options()})
	second := "localhost/streams-export:2"
	tagImage(t, baseImage, "localhost/streams-export", "2")
	t.Cleanup(func() { removeImage(t, second); removeImage(t, "localhost/streams-imported:1") })
	dir := t.TempDir()

	type fileResult struct {
		Path   string
		Bytes  int64
		Images []string
	}
	// index is the archive's index file: index.json (oci-archive), manifest.json (docker-archive).
	checkFile := func(t *testing.T, res fileResult, want, index string, images ...string) {
		t.Helper()
		fi, err := os.Stat(want)
		if err != nil {
			t.Fatal(err)
		}
		if res.Path != want || res.Bytes != fi.Size() || fi.Size() == 0 {
			t.Fatalf("result %+v, file %s has %d bytes", res, want, fi.Size())
		}
		if fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s has mode %v, want 0600", want, fi.Mode().Perm())
		}
		if !slices.Contains(tarEntries(t, want), index) {
			t.Fatalf("%s has no %s: %v", want, index, tarEntries(t, want))
		}
		for _, img := range images {
			if !slices.Contains(res.Images, img) {
				t.Fatalf("result images %v lack %s", res.Images, img)
			}
		}
		if left := dirNames(t, filepath.Dir(want)); slices.ContainsFunc(left, func(n string) bool { return strings.HasSuffix(n, ".part") }) {
			t.Fatalf("temporary files left: %v", left)
		}
	}

	one := filepath.Join(dir, "one.tar")
	var fr fileResult
	Structured(t, mustProgress(t, s, plog, "export-image", map[string]any{"name": baseImage, "output": one}), &fr)
	checkFile(t, fr, one, "index.json", baseImage)

	t.Run("existing target refused, overwrite replaces", func(t *testing.T) {
		before, _ := os.ReadFile(one)
		s.MustFail(t, "export-image", map[string]any{"name": baseImage, "output": one}, "already exists", "overwrite=true")
		if after, _ := os.ReadFile(one); !bytes.Equal(before, after) {
			t.Fatal("the refused call changed the file")
		}
		os.WriteFile(one, []byte("old content"), 0o644)
		Structured(t, s.MustSucceed(t, "export-image", map[string]any{"name": baseImage, "output": one, "overwrite": true, "format": "docker-archive"}), &fr)
		checkFile(t, fr, one, "manifest.json", baseImage)
	})

	multi := filepath.Join(dir, "multi.tar")
	Structured(t, s.MustSucceed(t, "export-multiple-images", map[string]any{
		"references": []any{baseImage, second}, "output": multi}), &fr) // format: docker-archive by default
	checkFile(t, fr, multi, "manifest.json", baseImage, second)

	t.Run("load", func(t *testing.T) {
		removeImage(t, second) // only the tag: the base image keeps the layers
		res := mustProgress(t, s, plog, "load-image", map[string]any{"upload": multi})
		if !strings.Contains(Text(res), second) {
			t.Fatalf("load result does not name %s: %s", second, Text(res))
		}
		if inspectID(t, second) != inspectID(t, baseImage) {
			t.Fatalf("%s was not loaded back", second)
		}
	})

	t.Run("import", func(t *testing.T) {
		res := mustProgress(t, s, plog, "import-image", map[string]any{
			"upload": busyboxTar, "reference": "localhost/streams-imported:1", "changes": []any{"CMD=/bin/sh", "ENV=A=b"}, "message": "imported"})
		id := inspectID(t, "localhost/streams-imported:1")
		if id == "" || !strings.Contains(Text(res), id) {
			t.Fatalf("import: %s", Text(res))
		}
		_, body, _ := PodmanRaw("GET", "/libpod/images/localhost%2Fstreams-imported:1/json", nil)
		if !strings.Contains(string(body), `"A=b"`) {
			t.Fatalf("changes were not applied: %.400s", body)
		}
	})
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

// TestScpWithoutConnection: Podman's bare "exit status 125" comes with what to configure.
func TestScpWithoutConnection(t *testing.T) {
	needPodman(t)
	s := StartServer(t, ServerOptions{})
	s.MustFail(t, "copy-image-one-host-another", map[string]any{"name": baseImage, "destination": "nowhere::"},
		"HTTP 500", "podman system connection add")
}
