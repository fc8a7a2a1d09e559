package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// TestStreamBadPaths: paths on this machine that cannot be used give clear errors before
// anything is sent, and leave nothing behind.
func TestStreamBadPaths(t *testing.T) {
	needPodman(t)
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing.tar")
	os.WriteFile(existing, []byte("x"), 0o600)
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	notDir := filepath.Join(dir, "file-not-dir")
	os.WriteFile(notDir, []byte("x"), 0o600)

	// No permission: a file nobody may read, a directory nobody may write, a context
	// with an unreadable file. Root bypasses file modes, so as root the server runs
	// without the capabilities that do (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH).
	locked := filepath.Join(dir, "locked.tar")
	os.WriteFile(locked, []byte("x"), 0o000)
	roDir := filepath.Join(dir, "readonly")
	os.Mkdir(roDir, 0o555)
	ctxLocked := filepath.Join(dir, "ctx-locked")
	writeFiles(t, ctxLocked, map[string]string{"Containerfile": "FROM " + baseImage + "\n", "unreadable": "x"})
	os.Chmod(filepath.Join(ctxLocked, "unreadable"), 0o000)
	t.Cleanup(func() { os.Chmod(roDir, 0o755) })

	opts := ServerOptions{}
	if os.Geteuid() == 0 {
		setpriv, err := exec.LookPath("setpriv")
		if err != nil {
			t.Fatal("setpriv (util-linux) is needed to test permission errors as root")
		}
		opts.Wrap = []string{setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--"}
	}
	s := StartServer(t, opts)

	cases := []struct {
		name string
		tool string
		args map[string]any
		want []string
	}{
		{"load: missing file", "load-image", map[string]any{"upload": filepath.Join(dir, "nope.tar")}, []string{`argument "upload"`, "no such file or directory"}},
		{"load: a directory", "load-image", map[string]any{"upload": dir}, []string{"is a directory"}},
		{"load: relative path", "load-image", map[string]any{"upload": "some.tar"}, []string{"not an absolute path"}},
		{"load: a FIFO", "load-image", map[string]any{"upload": fifo}, []string{"not a regular file"}},
		{"load: no permission", "load-image", map[string]any{"upload": locked}, []string{"permission denied"}},
		{"import: no permission", "import-image", map[string]any{"upload": locked}, []string{"permission denied"}},
		{"import: neither upload nor url", "import-image", map[string]any{"reference": "localhost/x:1"}, []string{`give one of "upload", "url"`}},
		{"export: directory missing", "export-image", map[string]any{"name": baseImage, "output": filepath.Join(dir, "no-dir", "x.tar")}, []string{"does not exist"}},
		{"export: output exists", "export-image", map[string]any{"name": baseImage, "output": existing}, []string{"already exists", "overwrite=true"}},
		{"export: output is a directory", "export-image", map[string]any{"name": baseImage, "output": dir, "overwrite": true}, []string{"is a directory"}},
		{"export: parent is a file", "export-image", map[string]any{"name": baseImage, "output": filepath.Join(notDir, "x.tar")}, []string{"is not a directory"}},
		{"export: relative path", "export-image", map[string]any{"name": baseImage, "output": "x.tar"}, []string{"not an absolute path"}},
		{"export: directory not writable", "export-multiple-images", map[string]any{"references": []any{baseImage}, "output": filepath.Join(roDir, "x.tar")}, []string{"cannot write in", "permission denied"}},
		{"build: context missing", "build-image", map[string]any{"context": filepath.Join(dir, "no-ctx")}, []string{"no such file or directory"}},
		{"build: context is a file", "build-image", map[string]any{"context": notDir}, []string{"is not a directory"}},
		{"build: unreadable file in context", "build-image", map[string]any{"context": ctxLocked, "t": "localhost/streams-locked:1"}, []string{"unreadable", "permission denied"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := s.MustFail(t, c.tool, c.args, c.want...)
			t.Log(Text(res))
		})
	}
	if b, _ := os.ReadFile(existing); string(b) != "x" {
		t.Fatal("a refused export changed the existing file")
	}
	if left := dirNames(t, roDir); len(left) != 0 {
		t.Fatalf("files left in %s: %v", roDir, left)
	}
}
