//lint:file-ignore SA1019 MCP roots are deprecated as of protocol 2026-07-28 but still in use; this tests them.

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The escapes a red team found past the allowed directories (issue "Close the escapes"),
// each written as the attack: what lies outside is the same afterwards (checksums), the
// call answers a clear isError, and nothing is left behind.

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

// The images of an export were read by opening the written path again: swapped for a
// symlink meanwhile, the answer named the images of an outside archive; swapped for a
// symlink to an outside FIFO, the call hung. They are now read from the file as written.
func TestExportImagesNotReadFromASwappedPath(t *testing.T) {
	needPodman(t)
	f := newPathFixture(t)
	// An outside archive of an image by another name.
	secretName := tagBase(t, "localhost/outside-secret", "1")
	code, archive, err := PodmanRaw("GET", "/libpod/images/"+url.PathEscape(secretName)+"/get?format=docker-archive", nil)
	if err != nil || code != 200 {
		t.Fatalf("export: %d %v", code, err)
	}
	secret := filepath.Join(f.outside, "secret.tar")
	must(t, os.WriteFile(secret, archive, 0o600))
	fifo := filepath.Join(f.outside, "fifo")
	must(t, syscall.Mkfifo(fifo, 0o600))
	before := dirSnapshot(t, f.outside)
	s := StartServer(t, ServerOptions{Args: []string{"--allowed-dirs", f.allowed}})
	for i := range 24 {
		target := []string{secret, fifo}[i%2]
		out := filepath.Join(f.allowed, fmt.Sprintf("race-%d.tar", i))
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() { // the attacker: as soon as the export has its name, swap it
			for {
				select {
				case <-stop:
					return
				default:
				}
				if fi, err := os.Lstat(out); err == nil && fi.Mode().IsRegular() {
					os.Symlink(target, out+".swap")
					os.Rename(out+".swap", out)
					return
				}
			}
		})
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		res, err := s.Session.CallTool(ctx, &mcp.CallToolParams{Name: "export-image", Arguments: map[string]any{"name": baseImage, "output": out, "format": "docker-archive"}})
		cancel()
		close(stop)
		wg.Wait()
		if err != nil {
			t.Fatalf("export %d (swap for %s): %v", i, target, err)
		}
		var got struct{ Images []string }
		Structured(t, res, &got)
		if res.IsError || !slices.Equal(got.Images, []string{baseImage}) {
			t.Fatalf("export %d: images %q (isError %v), want only %s: %s", i, got.Images, res.IsError, baseImage, Text(res))
		}
	}
	sameSnapshot(t, "outside", before, dirSnapshot(t, f.outside))
}

