package e2e

// The unprivileged user of TestRootless and its own rootless Podman.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// rootlessUser is the unprivileged user scripts/rootless.sh sets up: rootless Podman as a
// desktop user runs it, with its socket at $XDG_RUNTIME_DIR/podman/podman.sock.
type rootlessUser struct {
	name       string
	uid, gid   int
	home       string
	runtimeDir string // XDG_RUNTIME_DIR: /run/user/UID
	dir        string // this run's files, in the user's home
}

// loginPath is the PATH of a fresh Debian login: the distro's Podman, not one a test lane
// put first in the tests' own PATH.
const loginPath = "/usr/local/bin:/usr/bin:/bin"

// env is a login environment of the user: no CONTAINER_HOST, nothing pointing at a socket.
func (u rootlessUser) env() []string {
	return []string{"HOME=" + u.home, "USER=" + u.name, "LOGNAME=" + u.name, "PATH=" + loginPath, "XDG_RUNTIME_DIR=" + u.runtimeDir}
}

// wrap runs a command as the user, with no capabilities left (setuid from root to a
// non-zero uid clears them), in the user's home (the tests' own directory may be closed to it).
func (u rootlessUser) wrap() []string {
	return []string{"setpriv", fmt.Sprintf("--reuid=%d", u.uid), fmt.Sprintf("--regid=%d", u.gid), "--init-groups", "--", "env", "-C", u.home}
}

func (u rootlessUser) sock() string { return filepath.Join(u.runtimeDir, "podman", "podman.sock") }

// setupRootless makes the user with scripts/rootless.sh (idempotent), takes the machine-wide
// lock of the rootless tests (concurrent runs share the user and its socket) and makes this
// run's directory in the user's home.
func setupRootless(t *testing.T) rootlessUser {
	t.Helper()
	if os.Geteuid() != 0 {
		// CI runs as root (scripts/test.sh), so this never skips there.
		t.Skip("the rootless tests run Podman and image-mcp as another user: run them as root (scripts/test.sh does)")
	}
	for _, tool := range []string{"setpriv", "newuidmap", "newgidmap"} {
		if _, err := lookTool(tool); err != nil {
			t.Fatalf("%v: run ./scripts/test.sh, which installs it", err)
		}
	}
	var stderr bytes.Buffer
	cmd := exec.Command("bash", "../scripts/rootless.sh")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("scripts/rootless.sh: %v\n%s", err, stderr.String())
	}
	f := strings.Fields(string(out))
	if len(f) != 4 {
		t.Fatalf("scripts/rootless.sh printed %q, want name, uid, home and runtime dir", out)
	}
	u := rootlessUser{name: f[0], home: f[2], runtimeDir: f[3]}
	u.uid, _ = strconv.Atoi(f[1])
	u.gid = u.uid
	if g, err := exec.Command("id", "-g", u.name).Output(); err == nil {
		u.gid, _ = strconv.Atoi(strings.TrimSpace(string(g)))
	}

	os.MkdirAll("/run/lock", 0o755)
	lock, err := os.OpenFile("/run/lock/image-mcp-rootless-tests.lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lock.Close() })

	// The user runs the binary the harness built in workDir: let it through (not list) that dir.
	if err := os.Chmod(workDir, 0o711); err != nil {
		t.Fatal(err)
	}
	u.dir = filepath.Join(u.home, fmt.Sprintf("e2e-%d", os.Getpid()))
	if err := os.MkdirAll(u.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(u.dir) })
	u.chown(t, u.dir)
	return u
}

// chown gives path (and what is under it) to the user.
func (u rootlessUser) chown(t *testing.T, path string) {
	t.Helper()
	err := filepath.Walk(path, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, u.uid, u.gid)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// command is name run as the user in its login environment, in its home.
func (u rootlessUser) command(name string, args ...string) *exec.Cmd {
	w := u.wrap()
	cmd := exec.Command(w[0], append(append(w[1:], name), args...)...)
	cmd.Env = u.env()
	return cmd
}

// startService runs the user's rootless `podman system service` on its default socket, as
// `systemctl --user start podman.socket` would provide, and waits until it answers.
func (u rootlessUser) startService(t *testing.T) *exec.Cmd {
	t.Helper()
	if err := probe(u.sock()); err == nil {
		t.Fatalf("something already answers on %s; the rootless tests need it free", u.sock())
	}
	cmd := u.command("podman", "system", "service", "--time=0")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM} // never outlive the test
	logPath := filepath.Join(u.dir, "service.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopProcess(cmd) })
	for deadline := time.Now().Add(60 * time.Second); probe(u.sock()) != nil; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logPath)
			t.Fatalf("the rootless service did not answer on %s:\n%s", u.sock(), log)
		}
	}
	return cmd
}

// probe says whether a Podman service answers _ping on sock.
func probe(sock string) error {
	resp, err := unixClient(sock).Get("http://d/_ping")
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("_ping answered %d", resp.StatusCode)
	}
	return nil
}

// procUID is the real uid of a running process.
func procUID(t *testing.T, pid int) int {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "Uid:"); ok {
			return atoi(t, strings.Fields(rest)[0])
		}
	}
	t.Fatalf("no Uid line in /proc/%d/status", pid)
	return -1
}

// processesOf lists the live processes of uid as "pid cmdline", leaving out skip.
func processesOf(uid int, skip map[int]bool) []string {
	var out []string
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || skip[pid] || !alive(pid) {
			continue
		}
		fi, err := os.Stat("/proc/" + e.Name())
		if err != nil || int(fi.Sys().(*syscall.Stat_t).Uid) != uid {
			continue
		}
		cmdline, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		out = append(out, fmt.Sprintf("%d %s", pid, strings.ReplaceAll(string(cmdline), "\x00", " ")))
	}
	return out
}

// pausePID is rootless Podman's pause process, which holds the user's namespace for every
// later podman of the user (Podman keeps it by design; `podman system migrate` ends it).
func (u rootlessUser) pausePID() int {
	b, err := os.ReadFile(filepath.Join(u.runtimeDir, "libpod", "tmp", "pause.pid"))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

// doctorAs runs `image-mcp doctor` as the user, with extra environment.
func doctorAs(t *testing.T, u rootlessUser, extra []string) (string, int) {
	t.Helper()
	cmd := u.command(binary, "doctor")
	cmd.Env = append(cmd.Env, extra...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, io.Discard
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return out.String(), ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), 0
}
