package e2e

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// `npx image-mcp` from the npm packages that npm/build.sh makes of the snapshot binaries,
// packed with `npm pack` and installed from those tarballs alone (--offline: the npm
// registry is never asked, so the optional packages of other platforms are skipped).

func TestNpmLauncher(t *testing.T) {
	needPodman(t)
	s := releaseSnapshot(t)
	dir := filepath.Join(workDir, "npm")
	pkgs, tarballs := filepath.Join(dir, "packages"), filepath.Join(dir, "tarballs")
	os.MkdirAll(tarballs, 0o755)
	runOK(t, "..", nil, "bash", "npm/build.sh", s.dist, pkgs)

	platform := map[string]string{"amd64": "x64", "arm64": "arm64"}[runtime.GOARCH]
	for _, p := range []string{"image-mcp", "linux-" + platform} {
		runOK(t, filepath.Join(pkgs, p), nil, "npm", "pack", "--silent", "--pack-destination", tarballs)
	}
	mainTgz := filepath.Join(tarballs, "image-mcp-"+s.version+".tgz")
	platformTgz := filepath.Join(tarballs, "image-mcp-linux-"+platform+"-"+s.version+".tgz")
	npmInstall := func(dir string, tgz ...string) {
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"private": true}`), 0o644)
		runOK(t, dir, nil, "npm", append([]string{"install", "--offline", "--no-audit", "--no-fund", "--loglevel=error"}, tgz...)...)
	}
	var pkg struct {
		Version string `json:"version"`
		McpName string `json:"mcpName"`
		Bin     map[string]string
	}
	if b, err := os.ReadFile(filepath.Join(pkgs, "image-mcp", "package.json")); err != nil || json.Unmarshal(b, &pkg) != nil {
		t.Fatalf("package.json of image-mcp: %v %s", err, b)
	}
	if pkg.Version != s.version || pkg.McpName != registryName(t) || pkg.Bin["image-mcp"] == "" {
		t.Fatalf("package.json of image-mcp: version %q, mcpName %q, bin %v; want %s, server.json's name, an image-mcp command", pkg.Version, pkg.McpName, pkg.Bin, s.version)
	}
	project := filepath.Join(dir, "project")
	npmInstall(project, mainTgz, platformTgz)

	t.Run("npx --version", func(t *testing.T) {
		out := runOK(t, project, nil, "npx", "--offline", "image-mcp", "--version")
		if !strings.Contains(out, "image-mcp "+s.version+" (commit "+s.commit) {
			t.Fatalf("npx image-mcp --version printed %q, want version %s and commit %s", out, s.version, s.commit)
		}
	})

	// The Inspector starts `npx image-mcp` as its server, as a client config would.
	server := []string{"npx", "--offline", "image-mcp", "--log-level", "warn"}
	podman := []string{"CONTAINER_HOST=unix://" + podmanSock}
	t.Run("tools/list", func(t *testing.T) {
		list := inspectNpx(t, project, server, podman, "--method", "tools/list")
		sameToolNames(t, "tools/list through npx", slices.Collect(maps.Keys(list.toolNames())))
	})
	t.Run("list-images", func(t *testing.T) {
		out := inspectNpx(t, project, server, podman, "--method", "tools/call", "--tool-name", "list-images", "--tool-arg", `fields=["RepoTags"]`)
		if out.IsError || !strings.Contains(string(out.answer()), baseImage) {
			t.Fatalf("list-images through npx: isError=%v %s", out.IsError, out.text())
		}
	})

	t.Run("missing platform package", func(t *testing.T) {
		bare := filepath.Join(dir, "bare")
		npmInstall(bare, mainTgz)
		cmd := exec.Command("npx", "--offline", "image-mcp", "--version")
		cmd.Dir = bare
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "@image-mcp/linux-"+platform) || !strings.Contains(string(out), "go install github.com/image-mcp/image-mcp@latest") {
			t.Fatalf("without the platform package, want an error naming it and the way out; got %v:\n%s", err, out)
		}
	})
}

// inspectNpx is inspectorCall with the server started in dir (where npm installed image-mcp).
func inspectNpx(t *testing.T, dir string, server, env []string, args ...string) inspectorOutput {
	t.Helper()
	return inspectorCall(t, server, env, append([]string{"--cwd", dir}, args...)...)
}

// runOK runs a command in dir and returns its combined output, failing the test on error.
func runOK(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s (in %s): %v\n%s", name, strings.Join(args, " "), dir, err, out)
	}
	return string(out)
}