// overwrite=true on a name that does not exist yet asks nothing; a file created there
// while the export runs was then replaced by the rename, unasked. It is now asked about
// when the export takes its name, and kept unless the person says yes (a replaced file
// keeps its mode).
func TestOverwriteOfAFileThatAppearsMeanwhile(t *testing.T) {
	needPodman(t)
	f := newPathFixture(t)
	for _, tc := range []struct {
		name, action, protocol string
		noElicit               bool
		args                   []string
		replaced               bool
		want                   string
	}{
		{name: "decline", action: "decline", want: "the person declined. Nothing was changed."},
		{name: "accept", action: "accept", replaced: true},
		{name: "decline-legacy-protocol", action: "decline", protocol: "2025-06-18", want: "the person declined"},
		{name: "accept-legacy-protocol", action: "accept", protocol: "2025-06-18", replaced: true},
		{name: "cannot-ask-deny", noElicit: true, args: []string{"--confirm-destructive=deny"}, want: "--confirm-destructive=deny"},
		{name: "cannot-ask-allow", noElicit: true, replaced: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target := filepath.Join(f.allowed, "appears-"+tc.name+".tar")
			el := &elicitor{action: tc.action}
			o := ServerOptions{Args: append(tc.args, "--allowed-dirs", f.allowed), ProtocolVersion: tc.protocol}
			if !tc.noElicit {
				o.Client = el.options()
			}
			s := StartServer(t, o)
			// Someone creates the file as soon as the export starts writing.
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					if parts, _ := filepath.Glob(filepath.Join(f.allowed, ".appears-"+tc.name+".tar.*.part")); len(parts) > 0 {
						// Only a new file: one created after the export took its name would
						// not be the attack.
						if w, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640); err == nil {
							w.WriteString("theirs")
							w.Close()
						}
						return
					}
				}
			})
			args := map[string]any{"name": baseImage, "output": target, "overwrite": true}
			var res *mcp.CallToolResult
			if tc.replaced {
				res = s.MustSucceed(t, "export-image", args)
			} else {
				res = s.MustFail(t, "export-image", args, tc.want)
			}
			close(stop)
			wg.Wait()
			got, err := os.ReadFile(target)
			must(t, err)
			if replaced := string(got) != "theirs"; replaced != tc.replaced {
				t.Fatalf("replaced=%v, want %v: %s", replaced, tc.replaced, Text(res))
			}
			if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o640 {
				t.Errorf("mode %v, want the file's 0640", fi.Mode().Perm())
			}
			if q := el.asked(); !tc.noElicit && (len(q) != 1 || !strings.Contains(q[0], "Replace the existing file "+target+" (6 bytes)")) {
				t.Fatalf("questions %q, want one about %s", q, target)
			}
			if parts, _ := filepath.Glob(filepath.Join(f.allowed, ".*.part")); len(parts) > 0 {
				t.Fatalf("left behind: %q", parts)
			}
		})
	}
}

// A yes (requestState + accept) was bound to the tool and arguments for 30 minutes, not
// to the file: sent again after the file changed, it overwrote the new content. It is now
// bound to the file (device, inode, size, mtime) and used once.
func TestOverwriteApprovalBoundToTheFile(t *testing.T) {
	needPodman(t)
	f := newPathFixture(t)
	target := filepath.Join(f.allowed, "approved.tar")
	must(t, os.WriteFile(target, []byte("old"), 0o600))
	s := StartServer(t, ServerOptions{Args: []string{"--allowed-dirs", f.allowed}, Client: manualRoundTrips(true)})
	args := map[string]any{"name": baseImage, "output": target, "overwrite": true}
	first := s.callRound(t, "export-image", args, nil, "")
	if first.RequestState == "" || first.InputRequests["overwrite"] == nil {
		t.Fatalf("no question: %s", Text(first))
	}
	// The file changes after the yes was asked for.
	time.Sleep(10 * time.Millisecond)
	must(t, os.WriteFile(target, []byte("new content"), 0o600))
	again := s.callRound(t, "export-image", args, map[string]string{"overwrite": "accept"}, first.RequestState)
	if again.InputRequests["overwrite"] == nil || again.RequestState == "" {
		t.Fatalf("the yes about the old file replaced the changed one: %v %s", again.IsError, Text(again))
	}
	if b, _ := os.ReadFile(target); string(b) != "new content" {
		t.Fatalf("the changed file holds %q", b)
	}
	if p := again.InputRequests["overwrite"].(*mcp.ElicitParams); !strings.Contains(p.Message, "(11 bytes)") {
		t.Fatalf("the new question is not about the changed file: %s", p.Message)
	}
	// A yes about the file as it is now replaces it, once.
	done := s.callRound(t, "export-image", args, map[string]string{"overwrite": "accept"}, again.RequestState)
	if done.IsError || done.InputRequests != nil {
		t.Fatalf("the yes about the file as it is: %s", Text(done))
	}
	exported := dirSnapshot(t, f.allowed)
	replay := s.callRound(t, "export-image", args, map[string]string{"overwrite": "accept"}, again.RequestState)
	if !replay.IsError || !strings.Contains(Text(replay), "was already used") {
		t.Fatalf("a replayed yes: %v %s", replay.IsError, Text(replay))
	}
	sameSnapshot(t, "after the replay", exported, dirSnapshot(t, f.allowed))
}

