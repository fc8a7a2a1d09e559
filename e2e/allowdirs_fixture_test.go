package e2e

// The directories, files and symlinks the allowed-directories attacks use, and the
// snapshots that show nothing outside changed.

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// pathFixture: an allowed directory (with a space in its name, so a root URI needs
// percent-encoding), an outside one with files worth stealing or clobbering, and the
// symlinks the escapes use.
type pathFixture struct {
	base, allowed, outside, other string
}

func newPathFixture(t *testing.T) *pathFixture {
	t.Helper()
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f := &pathFixture{base: base, allowed: filepath.Join(base, "allowed dir"), outside: filepath.Join(base, "outside"), other: filepath.Join(base, "other")}
	code, archive, err := PodmanRaw("GET", "/libpod/images/"+url.PathEscape(baseImage)+"/get?format=docker-archive", nil)
	if err != nil || code != 200 {
		t.Fatalf("export the base image: %d %v", code, err)
	}
	rootfs, err := os.ReadFile(busyboxTar)
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{f.allowed, f.outside, f.other} {
		must(t, os.MkdirAll(filepath.Join(dir, "ctx"), 0o755))
		must(t, os.WriteFile(filepath.Join(dir, "img.tar"), archive, 0o600))
		must(t, os.WriteFile(filepath.Join(dir, "rootfs.tar"), rootfs, 0o600))
		must(t, os.WriteFile(filepath.Join(dir, "ctx", "Containerfile"), []byte("FROM scratch\nCOPY . /ctx/\n"), 0o644))
		must(t, os.WriteFile(filepath.Join(dir, "ctx", "data"), []byte("data of "+filepath.Base(dir)), 0o644))
	}
	must(t, os.WriteFile(filepath.Join(f.outside, "victim"), []byte("precious"), 0o600))
	must(t, os.MkdirAll(filepath.Join(f.allowed, "sub"), 0o755))
	for link, target := range map[string]string{
		"linkdir":    f.outside,
		"linkfile":   filepath.Join(f.outside, "img.tar"),
		"victim.tar": filepath.Join(f.outside, "victim"),
	} {
		must(t, os.Symlink(target, filepath.Join(f.allowed, link)))
	}
	// A build context inside with a symlink to a file outside: the link is sent as a
	// link, never the file it points to.
	must(t, os.Symlink(filepath.Join(f.outside, "victim"), filepath.Join(f.allowed, "ctx", "link-out")))
	return f
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// dirSnapshot is every entry below dir with its type, size and content hash.
func dirSnapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		desc := fi.Mode().String()
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			desc += " -> " + l
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			desc += fmt.Sprintf(" %d %x", len(b), sha256.Sum256(b))
		}
		m[p] = desc
		return nil
	})
	must(t, err)
	return m
}

func sameSnapshot(t *testing.T, what string, before, after map[string]string) {
	t.Helper()
	for k, v := range after {
		if before[k] != v {
			t.Errorf("%s: %s changed or appeared: %s (was %q)", what, k, v, before[k])
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			t.Errorf("%s: %s disappeared", what, k)
		}
	}
}

// escape is a call whose path argument must be refused.
type escape struct {
	name, tool, arg string
	args            map[string]any
	want            []string
}

// escapes covers every path argument of the six tools with every way out.
func (f *pathFixture) escapes() []escape {
	out := func() []string { return []string{"outside the allowed directories", f.allowed} }
	var list []escape
	add := func(tool, arg string, base map[string]any, kind string) {
		target := map[string]string{"file": "img.tar", "rootfs": "rootfs.tar", "dir": "ctx", "out": "new.tar"}[kind]
		ways := []struct {
			name, path string
			want       []string
		}{
			{"outside", filepath.Join(f.outside, target), out()},
			{"dot-dot", f.allowed + "/sub/../../outside/" + target, out()},
			{"symlinked-dir", filepath.Join(f.allowed, "linkdir", target), append(out(), "resolves to "+filepath.Join(f.outside, target))},
			{"proc-self-root", "/proc/self/root" + filepath.Join(f.outside, target), out()},
			{"relative", "outside/" + target, []string{"not an absolute path"}},
			{"nul", filepath.Join(f.allowed, target) + "\x00/../../outside/" + target, []string{"NUL"}},
		}
		switch kind {
		case "file", "rootfs":
			ways = append(ways, struct {
				name, path string
				want       []string
			}{"symlink-file", filepath.Join(f.allowed, "linkfile"), out()})
		case "out":
			ways = append(ways, struct {
				name, path string
				want       []string
			}{"symlink-as-output", filepath.Join(f.allowed, "victim.tar"), append(out(), "resolves to "+filepath.Join(f.outside, "victim"))})
		}
		for _, w := range ways {
			args := map[string]any{arg: w.path}
			for k, v := range base {
				args[k] = v
			}
			list = append(list, escape{name: tool + "/" + arg + "/" + w.name, tool: tool, arg: arg, args: args, want: append([]string{`"` + arg + `"`}, w.want...)})
		}
	}
	add("export-image", "output", map[string]any{"name": baseImage, "overwrite": true}, "out")
	add("export-multiple-images", "output", map[string]any{"references": []any{baseImage}, "overwrite": true}, "out")
	add("load-image", "upload", nil, "file")
	add("import-image", "upload", nil, "rootfs")
	add("build-image", "context", map[string]any{"t": "localhost/allowdirs:escape"}, "dir")
	add("create-image-local-build-context", "localcontextdir", nil, "dir")
	add("load-image-local-path", "path", nil, "file")
	// The Containerfile of a build is named inside the context; Podman would read an
	// absolute one (in a JSON array) from its own machine. (More in escapes_build_test.go.)
	for i, df := range []string{`["` + filepath.Join(f.outside, "img.tar") + `"]`, filepath.Join(f.outside, "img.tar"), "../../outside/img.tar", `["ok", "../x"]`} {
		list = append(list, escape{name: fmt.Sprintf("build-image/dockerfile/%d", i), tool: "build-image", arg: "dockerfile",
			args: map[string]any{"context": filepath.Join(f.allowed, "ctx"), "dockerfile": df, "t": "localhost/allowdirs:escape"},
			want: []string{`"dockerfile"`, "build context"}})
	}
	for i, df := range []string{filepath.Join(f.outside, "img.tar"), f.allowed + "/ctx/../../outside/img.tar", filepath.Join(f.allowed, "linkdir", "img.tar"),
		filepath.Join(f.allowed, "linkfile"), "../../outside/img.tar", `["` + filepath.Join(f.outside, "img.tar") + `"]`} {
		list = append(list, escape{name: fmt.Sprintf("create-image-local-build-context/dockerfile/%d", i), tool: "create-image-local-build-context", arg: "dockerfile",
			args: map[string]any{"localcontextdir": filepath.Join(f.allowed, "ctx"), "dockerfile": df},
			want: []string{`"dockerfile"`, "must be a path inside the build context"}})
	}
	return list
}

