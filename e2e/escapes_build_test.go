package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// additionalbuildcontexts: a local path (Podman 4's JSON {"x":{"Value":"/etc"}}, or 5's
// x=localpath:/etc) with `COPY --from=x` copies files from anywhere into the image.
// Directories are held to the rule; a URL value must be a URL, rule or no rule; an image
// passes.
func TestAdditionalBuildContextsOutside(t *testing.T) {
	needPodman(t)
	f := newPathFixture(t)
	ctx := filepath.Join(f.allowed, "abc")
	writeFiles(t, ctx, map[string]string{"Containerfile": "FROM " + baseImage + "\nCOPY --from=x victim /stolen\n"})
	before, images := dirSnapshot(t, f.outside), imageIDs(t)
	s := StartServer(t, ServerOptions{Args: []string{"--allowed-dirs", f.allowed}})
	outside := []string{"outside the allowed directories", f.allowed}
	for i, tc := range []struct {
		item string
		want []string
	}{
		{`{"x":{"Value":"` + f.outside + `"}}`, outside},
		{`{"x":{"value":"` + f.allowed + `/linkdir"}}`, append(outside, "resolves to "+f.outside)},
		{`{"x":{"IsURL":true,"Value":"http://127.0.0.1:1/x.tar","DownloadedCache":"` + f.outside + `"}}`, outside},
		{`{"x":{"Value":"outside"}}`, []string{"not an absolute path"}},
		{"x=localpath:" + f.outside, outside},
		{"x=localpath:" + f.allowed + "/../outside", outside},
		{`{"x":{"IsURL":true,"Value":"` + f.outside + `"}}`, []string{"takes a URL"}},
		{"x=url:" + f.outside, []string{"takes a URL"}},
		{"x=" + f.outside, []string{"is neither an image, a URL nor a directory"}},
		{`{"x":`, []string{"is neither an image, a URL nor a directory"}},
	} {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			s.MustFail(t, "build-image", map[string]any{"context": ctx, "t": "localhost/escape-abc:1", "additionalbuildcontexts": []any{tc.item}},
				append([]string{`"additionalbuildcontexts"`}, tc.want...)...)
		})
	}
	// A URL value that is a path is refused without a rule too: Podman would read it
	// from its working directory.
	plain := StartServer(t, ServerOptions{})
	plain.MustFail(t, "build-image", map[string]any{"context": ctx, "t": "localhost/escape-abc:1", "additionalbuildcontexts": []any{"x=url:etc"}}, `"additionalbuildcontexts" takes a URL`)
	sameSnapshot(t, "outside", before, dirSnapshot(t, f.outside))
	noImageChange(t, images)

	// An image passes, in the form the running Podman reads.
	item := "x=image:" + baseImage
	if podmanVer < "5" {
		item = `{"x":{"IsImage":true,"Value":"` + baseImage + `"}}`
	}
	writeFiles(t, ctx, map[string]string{"Containerfile": "FROM " + baseImage + "\nCOPY --from=x /bin/busybox /bb\n"})
	s.MustSucceed(t, "build-image", map[string]any{"context": ctx, "t": "localhost/escape-abc:image", "additionalbuildcontexts": []any{item}})
	t.Cleanup(func() { untagName("localhost/escape-abc:image") })
}

