package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/image-mcp/image-mcp/internal/podmantest"
)

// podman is a private Podman service for the bench, started as e2e/harness_test.go does:
// its own storage (vfs), runc, fixed ulimits, a socket in the work dir.
type podman struct {
	sock    string
	ver     string
	api     *http.Client
	cmd     *exec.Cmd
	dir     string
	logPath string
}

func startPodman(dir string) (*podman, error) {
	conf := filepath.Join(dir, "containers.conf")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(conf, []byte(podmantest.ContainersConf), 0o644); err != nil {
		return nil, err
	}
	p := &podman{sock: filepath.Join(dir, "podman.sock"), dir: dir, logPath: filepath.Join(dir, "service.log")}
	cmd, ver, err := podmantest.StartService(dir, p.sock, conf)
	if err != nil {
		return nil, err
	}
	p.cmd, p.ver, p.api = cmd, ver, podmantest.UnixClient(p.sock)
	return p, nil
}

func (p *podman) stop() { podmantest.StopProcess(p.cmd) }

func (p *podman) url(path string) string { return "http://d/v" + p.ver + path }

// importRandomImage imports an image whose rootfs is one file of size random bytes
// (random so that no layer of it compresses), streamed straight into Podman.
func (p *podman) importRandomImage(ref string, size int64) error {
	pr := podmantest.RandomRootfs(size)
	req, _ := http.NewRequest("POST", p.url("/libpod/images/import?reference="+ref), pr)
	req.Header.Set("Content-Type", "application/x-tar")
	resp, err := p.api.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return fmt.Errorf("import %s: HTTP %d: %s", ref, resp.StatusCode, b)
	}
	return nil
}

func (p *podman) remove(ref string) {
	req, _ := http.NewRequest("DELETE", p.url("/libpod/images/"+ref+"?force=true"), nil)
	if resp, err := p.api.Do(req); err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}
