package e2e

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRootless runs image-mcp as an unprivileged user against that user's rootless Podman,
// as most people run it: discovery with no setting, a build with a RUN step, push and pull,
// export to and load from the user's home, doctor, and autostart of a rootless service.
func TestRootless(t *testing.T) {
	needPodman(t)
	r := startRootless(t)
	ok := t.Run("runs unprivileged and finds the rootless socket with no setting", r.unprivileged)
	ok = ok && t.Run("import and build with a RUN step", r.importAndBuild)
	ok = ok && t.Run("push and pull against a loopback registry", r.pushPull)
	ok = ok && t.Run("export to and load from the user's home", r.exportLoad)
	ok = ok && t.Run("doctor says rootless", r.doctor)
	if !ok {
		return
	}

	// No socket answers now: image-mcp starts the user's rootless service itself, with the
	// connection settings of a client template set but empty.
	r.s.Session.Close()
	stopProcess(r.svc)
	if err := probe(r.u.sock()); err == nil {
		t.Fatalf("the rootless service still answers on %s", r.u.sock())
	}
	t.Run("autostart of a rootless service, nothing left running after", r.autostart)
}

// rootlessRun is what the steps of TestRootless share: the user, its service, the server
// running as the user, and the images the run makes.
type rootlessRun struct {
	u                   rootlessUser
	svc                 *exec.Cmd
	plog                *progressLog
	opts                ServerOptions
	s                   *Server
	base, built, remote string
}

// startRootless starts the user's rootless service and image-mcp as the user; what the
// run adds to the user's storage is removed when the test ends.
func startRootless(t *testing.T) *rootlessRun {
	t.Helper()
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
	return &rootlessRun{u: u, svc: svc, plog: plog, opts: opts, s: s, base: base, built: built, remote: remote}
}

func (r *rootlessRun) unprivileged(t *testing.T) {
	u, s, svc := r.u, r.s, r.svc
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
}

func (r *rootlessRun) importAndBuild(t *testing.T) {
	u, s, plog, base, built := r.u, r.s, r.plog, r.base, r.built
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
}

func (r *rootlessRun) pushPull(t *testing.T) {
	s, plog, built, remote := r.s, r.plog, r.built, r.remote
	mustProgress(t, s, plog, "push-image", map[string]any{"name": built, "destination": remote, "tlsVerify": false})
	s.MustSucceed(t, "remove-image-local-storage", map[string]any{"name": built, "force": true})
	if imgExists(t, s, built) {
		t.Fatalf("%s still exists after its removal", built)
	}
	res := mustProgress(t, s, plog, "pull-images", map[string]any{"reference": remote, "tlsVerify": false})
	if !imgExists(t, s, remote) {
		t.Fatalf("%s is not there after the pull: %s", remote, Text(res))
	}
}

func (r *rootlessRun) exportLoad(t *testing.T) {
	u, s, plog, remote := r.u, r.s, r.plog, r.remote
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
}

func (r *rootlessRun) doctor(t *testing.T) {
	u := r.u
	out, code := doctorAs(t, u, nil)
	if code != 0 {
		t.Fatalf("doctor exited %d:\n%s", code, out)
	}
	for _, want := range []string{"[ok]   found unix://" + u.sock(), ", rootless, storage " + u.home + "/.local/share/containers/storage (vfs)", "No problems"} {
		if !strings.Contains(out, want) {
			t.Fatalf("doctor's report lacks %q:\n%s", want, out)
		}
	}
}

// autostart: no socket answers; image-mcp starts the user's rootless service itself, with
// the connection settings of a client template set but empty, and leaves nothing running.
func (r *rootlessRun) autostart(t *testing.T) {
	u, opts, remote := r.u, r.opts, r.remote
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
}
