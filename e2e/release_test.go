package e2e

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// The release as users get it: GoReleaser's snapshot build (binaries, archives, checksums),
// then the npm packages and the container image made from its binaries. One snapshot serves
// every test of a run: it cross-compiles six targets, which takes minutes on two cores.

var (
	snapOnce sync.Once
	snap     snapshot
	snapErr  error
)

type snapshot struct {
	dist    string // GoReleaser's output dir (a temp dir, not the repo's dist/)
	version string // from dist/metadata.json
	commit  string // HEAD of the repo
}

// goreleaser finds the pinned GoReleaser (scripts/devtools/goreleaser/go.mod): `go tool -n`
// prints its path, building it first when needed (scripts/test.sh has built it already).
func goreleaser() (string, error) {
	cmd := exec.Command("go", "-C", "../scripts/devtools/goreleaser", "tool", "-n", "goreleaser")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("building the pinned goreleaser (scripts/devtools/goreleaser): %v\n%s", err, stderr.Bytes())
	}
	return strings.TrimSpace(string(out)), nil
}

// releaseSnapshot runs `goreleaser release --snapshot --clean` once per test run, with
// .goreleaser.yaml as it is but dist/ moved to a temp dir so tests leave the repo alone.
func releaseSnapshot(t *testing.T) snapshot {
	t.Helper()
	snapOnce.Do(func() { snap, snapErr = buildSnapshot() })
	if snapErr != nil {
		t.Fatal(snapErr)
	}
	return snap
}

func buildSnapshot() (snapshot, error) {
	gr, err := goreleaser()
	if err != nil {
		return snapshot{}, err
	}
	cfg, err := os.ReadFile("../.goreleaser.yaml")
	if err != nil {
		return snapshot{}, err
	}
	dir := filepath.Join(workDir, "release")
	s := snapshot{dist: filepath.Join(dir, "dist")}
	os.MkdirAll(dir, 0o755)
	cfgPath := filepath.Join(dir, "goreleaser.yaml")
	cfg = append(cfg, []byte("\ndist: "+s.dist+"\n")...)
	if err := os.WriteFile(cfgPath, cfg, 0o644); err != nil {
		return snapshot{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, gr, "release", "--snapshot", "--clean", "--config", cfgPath)
	cmd.Dir = ".."
	cmd.Env = os.Environ()
	if exec.Command("git", "-C", "..", "ls-remote", "--get-url").Run() != nil {
		// GoReleaser drops all git facts (commit "none") when the clone has no remote, as a
		// local worktree may not; give it the project's URL for this run only.
		cmd.Env = append(cmd.Env, "GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=remote.origin.url",
			"GIT_CONFIG_VALUE_0=https://github.com/image-mcp/image-mcp.git")
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return snapshot{}, fmt.Errorf("goreleaser release --snapshot: %v\n%s", err, out)
	}
	var meta struct {
		Version string `json:"version"`
	}
	b, err := os.ReadFile(filepath.Join(s.dist, "metadata.json"))
	if err != nil {
		return snapshot{}, err
	}
	if err := json.Unmarshal(b, &meta); err != nil || meta.Version == "" {
		return snapshot{}, fmt.Errorf("dist/metadata.json has no version: %v %s", err, b)
	}
	s.version = meta.Version
	head, err := exec.Command("git", "-C", "..", "rev-parse", "HEAD").Output()
	if err != nil {
		return snapshot{}, fmt.Errorf("git rev-parse HEAD: %v", err)
	}
	s.commit = strings.TrimSpace(string(head))
	return s, nil
}

// binary returns the snapshot's binary for goos/goarch (dist/image-mcp_<os>_<arch>_<variant>/).
func (s snapshot) binary(t *testing.T, goos, goarch string) string {
	t.Helper()
	exe := "image-mcp"
	if goos == "windows" {
		exe += ".exe"
	}
	m, _ := filepath.Glob(filepath.Join(s.dist, "image-mcp_"+goos+"_"+goarch+"*", exe))
	if len(m) != 1 {
		t.Fatalf("want one %s/%s binary in %s, found %v", goos, goarch, s.dist, m)
	}
	return m[0]
}

func TestReleaseConfigCheck(t *testing.T) {
	gr, err := goreleaser()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(gr, "check")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("goreleaser check: %v\n%s", err, out)
	}
}

