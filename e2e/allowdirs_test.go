//lint:file-ignore SA1019 MCP roots are deprecated as of protocol 2026-07-28 but still in use; this tests them.

package e2e

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func TestAllowedDirsFlag(t *testing.T) {
	needPodman(t)
	f := newPathFixture(t)
	for _, tc := range []struct {
		name string
		opts ServerOptions
	}{
		{"flag", ServerOptions{Args: []string{"--allowed-dirs", f.allowed + "," + filepath.Join(f.base, "unused")}}},
		{"env", ServerOptions{Env: []string{"IMAGE_MCP_ALLOWED_DIRS=" + f.allowed}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "flag" {
				must(t, os.MkdirAll(filepath.Join(f.base, "unused"), 0o755))
			}
			s := StartServer(t, tc.opts)
			if log := s.LoggedText("path arguments must be inside these directories"); !strings.Contains(log, "path arguments must be inside these directories") {
				t.Errorf("the start-up log does not state the rule:\n%s", log)
			}
			f.runEscapes(t, s)
			f.runInside(t, s, f.allowed)
		})
	}
}

func TestAllowedDirsBadSetting(t *testing.T) {
	out, code := runBinary(t, nil, "--allowed-dirs", "/no/such/dir")
	if code != 2 || !strings.Contains(out, "--allowed-dirs: allowed directory /no/such/dir") {
		t.Fatalf("exit %d, output:\n%s", code, out)
	}
}

func TestNoAllowedDirsLogsAnyPath(t *testing.T) {
	s := StartServer(t, ServerOptions{})
	if log := s.LoggedText("no --allowed-dirs"); strings.Count(log, "no --allowed-dirs") != 1 {
		t.Fatalf("the start-up log says it %d times:\n%s", strings.Count(log, "no --allowed-dirs"), log)
	}
}

// The flag wins over the client's roots.
func TestAllowedDirsFlagWinsOverRoots(t *testing.T) {
	needPodman(t)
	f := newPathFixture(t)
	client := &mcp.ClientOptions{}
	s := startWithRoots(t, ServerOptions{Args: []string{"--allowed-dirs", f.allowed}, Client: client}, f.other)
	s.MustFail(t, "export-image", map[string]any{"name": baseImage, "output": filepath.Join(f.other, "x.tar")}, "outside the allowed directories", f.allowed)
	s.MustSucceed(t, "export-image", map[string]any{"name": baseImage, "output": filepath.Join(f.allowed, "x.tar")})
}

func rootURI(dir string) string { return (&url.URL{Scheme: "file", Path: dir}).String() }

// startWithRoots starts the server with a client that declares roots (go-sdk clients
// declare the capability with listChanged).
func startWithRoots(t *testing.T, o ServerOptions, dirs ...string) *Server {
	t.Helper()
	s := StartServer(t, o)
	for _, d := range dirs {
		s.client.AddRoots(&mcp.Root{URI: rootURI(d)})
	}
	return s
}

func TestAllowedDirsFromRoots(t *testing.T) {
	needPodman(t)
	f := newPathFixture(t)
	for _, protocol := range []string{"", "2025-06-18"} {
		t.Run("protocol-"+protocol, func(t *testing.T) {
			s := StartServer(t, ServerOptions{ProtocolVersion: protocol})
			uri := rootURI(f.allowed)
			if !strings.Contains(uri, "%20") {
				t.Fatalf("root URI %s is not percent-encoded", uri)
			}
			// A root the client lists that is not a file:// URI does not count.
			s.client.AddRoots(&mcp.Root{URI: uri}, &mcp.Root{URI: "https://example.com" + f.outside})
			f.runEscapes(t, s)
			f.runInside(t, s, f.allowed)

			// The person changes the roots mid-session: allowed dir out, other in.
			s.client.RemoveRoots(uri)
			s.client.AddRoots(&mcp.Root{URI: rootURI(f.other)})
			before := dirSnapshot(t, f.allowed)
			s.MustFail(t, "export-image", map[string]any{"name": baseImage, "output": filepath.Join(f.allowed, "after-change.tar")},
				"outside the allowed directories", f.other)
			sameSnapshot(t, "allowed after the change", before, dirSnapshot(t, f.allowed))
			s.MustSucceed(t, "export-image", map[string]any{"name": baseImage, "output": filepath.Join(f.other, "after-change-"+protocol+".tar")})

			// Removing every root allows nothing rather than everything.
			s.client.RemoveRoots(rootURI(f.other))
			s.MustFail(t, "export-image", map[string]any{"name": baseImage, "output": filepath.Join(f.other, "none.tar")}, "no path on this machine may be used")
		})
	}
}

