package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The escapes a red team found past the allowed directories (issue "Close the escapes"),
// each written as the attack: what lies outside is the same afterwards (checksums), the
// call answers a clear isError, and nothing is left behind. One file per way out:
// escapes_remote_test.go (arguments Podman reads as its own paths), escapes_build_test.go
// (build contexts and Containerfiles), escapes_overwrite_test.go (files swapped or created
// during a call), escapes_roots_test.go (roots, settings and errors).

// noImageChange fails the test when the images in the test Podman changed since before.
func noImageChange(t *testing.T, before []string) {
	t.Helper()
	if after := imageIDs(t); !slices.Equal(before, after) {
		t.Errorf("images changed during the refused calls: %q -> %q", before, after)
	}
}

// Podman 4.3.1 takes a `remote` that is not a URL as a downloaded context and, when the
// build ends, deletes the directory above it; it also builds from that directory, so
// files outside the allowed directories end up in an image. A local path there is
// refused whatever the rule, naming the argument that takes local files.
func TestRemoteLocalPathDeletesNothing(t *testing.T) {
	needPodman(t)
	base, err := filepath.EvalSymlinks(t.TempDir())
	must(t, err)
	app := filepath.Join(base, "projects", "app")
	writeFiles(t, app, map[string]string{
		"x/Containerfile": "FROM " + baseImage + "\nCOPY . /stolen/\n",
		"x/secret":        "the person's data",
		"README":          "keep me",
		"src/main.go":     "package main\n",
	})
	before, images := dirSnapshot(t, base), imageIDs(t)
	for _, rule := range []struct {
		name string
		args []string
	}{{"no rule", nil}, {"rule", []string{"--allowed-dirs", base}}} {
		t.Run(rule.name, func(t *testing.T) {
			s := StartServer(t, ServerOptions{Args: rule.args})
			for _, remote := range []string{
				filepath.Join(app, "x"), // the attack that deletes app/
				"projects/app/x",        // relative: the service's working directory
				"file://" + filepath.Join(app, "x"),
				"HTTP://example.com/x.tar", // Podman's prefixes are case-sensitive: this is a path to it
				"-",                        // the service's stdin
				filepath.Join(app, "missing"),
			} {
				for tool, files := range map[string]string{"build-image": "context", "create-image-local-build-context": "localcontextdir"} {
					args := map[string]any{"remote": remote, "t": "localhost/escape-remote:1"}
					if tool == "create-image-local-build-context" {
						args["localcontextdir"] = filepath.Join(app, "x")
					}
					t.Run(tool+"/"+remote, func(t *testing.T) {
						s.MustFail(t, tool, args, `argument "remote" takes a URL`, "http://, https://, git://, github.com/",
							"would read it as a path on its own machine", `use "`+files+`"`, "Nothing was sent")
					})
				}
			}
		})
	}
	sameSnapshot(t, "the projects", before, dirSnapshot(t, base))
	noImageChange(t, images)
}

// import-image's `url` is downloaded when it is a URL and otherwise opened as a file on
// the Podman host (relative: in the service's working directory).
func TestImportURLLocalPath(t *testing.T) {
	needPodman(t)
	f := newPathFixture(t)
	before, images := dirSnapshot(t, f.outside), imageIDs(t)
	for _, rule := range [][]string{nil, {"--allowed-dirs", f.allowed}} {
		s := StartServer(t, ServerOptions{Args: rule})
		for _, u := range []string{filepath.Join(f.outside, "rootfs.tar"), "rootfs.tar", "file://" + filepath.Join(f.outside, "rootfs.tar"), "git://h/x"} {
			t.Run(fmt.Sprint(len(rule))+"/"+u, func(t *testing.T) {
				s.MustFail(t, "import-image", map[string]any{"url": u, "reference": "localhost/escape-url:1"},
					`argument "url" takes a URL`, "http://, https://", `use "upload"`)
			})
		}
		// A URL is still downloaded by Podman.
		rootfs, err := os.ReadFile(busyboxTar)
		must(t, err)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(rootfs) }))
		s.MustSucceed(t, "import-image", map[string]any{"url": srv.URL + "/rootfs.tar", "reference": "localhost/escape-url:ok"})
		srv.Close()
		if !imageExists(t, "localhost/escape-url:ok") {
			t.Fatal("the import from a URL made no image")
		}
		PodmanRaw("DELETE", "/libpod/images/"+url.PathEscape("localhost/escape-url:ok"), nil)
	}
	sameSnapshot(t, "outside", before, dirSnapshot(t, f.outside))
	noImageChange(t, images)
}
