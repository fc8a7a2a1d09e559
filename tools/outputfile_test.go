package tools

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// commitCase is what is at the output's path at the check and meanwhile, and what
// committing the output comes to.
type commitCase struct {
	name      string
	before    bool              // a file is there at the check (and approved)
	meanwhile func(path string) // what happens while the output is written
	overwrite bool              // overwrite=true
	approve   bool              // approve what commit reports as taken
	want      string            // "" committed; else the error's text
	taken     bool              // a *takenError
	content   string            // at the path afterwards
}

var commitCases = []commitCase{
	{name: "new file", overwrite: true, content: "output"},
	{name: "appeared, not overwrite", meanwhile: write("theirs"), want: "was created by someone else meanwhile", content: "theirs"},
	{name: "appeared, overwrite, not approved", overwrite: true, meanwhile: write("theirs"), taken: true, content: "theirs"},
	{name: "appeared, overwrite, then approved", overwrite: true, meanwhile: write("theirs"), approve: true, content: "output"},
	{name: "approved, unchanged", before: true, overwrite: true, content: "output"},
	{name: "approved, changed", before: true, overwrite: true, meanwhile: write("changed!"), taken: true, content: "changed!"},
	{name: "approved, swapped for a symlink", before: true, overwrite: true, meanwhile: func(p string) { os.Remove(p); os.Symlink("/etc/passwd", p) }, taken: true},
}

// The overwrite decision is made when the file takes its name: something that appeared
// there since the check is never replaced unasked, an approval counts only for the file
// it was given for (unchanged), and a replaced file keeps its mode.
func TestCommitDecidesOverwrite(t *testing.T) {
	for _, tc := range commitCases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.tar")
			var approved *existing
			if tc.before {
				must(t, os.WriteFile(path, []byte("old"), 0o640))
				ex, ok := existingOutput(path, nil)
				if !ok || ex.Kind != "file" || ex.Size != 3 {
					t.Fatalf("existingOutput: %+v %v", ex, ok)
				}
				approved = &ex
			}
			out, err := createOutputFile(path, tc.overwrite, nil)
			must(t, err)
			defer out.abort()
			out.approve(approved)
			io.WriteString(out, "output")
			if b, _ := io.ReadAll(out.written()); string(b) != "output" {
				t.Fatalf("Written: %q", b)
			}
			if tc.meanwhile != nil {
				time.Sleep(10 * time.Millisecond) // a new mtime even on coarse clocks
				tc.meanwhile(path)
			}
			err = out.commit()
			var taken *takenError
			if errors.As(err, &taken) && tc.approve {
				out.approve(&taken.existing)
				err = out.commit()
			}
			switch {
			case tc.taken:
				if !errors.As(err, &taken) {
					t.Fatalf("Commit: %v, want a *takenError", err)
				}
				out.abort()
			case tc.want != "":
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("Commit: %v, want %q", err, tc.want)
				}
			case err != nil:
				t.Fatalf("Commit: %v", err)
			}
			if tc.content != "" {
				b, err := os.ReadFile(path)
				if err != nil || string(b) != tc.content {
					t.Fatalf("%s holds %q (%v), want %q", path, b, err, tc.content)
				}
			}
			if tc.before && tc.content == "output" {
				if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
					t.Fatalf("the replaced file's mode is %v, want 0640", fi.Mode().Perm())
				}
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if e.Name() != "out.tar" {
					t.Errorf("left behind: %s", e.Name())
				}
			}
		})
	}
}

func write(content string) func(string) {
	return func(p string) { os.WriteFile(p, []byte(content), 0o600) }
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