// A client that declares roots but gives none (most go-sdk clients) keeps today's
// behaviour: any absolute path.
func TestNoRootsGivenAnyPath(t *testing.T) {
	needPodman(t)
	f := newPathFixture(t)
	s := StartServer(t, ServerOptions{})
	s.MustSucceed(t, "export-image", map[string]any{"name": baseImage, "output": filepath.Join(f.outside, "any.tar")})
}

func TestOverwriteConfirmation(t *testing.T) {
	needPodman(t)
	f := newPathFixture(t)
	for _, tc := range []struct {
		name, action, protocol string
		noElicit, roots        bool
		args                   []string
		replaced               bool
		want                   string
	}{
		{name: "accept", action: "accept", replaced: true},
		{name: "accept-legacy-protocol", action: "accept", protocol: "2025-06-18", replaced: true},
		{name: "accept-with-roots", action: "accept", roots: true, replaced: true},
		{name: "decline-with-roots-legacy-protocol", action: "decline", roots: true, protocol: "2025-06-18", want: "the person declined"},
		{name: "decline", action: "decline", want: "the person declined. Nothing was changed."},
		{name: "decline-legacy-protocol", action: "decline", protocol: "2025-06-18", want: "the person declined"},
		{name: "cannot-ask-allow", noElicit: true, replaced: true},
		{name: "cannot-ask-deny", noElicit: true, args: []string{"--confirm-destructive=deny"}, want: "--confirm-destructive=deny"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target := filepath.Join(f.allowed, "existing-"+tc.name+".tar")
			must(t, os.WriteFile(target, []byte("old content"), 0o600))
			el := &elicitor{action: tc.action}
			o := ServerOptions{Args: tc.args, ProtocolVersion: tc.protocol}
			if !tc.roots {
				o.Args = append(o.Args, "--allowed-dirs", f.allowed)
			}
			if !tc.noElicit {
				o.Client = el.options()
			}
			s := StartServer(t, o)
			if tc.roots {
				s.client.AddRoots(&mcp.Root{URI: rootURI(f.allowed)})
			}
			args := map[string]any{"name": baseImage, "output": target, "overwrite": true}
			if tc.replaced {
				s.MustSucceed(t, "export-image", args)
			} else {
				s.MustFail(t, "export-image", args, tc.want)
			}
			got, err := os.ReadFile(target)
			must(t, err)
			if replaced := string(got) != "old content"; replaced != tc.replaced {
				t.Fatalf("replaced=%v, want %v", replaced, tc.replaced)
			}
			q := el.asked()
			if tc.noElicit {
				if len(q) != 0 {
					t.Fatalf("asked a client that cannot ask: %q", q)
				}
				return
			}
			if len(q) != 1 || !strings.Contains(q[0], target) || !strings.Contains(q[0], "(11 bytes)") {
				t.Fatalf("questions %q; want one naming %s and its size", q, target)
			}
			// A new file needs no question.
			s.MustSucceed(t, "export-image", map[string]any{"name": baseImage, "output": target + ".new", "overwrite": true})
			if len(el.asked()) != 1 {
				t.Fatalf("asked for a new file: %q", el.asked())
			}
		})
	}
}

func TestDoctorPrintsAllowedDirs(t *testing.T) {
	needPodman(t)
	dir, err := filepath.EvalSymlinks(t.TempDir())
	must(t, err)
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		want string
		code int
	}{
		{name: "flag", args: []string{"--allowed-dirs", dir}, want: "allowed directories: " + dir + " (--allowed-dirs)"},
		{name: "env", env: []string{"IMAGE_MCP_ALLOWED_DIRS=" + dir}, want: "allowed directories: " + dir + " (--allowed-dirs)"},
		{name: "neither", want: "allowed directories: from the client's roots at run time; any path when the client gives none"},
		{name: "bad", args: []string{"--allowed-dirs", "/no/such/dir"}, want: "[FAIL] --allowed-dirs: allowed directory /no/such/dir", code: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, code := runDoctor(t, false, tc.env, tc.args...)
			if !strings.Contains(out, "\nFiles\n") || !strings.Contains(out, tc.want) {
				t.Fatalf("doctor output lacks %q:\n%s", tc.want, out)
			}
			if tc.code != 0 && code != tc.code {
				t.Fatalf("exit %d, want %d:\n%s", code, tc.code, out)
			}
		})
	}
}