// Podman reads a Containerfile outside the context: one in the context that is a symlink
// (Podman unpacks the link and follows it on its own machine), one under a symlinked
// directory, one named in a JSON array that Podman 4.3.1 reads from its own working
// directory. Under a rule, each is refused before anything is sent.
func TestContainerfileOutsideContext(t *testing.T) {
	needPodman(t)
	f := newPathFixture(t)
	evil := filepath.Join(f.outside, "evil.Containerfile")
	must(t, os.WriteFile(evil, []byte("FROM "+baseImage+"\nLABEL stolen=yes\n"), 0o600))
	mk := func(name string, links map[string]string, files map[string]string) string {
		dir := filepath.Join(f.allowed, name)
		must(t, os.MkdirAll(dir, 0o755))
		writeFiles(t, dir, files)
		for l, target := range links {
			must(t, os.Symlink(target, filepath.Join(dir, l)))
		}
		return dir
	}
	linkedCf := mk("linked-cf", map[string]string{"Containerfile": evil}, nil)
	linkedDf := mk("linked-df", map[string]string{"Dockerfile": evil}, nil)
	linkedDir := mk("linked-dir", map[string]string{"sub": f.outside}, map[string]string{"Containerfile": "FROM " + baseImage + "\n"})
	inLink := mk("in-link", map[string]string{"Containerfile": "real.cf"}, map[string]string{"real.cf": "FROM " + baseImage + "\n"})
	good := mk("good", nil, map[string]string{"Containerfile": "FROM " + baseImage + "\nLABEL good=yes\n"})
	before, images := dirSnapshot(t, f.outside), imageIDs(t)
	s := StartServer(t, ServerOptions{Args: []string{"--allowed-dirs", f.allowed}})
	array := `["Containerfile", "sub/evil.Containerfile"]`
	arrayWant := []string{`"dockerfile"`, "under \"sub\", a symbolic link"}
	if podmanVer < "4.6" {
		arrayWant = []string{`"dockerfile"`, "is a JSON array", "from its own working directory"}
	}
	for _, tc := range []struct {
		name string
		tool string
		args map[string]any
		want []string
	}{
		{"Containerfile is a symlink", "build-image", map[string]any{"context": linkedCf}, []string{`argument "context"`, `"Containerfile" is a symbolic link (to ` + evil + `)`}},
		{"Dockerfile is a symlink", "build-image", map[string]any{"context": linkedDf}, []string{`argument "context"`, `"Dockerfile" is a symbolic link`}},
		{"named under a symlinked directory", "build-image", map[string]any{"context": linkedDir, "dockerfile": "sub/evil.Containerfile"}, []string{`argument "dockerfile"`, `under "sub", a symbolic link`}},
		{"a JSON array", "build-image", map[string]any{"context": linkedDir, "dockerfile": array}, arrayWant},
		{"a link that stays inside", "build-image", map[string]any{"context": inLink}, []string{`"Containerfile" is a symbolic link (to real.cf)`}},
		{"absolute", "build-image", map[string]any{"context": good, "dockerfile": evil}, []string{`argument "dockerfile"`, "must be a relative path inside the build context"}},
		{"climbing out", "build-image", map[string]any{"context": good, "dockerfile": "../../outside/evil.Containerfile"}, []string{`argument "dockerfile"`, "must be a path inside the build context"}},
		{"local build: Containerfile is a symlink", "create-image-local-build-context", map[string]any{"localcontextdir": linkedCf}, []string{`argument "localcontextdir"`, `"Containerfile" is a symbolic link`}},
		{"local build: outside the context", "create-image-local-build-context", map[string]any{"localcontextdir": good, "dockerfile": evil}, []string{`argument "dockerfile"`, "must be a path inside the build context"}},
		{"local build: under a symlinked directory", "create-image-local-build-context", map[string]any{"localcontextdir": linkedDir, "dockerfile": `["sub/evil.Containerfile"]`}, []string{`argument "dockerfile"`, `under "sub", a symbolic link`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.args["t"] = "localhost/escape-cf:1"
			s.MustFail(t, tc.tool, tc.args, append(tc.want, "Nothing was sent")...)
		})
	}
	sameSnapshot(t, "outside", before, dirSnapshot(t, f.outside))
	noImageChange(t, images)

	// The forms Podman reads from the context still build: a path, and a JSON array where
	// Podman joins its entries with the context.
	s.MustSucceed(t, "build-image", map[string]any{"context": good, "dockerfile": "Containerfile", "t": "localhost/escape-cf:good"})
	t.Cleanup(func() { untagName("localhost/escape-cf:good") })
	if podmanVer >= "4.6" {
		s.MustSucceed(t, "build-image", map[string]any{"context": good, "dockerfile": `["Containerfile"]`, "t": "localhost/escape-cf:array"})
		t.Cleanup(func() { untagName("localhost/escape-cf:array") })
	}
}