// manualRoundTrips is a client of MCP 2026-07-28 whose calls get input requests back
// as they are (no automatic round trips): the tests answer them by hand. elicit says
// whether it declares form elicitation.
func manualRoundTrips(elicit bool) *mcp.ClientOptions {
	o := &mcp.ClientOptions{MultiRoundTrip: &mcp.MultiRoundTripOptions{Disabled: true}}
	if elicit {
		o.ElicitationHandler = func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			return nil, fmt.Errorf("answered by hand")
		}
	}
	return o
}

// callRound calls a tool with answers (input request key → elicitation action) and the
// state of an earlier round.
func (s *Server) callRound(t *testing.T, name string, args map[string]any, answers map[string]string, state string) *mcp.CallToolResult {
	t.Helper()
	p := &mcp.CallToolParams{Name: name, Arguments: args, RequestState: state}
	if answers != nil {
		p.InputResponses = mcp.InputResponseMap{}
		for k, a := range answers {
			p.InputResponses[k] = &mcp.ElicitResult{Action: a}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res, err := s.Session.CallTool(ctx, p)
	if err != nil {
		t.Fatalf("call %s: %v", name, err)
	}
	return res
}

// Roots that name no usable local directory (another scheme, another host, a relative
// or NUL-carrying path) are a rule that allows nothing, not no rule.
func TestRootsThatNameNoDirectoryAllowNothing(t *testing.T) {
	needPodman(t)
	f := newPathFixture(t)
	before := dirSnapshot(t, f.outside)
	for _, protocol := range []string{"", "2025-06-18"} {
		t.Run("protocol-"+protocol, func(t *testing.T) {
			s := StartServer(t, ServerOptions{ProtocolVersion: protocol})
			s.client.AddRoots(&mcp.Root{URI: "https://example.com" + f.outside}, &mcp.Root{URI: "file://otherhost" + f.outside},
				&mcp.Root{URI: "file:tmp/x"}, &mcp.Root{URI: "file://" + f.outside + "%00"})
			for _, c := range []struct {
				tool string
				args map[string]any
			}{
				{"export-image", map[string]any{"name": baseImage, "output": filepath.Join(f.outside, "new.tar")}},
				{"load-image", map[string]any{"upload": filepath.Join(f.outside, "img.tar")}},
			} {
				s.MustFail(t, c.tool, c.args, "roots name no usable directory", "https://example.com"+f.outside, "file:tmp/x", "Nothing was read or written")
			}
		})
	}
	sameSnapshot(t, "outside", before, dirSnapshot(t, f.outside))
}

// An empty or blank --allowed-dirs or IMAGE_MCP_ALLOWED_DIRS started unrestricted with
// only an info line; it now stops the start like every bad setting.
func TestAllowedDirsBlankStopsStart(t *testing.T) {
	for _, tc := range []struct {
		env  []string
		args []string
		want string
	}{
		{args: []string{"--allowed-dirs", ""}, want: "--allowed-dirs: names no directory"},
		{args: []string{"--allowed-dirs", ","}, want: "--allowed-dirs: names no directory"},
		{args: []string{"--allowed-dirs", " "}, want: "--allowed-dirs: names no directory"},
		{env: []string{"IMAGE_MCP_ALLOWED_DIRS=:"}, want: "IMAGE_MCP_ALLOWED_DIRS: names no directory"},
		{env: []string{"IMAGE_MCP_ALLOWED_DIRS= "}, want: "IMAGE_MCP_ALLOWED_DIRS: names no directory"},
	} {
		out, code := runBinary(t, tc.env, tc.args...)
		if code != 2 || !strings.Contains(out, tc.want) {
			t.Errorf("%v %v: exit %d, output:\n%s", tc.env, tc.args, code, out)
		}
	}
}

// A session that initialized through `initialize` with 2026-07-28 is answered 2025-11-25;
// it got input requests in results all the same, which it cannot answer. It is now asked
// as a 2025-11-25 client is: elicitation/create and roots/list during the call.
func TestInitialize2026IsAskedAsNegotiated(t *testing.T) {
	needPodman(t)
	f := newPathFixture(t)
	img := tagBase(t, "localhost/escape-negotiated", "1")
	var mu sync.Mutex
	var asked []string
	r := StartRawWith(t, ServerOptions{},
		`{"protocolVersion":"2026-07-28","capabilities":{"elicitation":{},"roots":{"listChanged":true}},"clientInfo":{"name":"raw","version":"1"}}`,
		func(method string, _ json.RawMessage) string {
			mu.Lock()
			asked = append(asked, method)
			mu.Unlock()
			switch method {
			case "elicitation/create":
				return `"result":{"action":"decline"}`
			case "roots/list":
				return `"result":{"roots":[{"uri":` + strconv.Quote(rootURI(f.allowed)) + `}]}`
			}
			return `"error":{"code":-32601,"message":"Method not found"}`
		})
	if !strings.Contains(string(r.Init), `"protocolVersion":"2025-11-25"`) {
		t.Fatalf("initialize answered %s", r.Init)
	}
	raw := r.Request(t, "tools/call", `{"name":"remove-image-local-storage","arguments":{"name":"`+img+`"}}`)
	if strings.Contains(string(raw), "inputRequests") || !strings.Contains(string(raw), "the person declined") {
		t.Fatalf("remove answered %s", raw)
	}
	if !imageExists(t, img) {
		t.Fatal("a declined remove removed the image")
	}
	raw = r.Request(t, "tools/call", `{"name":"export-image","arguments":{"name":"`+baseImage+`","output":"`+filepath.Join(f.outside, "x.tar")+`"}}`)
	if strings.Contains(string(raw), "inputRequests") || !strings.Contains(string(raw), "outside the allowed directories") {
		t.Fatalf("export answered %s", raw)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(asked, []string{"elicitation/create", "roots/list"}) {
		t.Fatalf("the server asked %q", asked)
	}
	r.CheckStdout(t)
}

// Clearer errors the red team met.
func TestPathErrorsSayWhatIsThere(t *testing.T) {
	needPodman(t)
	f := newPathFixture(t)
	must(t, os.Symlink(filepath.Join(f.outside, "missing.tar"), filepath.Join(f.allowed, "dangling.tar")))
	fifo := filepath.Join(f.allowed, "fifo.tar")
	must(t, syscall.Mkfifo(fifo, 0o600))
	before, beforeIn := dirSnapshot(t, f.outside), dirSnapshot(t, f.allowed)
	el := &elicitor{action: "decline"}
	s := StartServer(t, ServerOptions{Args: []string{"--allowed-dirs", f.allowed}, Client: el.options()})
	s.MustFail(t, "export-image", map[string]any{"name": baseImage, "output": f.allowed, "overwrite": true}, f.allowed+" is a directory")
	s.MustFail(t, "load-image", map[string]any{"upload": filepath.Join(f.allowed, "dangling.tar")},
		"is a symbolic link to "+filepath.Join(f.outside, "missing.tar")+", which does not exist")
	s.MustFail(t, "export-image", map[string]any{"name": baseImage, "output": filepath.Join(f.allowed, "new.tar") + "/"}, "ends with a slash")
	s.MustFail(t, "load-image", map[string]any{"upload": filepath.Join(f.allowed, "img.tar") + "/"}, "ends with a slash")
	s.MustFail(t, "export-image", map[string]any{"name": baseImage, "output": fifo, "overwrite": true}, "declined")
	s.MustFail(t, "export-image", map[string]any{"name": baseImage, "output": filepath.Join(f.allowed, "dangling.tar"), "overwrite": true}, "declined")
	q := el.asked()
	if len(q) != 2 || !strings.Contains(q[0], "the existing FIFO "+fifo) || !strings.Contains(q[1], "the existing symbolic link "+filepath.Join(f.allowed, "dangling.tar")) {
		t.Fatalf("questions %q", q)
	}
	sameSnapshot(t, "outside", before, dirSnapshot(t, f.outside))
	sameSnapshot(t, "allowed", beforeIn, dirSnapshot(t, f.allowed))
}