func TestReleaseSnapshot(t *testing.T) {
	s := releaseSnapshot(t)

	t.Run("binaries", func(t *testing.T) {
		for _, goos := range []string{"linux", "darwin", "windows"} {
			for _, goarch := range []string{"amd64", "arm64"} {
				s.binary(t, goos, goarch)
			}
		}
	})

	t.Run("version", func(t *testing.T) {
		out, err := exec.Command(s.binary(t, "linux", runtime.GOARCH), "--version").CombinedOutput()
		if err != nil {
			t.Fatalf("--version: %v: %s", err, out)
		}
		want := fmt.Sprintf("image-mcp %s (commit %s, built ", s.version, s.commit)
		if !strings.HasPrefix(string(out), want) {
			t.Fatalf("--version printed %q, want it to start with %q", out, want)
		}
		date := strings.TrimSuffix(strings.TrimSpace(strings.TrimPrefix(string(out), want)), ")")
		if _, err := time.Parse(time.RFC3339, date); err != nil {
			t.Fatalf("--version build date %q is not RFC 3339: %v", date, err)
		}
	})

	t.Run("archives", func(t *testing.T) {
		sums, err := os.ReadFile(filepath.Join(s.dist, "checksums.txt"))
		if err != nil {
			t.Fatal(err)
		}
		for _, target := range []string{"linux_amd64", "linux_arm64", "darwin_amd64", "darwin_arm64", "windows_amd64", "windows_arm64"} {
			ext, exe := ".tar.gz", "image-mcp"
			if strings.HasPrefix(target, "windows") {
				ext, exe = ".zip", "image-mcp.exe"
			}
			name := "image-mcp_" + s.version + "_" + target + ext
			files := archiveFiles(t, filepath.Join(s.dist, name))
			for _, f := range []string{exe, "README.md", "LICENSE"} {
				if !files[f] {
					t.Errorf("%s lacks %s (has %v)", name, f, files)
				}
			}
			if !strings.Contains(string(sums), "  "+name+"\n") {
				t.Errorf("checksums.txt does not list %s:\n%s", name, sums)
			}
		}
	})
}

// archiveFiles lists the regular files of a .tar.gz or .zip.
func archiveFiles(t *testing.T, path string) map[string]bool {
	t.Helper()
	files := map[string]bool{}
	if strings.HasSuffix(path, ".zip") {
		z, err := zip.OpenReader(path)
		if err != nil {
			t.Fatal(err)
		}
		defer z.Close()
		for _, f := range z.File {
			files[f.Name] = true
		}
		return files
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if h.Typeflag == tar.TypeReg {
			files[h.Name] = true
		}
	}
}

// The MCP Inspector, the reference client nobody here wrote, installed once per run.
var (
	inspectorOnce sync.Once
	inspectorBin  string
	inspectorErr  error
)

const inspectorPackage = "@modelcontextprotocol/inspector@2.12.0"

func installInspector(t *testing.T) string {
	t.Helper()
	inspectorOnce.Do(func() {
		if _, err := lookTool("npm"); err != nil {
			inspectorErr = fmt.Errorf("%v: run ./scripts/test.sh, which installs nodejs and npm", err)
			return
		}
		dir := filepath.Join(workDir, "inspector")
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"private": true}`), 0o644)
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "npm", "install", "--no-audit", "--no-fund", "--loglevel=error", inspectorPackage)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			inspectorErr = fmt.Errorf("npm install %s: %v\n%s", inspectorPackage, err, out)
			return
		}
		inspectorBin = filepath.Join(dir, "node_modules", ".bin", "mcp-inspector")
	})
	if inspectorErr != nil {
		t.Fatal(inspectorErr)
	}
	return inspectorBin
}

// inspectorOutput is what `mcp-inspector --cli` prints for tools/list and tools/call.
type inspectorOutput struct {
	Tools []struct {
		Name  string `json:"name"`
		Title string `json:"title"`
	} `json:"tools"`
	Content []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"content"`
	StructuredContent json.RawMessage `json:"structuredContent"`
	IsError           bool            `json:"isError"`
}

// answer is a result's last text item: a success's JSON.
func (o inspectorOutput) answer() json.RawMessage {
	if len(o.Content) == 0 {
		return nil
	}
	return json.RawMessage(o.Content[len(o.Content)-1].Text)
}

func (o inspectorOutput) text() string {
	var parts []string
	for _, c := range o.Content {
		parts = append(parts, c.Text)
	}
	return strings.Join(parts, "\n")
}

// inspectorCall runs the Inspector CLI against server (a command line) in the order it wants:
// `--cli`, the server command and its arguments, `--`, then the Inspector's own options.
// env goes to the server as -e KEY=VALUE: the Inspector gives a stdio server only HOME,
// PATH, SHELL, TERM and USER of its own environment. It returns the first JSON value
// printed (a failed tool call prints its result, then an error line, and exits non-zero).
func inspectorCall(t *testing.T, server []string, env []string, args ...string) inspectorOutput {
	t.Helper()
	bin := installInspector(t)
	argv := append([]string{"--cli"}, server...)
	argv = append(argv, "--")
	for _, e := range env {
		argv = append(argv, "-e", e)
	}
	argv = append(argv, args...)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, argv...)
	cmd.Dir = workDir
	cmd.Env = append(os.Environ(), "MCP_CATALOG_PATH="+filepath.Join(workDir, "inspector", "catalog.json"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var out inspectorOutput
	if err := json.NewDecoder(bytes.NewReader(stdout.Bytes())).Decode(&out); err != nil || (len(out.Tools) == 0 && len(out.Content) == 0) {
		t.Fatalf("mcp-inspector %s: %v (exit: %v)\nstdout:\n%s\nstderr:\n%s", strings.Join(argv, " "), err, runErr, stdout.String(), stderr.String())
	}
	if runErr != nil && !out.IsError {
		t.Fatalf("mcp-inspector %s failed without an isError result: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(argv, " "), runErr, stdout.String(), stderr.String())
	}
	return out
}

// toolNames is the set of names a tools/list printed.
func (o inspectorOutput) toolNames() map[string]string {
	names := map[string]string{}
	for _, tool := range o.Tools {
		names[tool.Name] = tool.Title
	}
	return names
}
