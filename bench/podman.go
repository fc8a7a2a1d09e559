package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"archive/tar"
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
	os.MkdirAll(dir, 0o755)
	conf := filepath.Join(dir, "containers.conf")
	if err := os.WriteFile(conf, []byte("[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n[engine]\nruntime = \"runc\"\n"), 0o644); err != nil {
		return nil, err
	}
	p := &podman{sock: filepath.Join(dir, "podman.sock"), dir: dir, logPath: filepath.Join(dir, "service.log")}
	p.cmd = exec.Command("podman", "--root", filepath.Join(dir, "root"), "--runroot", filepath.Join(dir, "run"),
		"--storage-driver", "vfs", "system", "service", "--time=0", "unix://"+p.sock)
	p.cmd.Env = append(os.Environ(), "CONTAINERS_CONF="+conf)
	logf, _ := os.Create(p.logPath)
	p.cmd.Stdout, p.cmd.Stderr = logf, logf
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start podman service (is podman installed?): %w", err)
	}
	p.api = unixClient(p.sock)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if resp, err := p.api.Get("http://d/_ping"); err == nil {
			resp.Body.Close()
			if p.ver = resp.Header.Get("Libpod-Api-Version"); resp.StatusCode == 200 && p.ver != "" {
				return p, nil
			}
		}
	}
	p.stop()
	return nil, fmt.Errorf("podman service did not answer _ping within 30s (log: %s)", p.logPath)
}

func (p *podman) stop() {
	if p.cmd == nil || p.cmd.Process == nil {
		return
	}
	p.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-done
	}
}

func (p *podman) url(path string) string { return "http://d/v" + p.ver + path }

func unixClient(sock string) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
		MaxIdleConnsPerHost: 128,
	}}
}

// importRandomImage imports an image whose rootfs is one file of size random bytes
// (random so that no layer of it compresses), streamed straight into Podman.
func (p *podman) importRandomImage(ref string, size int64) error {
	pr, pw := io.Pipe()
	go func() {
		tw := tar.NewWriter(pw)
		err := tw.WriteHeader(&tar.Header{Name: "big.bin", Mode: 0o644, Size: size, Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0)})
		if err == nil {
			_, err = io.CopyN(tw, rand.Reader, size)
		}
		if err == nil {
			err = tw.Close()
		}
		pw.CloseWithError(err)
	}()
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
