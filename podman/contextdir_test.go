package podman

import (
	"archive/tar"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestContextTarHonoursIgnoreFile(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"Containerfile":      "FROM scratch\n",
		".containerignore":   "# comment\n*.log\n!keep.log\nsecret*\n**/tmp\nbuild/\n!build/out.bin\nContainerfile\n",
		".dockerignore":      "*\n", // .containerignore wins
		"a.log":              "x",
		"keep.log":           "x",
		"secret.txt":         "x",
		"src/main.go":        "x",
		"src/deep/tmp/t":     "x",
		"tmp/x":              "x",
		"build/obj.o":        "x",
		"build/out.bin":      "x",
		"src/notes.log":      "x", // *.log is anchored at the top: kept
		"src/secret-not-top": "x",
	} {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rc, err := tarDirectory(dir, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var files []string
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			files = append(files, h.Name)
		}
	}
	slices.Sort(files)
	want := []string{".containerignore", ".dockerignore", "Containerfile", "build/out.bin", "keep.log", "src/main.go", "src/notes.log", "src/secret-not-top"}
	if !slices.Equal(files, want) {
		t.Fatalf("sent %s\nwant %s", strings.Join(files, " "), strings.Join(want, " "))
	}
}

// Symlinks in a context are sent as links, never followed out of it.
func TestContextTarKeepsSymlinksAsLinks(t *testing.T) {
	base := t.TempDir()
	dir, outside := filepath.Join(base, "ctx"), filepath.Join(base, "outside")
	for _, d := range []string{dir, outside} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(outside, "secret"), []byte("secret"), 0o600)
	os.WriteFile(filepath.Join(dir, "Containerfile"), []byte("FROM scratch\n"), 0o644)
	os.Symlink(filepath.Join(outside, "secret"), filepath.Join(dir, "link-file"))
	os.Symlink(outside, filepath.Join(dir, "link-dir"))
	rc, err := tarDirectory(dir, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got := map[string]string{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got[h.Name] = string(h.Typeflag) + " " + h.Linkname
		if b, _ := io.ReadAll(tr); strings.Contains(string(b), "secret") {
			t.Fatalf("%s carries the outside file's content", h.Name)
		}
	}
	want := map[string]string{
		"Containerfile": string(tar.TypeReg) + " ",
		"link-file":     string(tar.TypeSymlink) + " " + filepath.Join(outside, "secret"),
		"link-dir":      string(tar.TypeSymlink) + " " + outside,
	}
	if len(got) != len(want) {
		t.Fatalf("entries %q, want %q", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("%s: %q, want %q (all: %q)", k, got[k], v, got)
		}
	}
}
