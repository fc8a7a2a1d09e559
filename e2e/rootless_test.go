package e2e

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

// TestRootless runs image-mcp as an unprivileged user against that user's rootless Podman,
// as most people run it: discovery with no setting, a build with a RUN step, push and pull,
// export to and load from the user's home, doctor, and autostart of a rootless service.
func TestRootless(t *testing.T) {
	needPodman(t)
	u := setupRootless(t)
	run := fmt.Sprintf("%d-%d", os.Getpid(), time.Now().UnixNano()%1e6)
	base := "localhost/rootless-base:" + run
	built := "localhost/rootless-built:" + run
	remote := registry + "/rootless/built:" + run
	t.Cleanup(func() {
		// The user's storage outlives the run: remove what it added.
		u.command("podman", "rmi", "--force", "--ignore", base, built, remote).Run()
		// Podman keeps its pause process for the user's later podman commands; this user
		// has none after the test (the lock keeps other runs out until it is released).
		if pid := u.pausePID(); pid > 0 && alive(pid) && procUID(t, pid) == u.uid {
			syscall.Kill(pid, syscall.SIGTERM)
		}
	})

	svc := u.startService(t)
	plog := &progressLog{}
	opts := ServerOptions{NoPod: true, Wrap: u.wrap(), Env: u.env(), Client: plog.options()}
	s := StartServer(t, opts)

	ok := t.Run("runs unprivileged and finds the rootless socket with no setting", func(t *testing.T) {
		if uid := procUID(t, s.cmd.Process.Pid); uid != u.uid {
			t.Fatalf("image-mcp runs as uid %d, want %d", uid, u.uid)
		}
		if uid := procUID(t, svc.Process.Pid); uid != u.uid {
			t.Fatalf("the Podman service runs as uid %d, want %d", uid, u.uid)
		}
		s.MustSucceed(t, "list-images", nil)
		if want := "url=unix://" + u.sock(); !strings.Contains(s.LoggedText(want), want) {
			t.Fatalf("image-mcp did not log %s:\n%s", want, s.StderrText())
		}
	})

	ok = ok && t.Run("import and build with a RUN step", func(t *testing.T) {
		rootfs := filepath.Join(u.dir, "rootfs.tar")
		data, err := os.ReadFile(busyboxTar)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(rootfs, data, 0o600); err != nil {
			t.Fatal(err)
		}
		u.chown(t, rootfs)
		s.MustSucceed(t, "import-image", map[string]any{"upload": rootfs, "reference": base})

		ctx := filepath.Join(u.dir, "ctx")
		// $((6*7)) prints 42 only when a shell really ran the step (the step's own text has no 42).
		writeFiles(t, ctx, map[string]string{"Containerfile": "FROM " + base + "\nRUN echo run-$((6*7)) uid-$(id -u) > /made-by-run && cat /made-by-run\n"})
		u.chown(t, ctx)
		res := mustProgress(t, s, plog, "build-image", map[string]any{"context": ctx, "t": built, "networkmode": "none"})
		var sum struct {
			ID     string
			Output []string
		}
		Structured(t, res, &sum)
		// uid 0 inside: the user's own uid mapped to root in the user namespace.
		if out := strings.Join(sum.Output, "\n"); !hexID.MatchString(sum.ID) || !strings.Contains(out, "run-42 uid-0") {
			t.Fatalf("the build did not run its RUN step: %s", Text(res))
		}
		if !imgExists(t, s, built) {
			t.Fatalf("%s is not in the user's storage after the build", built)
		}
	})

	ok = ok && t.Run("push and pull against a loopback registry", func(t *testing.T) {
		mustProgress(t, s, plog, "push-image", map[string]any{"name": built, "destination": remote, "tlsVerify": false})
		s.MustSucceed(t, "remove-image-local-storage", map[string]any{"name": built, "force": true})
		if imgExists(t, s, built) {
			t.Fatalf("%s still exists after its removal", built)
		}
		res := mustProgress(t, s, plog, "pull-images", map[string]any{"reference": remote, "tlsVerify": false})
		if !imgExists(t, s, remote) {
			t.Fatalf("%s is not there after the pull: %s", remote, Text(res))
		}
	})

	ok = ok && t.Run("export to and load from the user's home", func(t *testing.T) {
		out := filepath.Join(u.dir, "out")
		if err := os.Mkdir(out, 0o700); err != nil {
			t.Fatal(err)
		}
		u.chown(t, out)
		file := filepath.Join(out, "built.tar")
		mustProgress(t, s, plog, "export-image", map[string]any{"name": remote, "output": file})
		fi, err := os.Stat(file)
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if int(st.Uid) != u.uid || int(st.Gid) != u.gid || fi.Mode().Perm() != 0o600 || fi.Size() == 0 {
			t.Fatalf("%s: owner %d:%d, mode %v, %d bytes; want %d:%d, 0600, not empty", file, st.Uid, st.Gid, fi.Mode().Perm(), fi.Size(), u.uid, u.gid)
		}
		s.MustSucceed(t, "remove-image-local-storage", map[string]any{"name": remote, "force": true})
		res := mustProgress(t, s, plog, "load-image", map[string]any{"upload": file})
		if !imgExists(t, s, remote) {
			t.Fatalf("%s is not there after the load: %s", remote, Text(res))
		}
	})

	ok = ok && t.Run("doctor says rootless", func(t *testing.T) {
		out, code := doctorAs(t, u, nil)
		if code != 0 {
			t.Fatalf("doctor exited %d:\n%s", code, out)
		}
		for _, want := range []string{"[ok]   found unix://" + u.sock(), ", rootless, storage " + u.home + "/.local/share/containers/storage (vfs)", "No problems"} {
			if !strings.Contains(out, want) {
				t.Fatalf("doctor's report lacks %q:\n%s", want, out)
			}
		}
	})
	if !ok {
		return
	}

	// No socket answers now: image-mcp starts the user's rootless service itself, with the
	// connection settings of a client template set but empty.
	s.Session.Close()
	stopProcess(svc)
	if err := probe(u.sock()); err == nil {
		t.Fatalf("the rootless service still answers on %s", u.sock())
	}
	t.Run("autostart of a rootless service, nothing left running after", func(t *testing.T) {
		opts.Env = append(u.env(), clientTemplateEnv...)
		s := StartServer(t, opts)
		if !imgExists(t, s, remote) {
			t.Fatalf("the autostarted service does not see the user's storage (%s is missing):\n%s", remote, s.StderrText())
		}
		m := startedPID.FindStringSubmatch(s.StderrText())
		if m == nil {
			t.Fatalf("no autostart logged:\n%s", s.StderrText())
		}
		sock, pid := m[1], atoi(t, m[2])
		if dir := filepath.Join(u.runtimeDir, "image-mcp") + "/"; !strings.HasPrefix(sock, dir) {
			t.Fatalf("the private socket %s is not under %s", sock, dir)
		}
		if uid := procUID(t, pid); uid != u.uid {
			t.Fatalf("the autostarted service runs as uid %d, want %d", uid, u.uid)
		}
		if out, code := doctorAs(t, u, clientTemplateEnv); code != 0 || !strings.Contains(out, ", rootless, ") {
			t.Fatalf("doctor with autostart (exit %d) does not say rootless:\n%s", code, out)
		}

		s.Session.Close()
		for deadline := time.Now().Add(30 * time.Second); alive(pid) && time.Now().Before(deadline); {
			time.Sleep(100 * time.Millisecond)
		}
		if alive(pid) {
			t.Fatalf("the autostarted service (pid %d) still runs after image-mcp ended", pid)
		}
		if _, err := os.Stat(sock); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("socket %s remains: %v", sock, err)
		}
		if left := processesOf(u.uid, map[int]bool{u.pausePID(): true}); len(left) > 0 {
			t.Fatalf("processes of %s left running after image-mcp ended (besides Podman's pause process):\n%s", u.name, strings.Join(left, "\n"))
		}
	})
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