func (f *pathFixture) runEscapes(t *testing.T, s *Server) {
	t.Helper()
	before := dirSnapshot(t, f.outside)
	beforeOther := dirSnapshot(t, f.other)
	images := imageIDs(t)
	for _, e := range f.escapes() {
		t.Run(e.name, func(t *testing.T) {
			s.MustFail(t, e.tool, e.args, e.want...)
		})
	}
	sameSnapshot(t, "outside", before, dirSnapshot(t, f.outside))
	sameSnapshot(t, "other", beforeOther, dirSnapshot(t, f.other))
	if imageExists(t, "localhost/allowdirs:escape") {
		t.Error("a refused build made an image")
	}
	// Nothing outside was read into Podman: no image was loaded, imported or built.
	if after := imageIDs(t); !slices.Equal(images, after) {
		t.Errorf("images changed during the refused calls: %q -> %q", images, after)
	}
}

// imageIDs lists the IDs of every image in the test Podman, sorted.
func imageIDs(t *testing.T) []string {
	t.Helper()
	code, body, err := PodmanRaw("GET", "/libpod/images/json?all=true", nil)
	if err != nil || code != 200 {
		t.Fatalf("list images: %d %v", code, err)
	}
	var list []struct{ Id string }
	must(t, json.Unmarshal(body, &list))
	ids := make([]string, len(list))
	for i, im := range list {
		ids[i] = im.Id
	}
	slices.Sort(ids)
	return ids
}

// runInside: every path argument works inside the allowed directory (the Podman-host
// tools pass the path check and then need a newer Podman than the test one).
func (f *pathFixture) runInside(t *testing.T, s *Server, dir string) {
	t.Helper()
	outPath := filepath.Join(dir, "out-"+strings.ReplaceAll(t.Name(), "/", "-")+".tar")
	s.MustSucceed(t, "export-image", map[string]any{"name": baseImage, "output": outPath})
	if fi, err := os.Stat(outPath); err != nil || fi.Size() == 0 {
		t.Fatalf("export inside: %v", err)
	}
	s.MustSucceed(t, "export-multiple-images", map[string]any{"references": []any{baseImage}, "output": outPath + ".multi"})
	s.MustSucceed(t, "load-image", map[string]any{"upload": filepath.Join(dir, "img.tar")})
	tag := "localhost/allowdirs-inside:" + fmt.Sprint(len(t.Name()))
	s.MustSucceed(t, "import-image", map[string]any{"upload": filepath.Join(dir, "rootfs.tar"), "reference": tag})
	t.Cleanup(func() { untagName(tag) })
	s.MustSucceed(t, "build-image", map[string]any{"context": filepath.Join(dir, "ctx"), "dockerfile": "Containerfile", "t": tag + "b"})
	t.Cleanup(func() { untagName(tag + "b") })
	for _, c := range []struct {
		tool string
		args map[string]any
	}{
		{"create-image-local-build-context", map[string]any{"localcontextdir": filepath.Join(dir, "ctx"), "dockerfile": filepath.Join(dir, "ctx", "Containerfile")}},
		{"load-image-local-path", map[string]any{"path": filepath.Join(dir, "img.tar")}},
	} {
		if podmanVer >= "5.6" {
			s.MustSucceed(t, c.tool, c.args)
		} else {
			s.MustFail(t, c.tool, c.args, "needs Podman 5.7.0 or later")
		}
	}
}
