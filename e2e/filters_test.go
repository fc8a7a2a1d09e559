package e2e

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The tools each filter keeps, from the audited hints (capabilities/specs/*.corrections.yaml).
var (
	readOnlyTools = []string{
		"history-image", "image-exists", "image-tree", "inspect-image", "list-image-changes",
		"list-images", "resolve-image-short-name", "search-images", "stackrox-count-images",
		"stackrox-get-image", "stackrox-list-images",
	}
	destructiveTools = []string{
		"prune-unused-images", "remove-image-local-storage", "remove-images",
		"stackrox-delete-images", "untag-image",
	}
	stackroxTools = []string{
		"stackrox-count-images", "stackrox-delete-images", "stackrox-get-image",
		"stackrox-invalidate-caches", "stackrox-list-images", "stackrox-scan-image",
	}
)

// runBinary runs image-mcp with a clean environment (plus env) and no MCP client, and
// returns its combined output and exit code.
func runBinary(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + workDir, "XDG_RUNTIME_DIR=" + filepath.Join(workDir, "no-runtime-dir")}, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &ee):
		return out.String(), ee.ExitCode()
	}
	t.Fatalf("run image-mcp %v: %v\n%s", args, err, out.String())
	return "", -1
}

func listedTools(t *testing.T, s *Server) []string {
	t.Helper()
	names := toolNames(listTools(t, s))
	sort.Strings(names)
	return names
}

func allToolNames(t *testing.T) []string {
	t.Helper()
	out, code := runBinary(t, nil, "--list-tools")
	if code != 0 {
		t.Fatalf("--list-tools: exit %d\n%s", code, out)
	}
	var names []string
	tools, _, _ := strings.Cut(out, "\n\n") // the prompts follow
	for _, line := range strings.Split(strings.TrimSpace(tools), "\n")[1:] {
		if f := strings.Fields(line); len(f) == 9 {
			names = append(names, f[0])
		}
	}
	sort.Strings(names)
	sameToolNames(t, "--list-tools", names)
	return names
}

func minus(all []string, drop ...[]string) []string {
	var out []string
	for _, n := range all {
		keep := true
		for _, d := range drop {
			keep = keep && !slices.Contains(d, n)
		}
		if keep {
			out = append(out, n)
		}
	}
	return out
}

func TestFilters(t *testing.T) {
	needPodman(t)
	all := allToolNames(t)
	podman := minus(all, stackroxTools)
	for _, tc := range []struct {
		name    string
		args    []string
		env     []string
		want    []string
		refused string // a tool that must be refused, and why
		why     string
	}{
		{name: "read-only", args: []string{"--read-only"}, want: readOnlyTools,
			refused: "remove-image-local-storage", why: "image-mcp runs with --read-only (IMAGE_MCP_READ_ONLY) and this tool changes state"},
		{name: "read-only-env", env: []string{"IMAGE_MCP_READ_ONLY=true"}, want: readOnlyTools,
			refused: "tag-image", why: "--read-only"},
		{name: "disable-destructive", args: []string{"--disable-destructive"}, want: minus(all, destructiveTools),
			refused: "prune-unused-images", why: "image-mcp runs with --disable-destructive (IMAGE_MCP_DISABLE_DESTRUCTIVE) and this tool is destructive"},
		{name: "disable-destructive-env", env: []string{"IMAGE_MCP_DISABLE_DESTRUCTIVE=1"}, want: minus(all, destructiveTools),
			refused: "untag-image", why: "--disable-destructive"},
		{name: "toolsets", args: []string{"--toolsets", "stackrox"}, want: stackroxTools,
			refused: "list-images", why: `its toolset "podman" is not in --toolsets stackrox`},
		{name: "toolsets-env", env: []string{"IMAGE_MCP_TOOLSETS=podman"}, want: podman,
			refused: "stackrox-list-images", why: `its toolset "stackrox" is not in --toolsets podman`},
		{name: "toolsets-both", args: []string{"--toolsets", "podman,stackrox"}, want: all},
		{name: "enabled-tools", args: []string{"--enabled-tools", "list-images,inspect-image"}, want: []string{"inspect-image", "list-images"},
			refused: "tag-image", why: "it is not in --enabled-tools (IMAGE_MCP_ENABLED_TOOLS)"},
		{name: "disabled-tools", args: []string{"--disabled-tools=build-image, push-image"}, want: minus(all, []string{"build-image", "push-image"}),
			refused: "push-image", why: "it is in --disabled-tools (IMAGE_MCP_DISABLED_TOOLS)"},
		{name: "disabled-tools-env", env: []string{"IMAGE_MCP_DISABLED_TOOLS=build-image"}, want: minus(all, []string{"build-image"}),
			refused: "build-image", why: "--disabled-tools"},
		{name: "flag-beats-env", args: []string{"--read-only=false"}, env: []string{"IMAGE_MCP_READ_ONLY=true"}, want: all},
		{name: "read-only+toolsets", args: []string{"--read-only", "--toolsets=podman"}, want: minus(readOnlyTools, stackroxTools),
			refused: "stackrox-get-image", why: "--toolsets podman"},
		{name: "disable-destructive+enabled", args: []string{"--disable-destructive", "--enabled-tools=list-images,remove-image-local-storage,tag-image"},
			want: []string{"list-images", "tag-image"}, refused: "remove-image-local-storage", why: "--disable-destructive"},
		{name: "toolsets+disabled+destructive", args: []string{"--toolsets=podman", "--disabled-tools=list-images", "--disable-destructive"},
			want: minus(podman, destructiveTools, []string{"list-images"}), refused: "list-images", why: "--disabled-tools"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := StartServer(t, ServerOptions{Args: tc.args, Env: tc.env})
			got := listedTools(t, s)
			want := slices.Clone(tc.want)
			sort.Strings(want)
			if !slices.Equal(got, want) {
				t.Fatalf("tools/list:\n got %v\nwant %v", got, want)
			}
			if tc.refused != "" {
				_, err := s.Session.CallTool(context.Background(), &mcp.CallToolParams{Name: tc.refused, Arguments: map[string]any{"name": baseImage}})
				if err == nil || !strings.Contains(err.Error(), `tool "`+tc.refused+`" is not available: `) || !strings.Contains(err.Error(), tc.why) {
					t.Fatalf("calling filtered %s: want a refusal naming %q, got %v", tc.refused, tc.why, err)
				}
			}
			// The settings are also what --list-tools shows.
			out, code := runBinary(t, tc.env, append(tc.args, "--list-tools")...)
			if code != 0 {
				t.Fatalf("--list-tools exit %d: %s", code, out)
			}
			for _, n := range want {
				if !strings.Contains(out, n+" ") {
					t.Fatalf("--list-tools lacks %s:\n%s", n, out)
				}
			}
		})
	}
	// A tool kept by a filter still works.
	s := StartServer(t, ServerOptions{Args: []string{"--read-only"}})
	s.MustSucceed(t, "image-exists", map[string]any{"name": baseImage})
}

func TestFilterStartErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  []string
		want []string
	}{
		{name: "unknown-toolset", args: []string{"--toolsets", "podman,kubernetes"},
			want: []string{`--toolsets: unknown toolset "kubernetes"; valid toolsets: podman, stackrox`}},
		{name: "unknown-enabled", args: []string{"--enabled-tools", "list-images,rm-everything"},
			want: []string{`--enabled-tools: unknown tool "rm-everything"; valid tools: build-image, `, "untag-image"}},
		{name: "unknown-disabled-env", env: []string{"IMAGE_MCP_DISABLED_TOOLS=nope"},
			want: []string{`--disabled-tools: unknown tool "nope"; valid tools:`, "list-images"}},
		{name: "both-lists", args: []string{"--enabled-tools=list-images", "--disabled-tools=list-images"},
			want: []string{`tool "list-images" is in both --enabled-tools and --disabled-tools`}},
		{name: "bad-bool-env", env: []string{"IMAGE_MCP_READ_ONLY=perhaps"},
			want: []string{`IMAGE_MCP_READ_ONLY="perhaps": want true or false`}},
		{name: "bad-bool-env-autostart", env: []string{"IMAGE_MCP_NO_AUTOSTART=yes"},
			want: []string{`IMAGE_MCP_NO_AUTOSTART="yes": want true or false`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, code := runBinary(t, tc.env, tc.args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2:\n%s", code, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Fatalf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestListTools(t *testing.T) {
	out, code := runBinary(t, nil, "--list-tools", "--toolsets=stackrox", "--disable-destructive")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	tools, _, _ := strings.Cut(out, "\n\n") // the prompts follow
	lines := strings.Split(strings.TrimSpace(tools), "\n")
	if got := strings.Fields(lines[0]); !slices.Equal(got, []string{"NAME", "TOOLSET", "READ-ONLY", "DESTRUCTIVE", "IDEMPOTENT", "OPEN-WORLD", "METHOD", "PATH", "SEED-NAME"}) {
		t.Fatalf("header %q", lines[0])
	}
	rows := map[string][]string{}
	for _, l := range lines[1 : len(lines)-1] {
		f := strings.Fields(l)
		rows[f[0]] = f[1:]
	}
	want := map[string][]string{
		"stackrox-list-images":       {"stackrox", "yes", "no", "yes", "no", "GET", "/v1/images", "listimages-returns-all-images"},
		"stackrox-get-image":         {"stackrox", "yes", "no", "yes", "no", "GET", "/v1/images/{id}", "getimage-returns-image-given-its"},
		"stackrox-count-images":      {"stackrox", "yes", "no", "yes", "no", "GET", "/v1/imagescount", "listimages-returns-all-images-2"},
		"stackrox-scan-image":        {"stackrox", "no", "no", "no", "yes", "POST", "/v1/images/scan", "scanimage-scans-single-image-and"},
		"stackrox-invalidate-caches": {"stackrox", "no", "no", "yes", "no", "GET", "/v1/images/cache/invalidate", "invalidatescanandregistrycaches-removes-image-metadata-cache"},
	}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows, want %d:\n%s", len(rows), len(want), out)
	}
	for name, w := range want {
		if !slices.Equal(rows[name], w) {
			t.Errorf("%s: got %v, want %v", name, rows[name], w)
		}
	}
	if lines[len(lines)-1] != "5 tools" {
		t.Fatalf("last line %q", lines[len(lines)-1])
	}
}
