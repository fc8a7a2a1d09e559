package allowdirs

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// tree makes allowed/ and outside/ with a file in each and the symlinks the escapes use.
func tree(t *testing.T) (allowed, outside string, d Dirs) {
	t.Helper()
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	allowed, outside = filepath.Join(base, "allowed"), filepath.Join(base, "outside")
	for _, dir := range []string{allowed, outside, filepath.Join(allowed, "sub")} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{filepath.Join(allowed, "in.tar"), filepath.Join(outside, "secret")} {
		if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{
		"linkdir":  outside,                            // a directory inside pointing outside
		"linkfile": filepath.Join(outside, "secret"),   // a file inside pointing outside
		"inlink":   filepath.Join(allowed, "in.tar"),   // a link that stays inside
		"dangling": filepath.Join(outside, "new-file"), // an output name that points outside
	} {
		if err := os.Symlink(target, filepath.Join(allowed, link)); err != nil {
			t.Fatal(err)
		}
	}
	d, err = Resolve([]string{allowed})
	if err != nil {
		t.Fatal(err)
	}
	return allowed, outside, d
}

func TestCheck(t *testing.T) {
	allowed, outside, d := tree(t)
	for _, tc := range []struct {
		name, path string
		want       string // resolved path, or "" for a refusal
		err        string
	}{
		{name: "inside", path: filepath.Join(allowed, "in.tar"), want: filepath.Join(allowed, "in.tar")},
		{name: "new file inside", path: filepath.Join(allowed, "sub", "new.tar"), want: filepath.Join(allowed, "sub", "new.tar")},
		{name: "the directory itself", path: allowed, want: allowed},
		{name: "link that stays inside", path: filepath.Join(allowed, "inlink"), want: filepath.Join(allowed, "in.tar")},
		{name: "dot-dot", path: allowed + "/sub/../../outside/secret", err: "outside the allowed directories"},
		{name: "dot-dot to a sibling with the same prefix", path: allowed + "/../allowed-not/x", err: "outside the allowed directories"},
		{name: "symlinked directory", path: filepath.Join(allowed, "linkdir", "secret"), err: "resolves to " + filepath.Join(outside, "secret")},
		{name: "symlinked directory, new file", path: filepath.Join(allowed, "linkdir", "new"), err: "resolves to " + filepath.Join(outside, "new")},
		{name: "symlink as the file", path: filepath.Join(allowed, "linkfile"), err: "outside the allowed directories"},
		{name: "proc self root", path: "/proc/self/root" + outside + "/secret", err: "outside the allowed directories"},
		{name: "relative", path: "allowed/in.tar", err: "not an absolute path"},
		{name: "NUL", path: allowed + "/in.tar\x00/../../etc/passwd", err: "NUL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "proc self root" && runtime.GOOS != "linux" {
				t.Skip("no /proc")
			}
			got, err := d.Check(tc.path)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Check(%q) = %q, %v; want an error with %q", tc.path, got, err, tc.err)
				}
				var oe *OutsideError
				if strings.Contains(tc.err, "outside") && (!errors.As(err, &oe) || !strings.Contains(err.Error(), allowed)) {
					t.Fatalf("error %v does not name the allowed directory", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Check(%q) = %q, %v; want %q", tc.path, got, err, tc.want)
			}
		})
	}
}

func TestNoRuleAllowsAnyAbsolutePath(t *testing.T) {
	_, outside, _ := tree(t)
	if _, err := Dirs(nil).Check(filepath.Join(outside, "secret")); err != nil {
		t.Fatal(err)
	}
	if _, err := Dirs(nil).Check("rel"); err == nil {
		t.Fatal("a relative path is refused even without a rule")
	}
}

func TestFromRootURIs(t *testing.T) {
	base, _ := filepath.EvalSymlinks(t.TempDir())
	spaced := filepath.Join(base, "my dir")
	os.Mkdir(spaced, 0o755)
	dirs, ignored := FromRootURIs([]string{
		"file://" + strings.ReplaceAll(spaced, " ", "%20"),
		"file://localhost" + base + "/a%2Fb", // an encoded slash is part of one name
		"https://example.com/x",
		"file://otherhost/x",
		"file:relative",
	})
	if len(dirs) != 2 || dirs[0] != spaced || dirs[1] != base+"/a/b" {
		t.Fatalf("dirs %q", dirs)
	}
	if len(ignored) != 3 {
		t.Fatalf("ignored %q", ignored)
	}
}

// A directory swapped for a symlink after the check is caught where the file is
// opened: the opened file's real path is checked again.
func TestOpenCatchesASwapAfterTheCheck(t *testing.T) {
	allowed, outside, d := tree(t)
	sub := filepath.Join(allowed, "swap")
	os.Mkdir(sub, 0o755)
	os.WriteFile(filepath.Join(sub, "secret"), []byte("ok"), 0o600)
	path := filepath.Join(sub, "secret")
	resolved, err := d.Check(path)
	if err != nil {
		t.Fatal(err)
	}
	// The swap: the checked directory becomes a link to the outside one.
	os.RemoveAll(sub)
	if err := os.Symlink(outside, sub); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(resolved) // what a check-then-open would read
	if err != nil {
		t.Fatal(err)
	}
	err = d.verifyOpened(f, resolved)
	f.Close()
	var oe *OutsideError
	if !errors.As(err, &oe) || oe.Resolved != filepath.Join(outside, "secret") {
		t.Fatalf("verifyOpened after the swap: %v; want it outside at %s", err, filepath.Join(outside, "secret"))
	}
	if _, _, err := d.OpenFile(path); err == nil {
		t.Fatal("OpenFile followed the swapped link outside")
	}
	// A Root opened before the swap stays on the checked directory.
	os.Remove(sub)
	os.Mkdir(sub, 0o755)
	root, _, err := d.OpenRoot(sub)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	os.Rename(sub, sub+".old")
	os.Symlink(outside, sub)
	if _, err := root.Open("secret"); err == nil {
		t.Fatal("the Root followed the swapped directory outside")
	}
}

func TestOpenParent(t *testing.T) {
	allowed, _, d := tree(t)
	for _, tc := range []struct{ name, path, err string }{
		{name: "new file", path: filepath.Join(allowed, "sub", "out.tar")},
		{name: "dangling link to outside", path: filepath.Join(allowed, "dangling")},
		{name: "link to outside file", path: filepath.Join(allowed, "linkfile"), err: "outside"},
		{name: "missing directory", path: filepath.Join(allowed, "nope", "out.tar"), err: "does not exist"},
		{name: "through a linked directory", path: filepath.Join(allowed, "linkdir", "out.tar"), err: "outside"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, name, _, err := d.OpenParent(tc.path)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("OpenParent(%q): %v; want %q", tc.path, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			root.Close()
			if name != filepath.Base(tc.path) {
				t.Fatalf("name %q", name)
			}
		})
	}
}
