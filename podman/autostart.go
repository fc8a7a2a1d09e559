package podman

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Autostart runs a private `podman system service` for image-mcp when no Podman socket
// answers: on a socket of its own, started on first use, stopped by Stop (when image-mcp
// exits). The service inherits image-mcp's environment (CONTAINERS_CONF,
// CONTAINERS_STORAGE_CONF, XDG_*), so it uses the same images as the user's `podman`, less
// the settings that would make it a remote client (serviceEnv).
type Autostart struct {
	Podman string // the podman binary
	Sock   string // the private socket
	// Environ is the environment of image-mcp, which the service inherits (serviceEnv).
	Environ []string
	// Logf reports starts and stops (may be nil).
	Logf func(format string, args ...any)
	// ReadyTimeout bounds the wait for _ping after start.
	ReadyTimeout time.Duration

	dir    string // removed by Stop when image-mcp made it
	ownDir bool

	mu      sync.Mutex
	cmd     *exec.Cmd
	done    chan struct{}
	out     *tailBuffer
	stopped bool
}

// PrepareAutostart finds podman on PATH and chooses a private socket under
// $XDG_RUNTIME_DIR/image-mcp (when that directory exists), else in a new temp dir.
// It starts nothing.
func PrepareAutostart(env Env) (*Autostart, error) {
	xdgRuntimeDir := env.XDGRuntimeDir
	bin, err := exec.LookPath("podman")
	if err != nil {
		return nil, fmt.Errorf("podman is not installed (not on PATH), so image-mcp cannot start a Podman service itself: install Podman, or point image-mcp at a running service with --podman-url or CONTAINER_HOST")
	}
	a := &Autostart{Podman: bin, Environ: env.Environ, ReadyTimeout: 60 * time.Second}
	if fi, err := os.Stat(xdgRuntimeDir); xdgRuntimeDir != "" && err == nil && fi.IsDir() {
		dir := filepath.Join(xdgRuntimeDir, "image-mcp")
		if err := os.MkdirAll(dir, 0o700); err == nil {
			removeStaleSockets(dir)
			a.dir = dir
			a.Sock = filepath.Join(dir, fmt.Sprintf("podman-%d.sock", os.Getpid()))
		}
	}
	if a.Sock == "" {
		dir, err := os.MkdirTemp("", "image-mcp-podman-")
		if err != nil {
			return nil, fmt.Errorf("cannot make a directory for a private Podman socket: %w", err)
		}
		a.dir, a.ownDir = dir, true
		a.Sock = filepath.Join(dir, "podman.sock")
	}
	return a, nil
}

// clientOnlyEnv are variables that are image-mcp's own connection settings, not the
// service's. Podman turns itself into a remote client when CONTAINER_HOST or
// CONTAINER_CONNECTION is merely present, even empty (registry.IsRemote in Podman 4.3.1
// through 5.8 uses os.LookupEnv), and a remote `podman system service URI` then dies with
// "accepts at most 1 arg(s), received 2". CONTAINER_SSHKEY and CONTAINER_PASSPHRASE only
// serve a remote client; the StackRox token is no business of Podman's.
var clientOnlyEnv = []string{"CONTAINER_HOST", "CONTAINER_CONNECTION", "CONTAINER_SSHKEY", "CONTAINER_PASSPHRASE",
	"ROX_API_TOKEN", "STACKROX_API_KEY"}

// serviceEnv is the environment of the service image-mcp starts: image-mcp's own
// (CONTAINERS_CONF, CONTAINERS_STORAGE_CONF, XDG_*, …) without clientOnlyEnv.
func serviceEnv(environ []string) []string {
	env := make([]string, 0, len(environ))
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(clientOnlyEnv, name) {
			env = append(env, kv)
		}
	}
	return env
}

// removeStaleSockets removes the sockets of earlier image-mcp processes that were killed
// before they could clean up (nothing answers on them any more).
func removeStaleSockets(dir string) {
	old, _ := filepath.Glob(filepath.Join(dir, "podman-*.sock"))
	for _, f := range old {
		if probeUnix(f) != nil {
			os.Remove(f)
		}
	}
}

// Endpoint is where the client connects: the private socket.
func (a *Autostart) Endpoint(discovered Endpoint) Endpoint {
	ep := discovered
	ep.URL = "unix://" + a.Sock
	ep.Source = "autostart (podman system service started by image-mcp, since no socket answered)"
	return ep
}

// Attach makes the client start the service before it first needs it, and again if the
// service died.
func (a *Autostart) Attach(c *Client) { c.start = a.ensure }

// ensure starts the service unless it runs, and waits until it answers _ping.
func (a *Autostart) ensure(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.stopped {
		return errors.New("image-mcp is stopping")
	}
	if a.cmd != nil && !isClosed(a.done) {
		return nil
	}
	os.Remove(a.Sock)
	cmd := exec.Command(a.Podman, "system", "service", "--time=0", "unix://"+a.Sock)
	cmd.Env = serviceEnv(a.Environ)
	a.out = &tailBuffer{max: 8 << 10}
	cmd.Stdout, cmd.Stderr = a.out, a.out
	cmd.SysProcAttr = serviceProcAttr()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("cannot start `podman system service`: %w", err)
	}
	a.cmd, a.done = cmd, make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { cmd.Wait(); close(done) }(cmd, a.done)
	a.logf("started `%s system service --time=0 unix://%s` (pid %d)", a.Podman, a.Sock, cmd.Process.Pid)

	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", a.Sock)
	}}}
	defer hc.CloseIdleConnections()
	deadline := time.Now().Add(a.ReadyTimeout)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://d/_ping", nil)
		if resp, err := hc.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-a.done:
			return fmt.Errorf("`podman system service` exited before it answered (%v): %s", cmd.ProcessState, a.out.String())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			a.stopLocked()
			return fmt.Errorf("`podman system service` did not answer on %s within %s: %s", a.Sock, a.ReadyTimeout, a.out.String())
		}
	}
}

// Stop ends the service (SIGTERM, then SIGKILL after 10s) and removes its socket.
func (a *Autostart) Stop() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.stopped = true
	a.stopLocked()
	if a.ownDir {
		os.RemoveAll(a.dir)
	}
}

func (a *Autostart) stopLocked() {
	if a.cmd != nil && !isClosed(a.done) {
		a.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-a.done:
		case <-time.After(10 * time.Second):
			a.cmd.Process.Kill()
			<-a.done
		}
		a.logf("stopped the Podman service image-mcp started (pid %d)", a.cmd.Process.Pid)
	}
	os.Remove(a.Sock)
}

func (a *Autostart) logf(format string, args ...any) {
	if a.Logf != nil {
		a.Logf(format, args...)
	}
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// tailBuffer keeps the last bytes a process wrote, for error messages.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = t.b[len(t.b)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := strings.TrimSpace(string(t.b))
	if s == "" {
		return "(no output)"
	}
	return s
}
