package e2e

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// The container image of image-mcp, built from the Containerfile with the real Podman and run
// as an MCP server (podman run -i) on the test Podman's socket, as the README tells users.

const containerImage = "localhost/image-mcp-e2e:1"

// podmanCLI is the podman command on the test service's own storage, so that what it
// builds is what the service (and so image-mcp) sees, and the machine's images are untouched.
func podmanCLI(args ...string) []string {
	dir := filepath.Dir(podmanSock)
	return append([]string{"podman", "--root", filepath.Join(dir, "root"), "--runroot", filepath.Join(dir, "run"), "--storage-driver", "vfs"}, args...)
}

func TestContainerImage(t *testing.T) {
	needPodman(t)
	s := releaseSnapshot(t)
	conf := []string{"CONTAINERS_CONF=" + containersC} // runc and fixed ulimits: see docs/testing.md

	// The build context the Containerfile expects: the static binary and the CA roots.
	ctxDir := filepath.Join(workDir, "container-context")
	os.MkdirAll(ctxDir, 0o755)
	for src, dst := range map[string]string{
		"../Containerfile":                   "Containerfile",
		s.binary(t, "linux", runtime.GOARCH): "image-mcp",
		"/etc/ssl/certs/ca-certificates.crt": "ca-certificates.crt",
	} {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatalf("build context: %v (ca-certificates.crt comes from the ca-certificates package)", err)
		}
		if err := os.WriteFile(filepath.Join(ctxDir, dst), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	build := podmanCLI("build", "--network", "none", "-t", containerImage, "-f", filepath.Join(ctxDir, "Containerfile"), ctxDir)
	runOK(t, workDir, conf, build[0], build[1:]...)
	t.Cleanup(func() {
		if code, body, err := PodmanRaw("DELETE", "/libpod/images/"+strings.ReplaceAll(containerImage, "/", "%2F")+"?force=true", nil); err != nil || code != 200 {
			t.Errorf("remove %s: %d %s %v", containerImage, code, body, err)
		}
	})

	t.Run("image config", func(t *testing.T) {
		code, body, err := PodmanRaw("GET", "/libpod/images/"+strings.ReplaceAll(containerImage, "/", "%2F")+"/json", nil)
		if err != nil || code != 200 {
			t.Fatalf("inspect %s: %d %s %v", containerImage, code, body, err)
		}
		var img struct {
			Config struct {
				User       string
				Entrypoint []string
				Env        []string
				Labels     map[string]string
			}
		}
		if err := json.Unmarshal(body, &img); err != nil {
			t.Fatal(err)
		}
		c := img.Config
		if c.User != "65532:65532" || strings.Join(c.Entrypoint, " ") != "/image-mcp" ||
			!strings.Contains(strings.Join(c.Env, "\n"), "CONTAINER_HOST=unix:///run/podman/podman.sock") ||
			c.Labels["io.modelcontextprotocol.server.name"] != registryName(t) {
			t.Fatalf("image config: user %q, entrypoint %v, env %v, labels %v", c.User, c.Entrypoint, c.Env, c.Labels)
		}
	})

	t.Run("version as non-root", func(t *testing.T) {
		cmd := podmanCLI("run", "--rm", "--network", "none", containerImage, "--version")
		out := runOK(t, workDir, conf, cmd[0], cmd[1:]...)
		if !strings.Contains(out, "image-mcp "+s.version+" (commit "+s.commit) {
			t.Fatalf("the image's --version printed %q, want %s", out, s.version)
		}
	})

	// The MCP server, run as the README says: the image's default CONTAINER_HOST is the
	// mounted socket, which only its owner may open (0600), so --user 0: the socket's owner
	// (root here, where the test Podman is rootful; yourself under rootless Podman).
	server := podmanCLI("run", "-i", "--rm", "--network", "none", "--user", "0", "--security-opt", "label=disable",
		"-v", podmanSock+":/run/podman/podman.sock", containerImage, "--log-level", "warn")
	t.Run("tools/list", func(t *testing.T) {
		list := inspectorCall(t, server, conf, "--method", "tools/list")
		sameToolNames(t, "tools/list through the container", slices.Collect(maps.Keys(list.toolNames())))
	})
	checkPodmanTools(t, server, conf)
}
