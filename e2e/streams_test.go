package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

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

	one := filepath.Join(dir, "one.tar")
	var fr fileResult
	Structured(t, mustProgress(t, s, plog, "export-image", map[string]any{"name": baseImage, "output": one}), &fr)
	checkExportFile(t, fr, one, "index.json", baseImage)

	t.Run("existing target refused, overwrite replaces", func(t *testing.T) {
		before, _ := os.ReadFile(one)
		s.MustFail(t, "export-image", map[string]any{"name": baseImage, "output": one}, "already exists", "overwrite=true")
		if after, _ := os.ReadFile(one); !bytes.Equal(before, after) {
			t.Fatal("the refused call changed the file")
		}
		os.WriteFile(one, []byte("old content"), 0o644)
		Structured(t, s.MustSucceed(t, "export-image", map[string]any{"name": baseImage, "output": one, "overwrite": true, "format": "docker-archive"}), &fr)
		checkExportFile(t, fr, one, "manifest.json", baseImage)
	})

	multi := filepath.Join(dir, "multi.tar")
	Structured(t, s.MustSucceed(t, "export-multiple-images", map[string]any{
		"references": []any{baseImage, second}, "output": multi}), &fr) // format: docker-archive by default
	checkExportFile(t, fr, multi, "manifest.json", baseImage, second)

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

// fileResult is the answer of a tool that writes a file.
type fileResult struct {
	Path   string
	Bytes  int64
	Images []string
}

// checkExportFile checks a written archive against its tool's answer: the path, the size,
// mode 0600, the index file (index.json for oci-archive, manifest.json for docker-archive),
// the images named, and no temporary file left beside it.
func checkExportFile(t *testing.T, res fileResult, want, index string, images ...string) {
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

// TestScpWithoutConnection: Podman's bare "exit status 125" comes with what to configure.
func TestScpWithoutConnection(t *testing.T) {
	needPodman(t)
	s := StartServer(t, ServerOptions{})
	s.MustFail(t, "copy-image-one-host-another", map[string]any{"name": baseImage, "destination": "nowhere::"},
		"HTTP 500", "podman system connection add")
}
