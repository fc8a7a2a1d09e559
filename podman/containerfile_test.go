package podman

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The Containerfiles a build reads are found as Podman finds them: a plain path, or a
// JSON array (entries joined with the context from Podman 4.6.0; before, read from the
// service's working directory).
func TestContainerfilePaths(t *testing.T) {
	for _, tc := range []struct {
		v, hostContext, version string
		want                    []string // nil: refused
	}{
		{v: "", want: defaultContainerfiles},
		{v: "Containerfile", want: []string{"Containerfile"}},
		{v: "docker/Dockerfile.prod", want: []string{"docker/Dockerfile.prod"}},
		{v: "./a/../Containerfile", want: []string{"Containerfile"}},
		{v: `["Containerfile", "extra/Containerfile"]`, version: "5.8.2", want: []string{"Containerfile", "extra/Containerfile"}},
		{v: `["Containerfile"]`, version: "4.6.0", want: []string{"Containerfile"}},
		{v: `["Containerfile"]`, version: "4.3.1"},
		{v: `["Containerfile"]`},
		{v: `[]`, version: "4.3.1", want: defaultContainerfiles},
		{v: `["https://example.com/Containerfile"]`, version: "5.8.2", want: nil},
		{v: `[1]`, want: []string{"[1]"}}, // not an array of strings: Podman takes it as a path
		{v: "/etc/passwd"},
		{v: "../outside"},
		{v: "a/../../outside"},
		{v: ".."},
		{v: `["/etc/passwd"]`, version: "5.8.2"},
		{v: `["ok", "../x"]`, version: "5.8.2"},
		{v: "a\x00b"},
		{v: "/ctx/sub/Containerfile", hostContext: "/ctx", want: []string{"sub/Containerfile"}},
		{v: "/other/Containerfile", hostContext: "/ctx"},
		{v: `["/ctx/Containerfile", "b"]`, hostContext: "/ctx", want: []string{"Containerfile", "b"}},
	} {
		got, err := containerfilePaths(tc.v, tc.hostContext, func() string { return tc.version })
		refused := tc.want == nil && !strings.Contains(tc.v, "https://")
		if refused {
			var ce *containerfileError
			if !errors.As(err, &ce) {
				t.Errorf("containerfilePaths(%q, %q, %q) = %q, %v; want a *containerfileError", tc.v, tc.hostContext, tc.version, got, err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("containerfilePaths(%q, %q, %q) = %q, %v; want %q", tc.v, tc.hostContext, tc.version, got, err, tc.want)
		}
	}
}

// A Containerfile that is a symlink, or lies under a symlinked directory, is refused;
// a real one, or one that does not exist (Podman says so), passes.
func TestCheckContainerfiles(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret"), []byte("FROM scratch\n"), 0o600)
	os.MkdirAll(filepath.Join(dir, "real"), 0o755)
	os.WriteFile(filepath.Join(dir, "real", "Containerfile"), []byte("FROM scratch\n"), 0o644)
	os.Symlink(filepath.Join(outside, "secret"), filepath.Join(dir, "Containerfile"))
	os.Symlink(outside, filepath.Join(dir, "linked"))
	os.Symlink("real", filepath.Join(dir, "inlink"))
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	for _, tc := range []struct {
		names []string
		ok    bool
	}{
		{[]string{"real/Containerfile"}, true},
		{[]string{"missing/Containerfile"}, true},
		{[]string{"Dockerfile"}, true},
		{defaultContainerfiles, false},
		{[]string{"linked/secret"}, false},
		{[]string{"inlink/Containerfile"}, false}, // even one that stays inside: Podman resolves it on its machine
	} {
		err := checkContainerfiles(root, tc.names)
		var ce *containerfileError
		if tc.ok != (err == nil) || (err != nil && !errors.As(err, &ce)) {
			t.Errorf("checkContainerfiles(%q) = %v, want ok=%v", tc.names, err, tc.ok)
		}
	}
}

// Additional build contexts are read in both of Podman's forms.
func TestAdditionalBuildContexts(t *testing.T) {
	got := additionalBuildContexts([]string{
		`{"x":{"Value":"/etc"},"i":{"isimage":true,"value":"busybox"},"u":{"IsURL":true,"Value":"https://h/c.tar","DownloadedCache":"/var"}}`,
		"a=url:https://h/a.tar", "b=image:busybox", "c=localpath:/srv/../etc", "d=/etc", "e", `{bad`,
	})
	want := []buildContext{
		{Name: "i", Kind: contextImage, Value: "busybox"},
		{Name: "u", Kind: contextURL, Value: "https://h/c.tar"},
		{Name: "u", Kind: contextPath, Value: "/var"},
		{Name: "x", Kind: contextPath, Value: "/etc"},
		{Name: "a", Kind: contextURL, Value: "https://h/a.tar"},
		{Name: "b", Kind: contextImage, Value: "busybox"},
		{Name: "c", Kind: contextPath, Value: "/etc"},
		{Name: "d", Kind: contextUnknown, Value: "/etc"},
		{Name: "e", Kind: contextUnknown},
		{Kind: contextUnknown, Value: "{bad"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		g := got[i]
		g.Item = ""
		if g != want[i] {
			t.Errorf("item %d: %+v, want %+v", i, g, want[i])
		}
	}
}
