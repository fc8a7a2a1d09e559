// Package podmantest runs what image-mcp's end-to-end tests and benchmark need from a real
// Podman: a private `podman system service` (its own vfs storage, never the machine's
// images) and streamed test images. Shared so the tests and the bench start Podman alike.
package podmantest

import (
	"archive/tar"
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
)

// ContainersConf holds the two settings this sandbox needs: crun cannot set rlimits here,
// so runc and fixed ulimits (Podman 4.3.1 and the Podman 5 of scripts/podman5.sh alike).
const ContainersConf = "[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n[engine]\nruntime = \"runc\"\n"

// StartService starts `podman system service` with storage under dir, the containers.conf
// at conf, listening on sock, and waits until it answers _ping. It returns the process and
// the service's libpod API version. It runs the `podman` first in PATH: the Podman 5 lane puts
// scripts/podman5.sh's wrapper there. Podman refuses a runroot over 50 characters: keep dir short.
func StartService(dir, sock, conf string) (*exec.Cmd, string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, "", err
	}
	cmd := exec.Command("podman", "--root", filepath.Join(dir, "root"), "--runroot", filepath.Join(dir, "run"),
		"--storage-driver", "vfs", "system", "service", "--time=0", "unix://"+sock)
	cmd.Env = append(os.Environ(), "CONTAINERS_CONF="+conf)
	logPath := filepath.Join(dir, "service.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, "", err
	}
	defer logf.Close() // the child has its own copy
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("start podman service (is podman installed?): %w", err)
	}
	v, err := WaitReady(sock, 30*time.Second)
	if err != nil {
		StopProcess(cmd)
		return nil, "", fmt.Errorf("%w (log: %s)", err, logPath)
	}
	return cmd, v, nil
}

// WaitReady waits until a Podman service answers _ping on sock and returns its libpod
// API version.
func WaitReady(sock string, within time.Duration) (string, error) {
	c := UnixClient(sock)
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if resp, err := c.Get("http://d/_ping"); err == nil {
			resp.Body.Close()
			if v := resp.Header.Get("Libpod-Api-Version"); resp.StatusCode == http.StatusOK && v != "" {
				return v, nil
			}
		}
	}
	return "", fmt.Errorf("podman service did not answer _ping on %s within %s", sock, within)
}

// StopProcess interrupts a process and waits for it, killing it after 10 s.
func StopProcess(cmd *exec.Cmd) {
	if cmd == nil || cmd.Process == nil {
		return
	}
	cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}

// UnixClient is an HTTP client over a unix socket (any host name reaches it).
func UnixClient(sock string) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
		MaxIdleConnsPerHost: 128,
	}}
}

// RandomRootfs streams a root filesystem tar holding one file of size random bytes:
// random, so that no layer compresses and every stream of it takes its time.
func RandomRootfs(size int64) io.ReadCloser {
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
	return pr
}
