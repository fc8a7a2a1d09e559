package podman

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// listen makes a real listening unix socket at path (a stand-in for a Podman socket:
// discovery only checks that something accepts connections).
func listen(t *testing.T, path string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
}

// stale leaves a socket file nobody listens on, as a crashed service does.
func stale(t *testing.T, path string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
}

func write(t *testing.T, path, text string) string {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// baseEnv is an environment with nothing configured, every path under dir.
func baseEnv(dir string) Env {
	return Env{
		XDGRuntimeDir: filepath.Join(dir, "xdg"),
		Home:          filepath.Join(dir, "home"),
		RunDir:        filepath.Join(dir, "run"),
		UID:           1000,
		GOOS:          "linux",
	}
}

func TestDiscoverOrder(t *testing.T) {
	type layout struct{ xdg, user, system, staleXDG bool }
	cases := []struct {
		name       string
		env        func(dir string, e *Env)
		sockets    layout
		wantURL    string // with DIR for the temp dir
		wantSource string
		wantWarn   string
	}{
		{"flag wins over everything", func(d string, e *Env) { e.Flag = "tcp://127.0.0.1:1"; e.ContainerHost = "unix:///x" },
			layout{xdg: true, user: true, system: true}, "tcp://127.0.0.1:1", "--podman-url", ""},
		{"CONTAINER_HOST next", func(d string, e *Env) { e.ContainerHost = "unix:///elsewhere.sock" },
			layout{xdg: true, user: true, system: true}, "unix:///elsewhere.sock", "CONTAINER_HOST", ""},
		{"XDG_RUNTIME_DIR socket first", nil,
			layout{xdg: true, user: true, system: true}, "unix://DIR/xdg/podman/podman.sock", "socket", ""},
		{"then /run/user/<uid>", nil,
			layout{user: true, system: true}, "unix://DIR/run/user/1000/podman/podman.sock", "socket", ""},
		{"then /run/podman", nil,
			layout{system: true}, "unix://DIR/run/podman/podman.sock", "socket", ""},
		{"a stale socket is skipped", nil,
			layout{staleXDG: true, system: true}, "unix://DIR/run/podman/podman.sock", "socket", "does not answer"},
		{"root has no /run/user socket", func(d string, e *Env) { e.UID = 0 },
			layout{user: true}, "", "none", ""},
		{"nothing", nil, layout{}, "", "none", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			env := baseEnv(dir)
			if c.env != nil {
				c.env(dir, &env)
			}
			if c.sockets.xdg {
				listen(t, filepath.Join(dir, "xdg/podman/podman.sock"))
			}
			if c.sockets.staleXDG {
				stale(t, filepath.Join(dir, "xdg/podman/podman.sock"))
			}
			if c.sockets.user {
				listen(t, filepath.Join(dir, "run/user/1000/podman/podman.sock"))
			}
			if c.sockets.system {
				listen(t, filepath.Join(dir, "run/podman/podman.sock"))
			}
			ep := Discover(env)
			want := strings.ReplaceAll(c.wantURL, "DIR", dir)
			if ep.URL != want || ep.Source != c.wantSource {
				t.Fatalf("got %q from %q, want %q from %q (tried %v)", ep.URL, ep.Source, want, c.wantSource, ep.Tried)
			}
			warn := strings.Join(ep.Warnings, "\n")
			if (c.wantWarn == "") != (warn == "") || !strings.Contains(warn, c.wantWarn) {
				t.Fatalf("warnings %q, want %q", warn, c.wantWarn)
			}
		})
	}
}

func TestDiscoverTriedListsCandidatesInOrder(t *testing.T) {
	dir := t.TempDir()
	ep := Discover(baseEnv(dir))
	want := []string{
		"unix://" + dir + "/xdg/podman/podman.sock",
		"unix://" + dir + "/run/user/1000/podman/podman.sock",
		"unix://" + dir + "/run/podman/podman.sock",
	}
	if strings.Join(ep.Tried, " ") != strings.Join(want, " ") {
		t.Fatalf("tried %v, want %v", ep.Tried, want)
	}

	// XDG_RUNTIME_DIR=/run/user/<uid>, as a login gives a rootless user: that socket once.
	env := baseEnv(dir)
	env.XDGRuntimeDir = filepath.Join(dir, "run/user/1000")
	ep = Discover(env)
	want = []string{want[1], want[2]}
	if strings.Join(ep.Tried, " ") != strings.Join(want, " ") {
		t.Fatalf("XDG_RUNTIME_DIR=/run/user/1000: tried %v, want %v", ep.Tried, want)
	}
}

// The JSON file as containers/common writes it (`podman system connection add`).
func TestMachineOnMacOS(t *testing.T) {
	dir := t.TempDir()
	env := baseEnv(dir)
	env.GOOS = "darwin"
	env.MachineSocket = func() (MachineInfo, error) {
		return parseMachineInspect([]byte(`[{"Name":"podman-machine-default","State":"stopped","ConnectionInfo":{"PodmanSocket":{"Path":"/x/api.sock"}}}]`))
	}
	ep := Discover(env)
	if ep.URL != "" || !strings.Contains(strings.Join(ep.Warnings, " "), "podman machine start podman-machine-default") {
		t.Fatalf("got %+v", ep)
	}
	env.GOOS = "linux"
	env.MachineSocket = func() (MachineInfo, error) {
		t.Fatal("machine inspected on Linux without a machine connection")
		return MachineInfo{}, nil
	}
	Discover(env)

	if _, err := parseMachineInspect([]byte(`[]`)); err == nil || !strings.Contains(err.Error(), "podman machine init") {
		t.Fatalf("empty list: %v", err)
	}
}

// A service older than the v4 libpod API is refused with the version it has.
func TestMinimumVersion(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "old.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	ver := "3.4.4"
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Libpod-Api-Version", ver)
		w.Write([]byte("OK"))
	})}
	go srv.Serve(l)
	defer srv.Close()
	c := NewClient(Endpoint{URL: "unix://" + sock, Source: "test"})
	_, err = c.Version(context.Background())
	var uv *UnsupportedVersionError
	if !errors.As(err, &uv) || !strings.Contains(err.Error(), "needs Podman ≥ 4.0.0") || !strings.Contains(err.Error(), "3.4.4") {
		t.Fatalf("got %v", err)
	}
	ver = "4.0.0"
	if v, err := c.Version(context.Background()); err != nil || v != "4.0.0" {
		t.Fatalf("4.0.0: %q %v", v, err)
	}
}

// A password in a Podman URL must not reach logs or tool errors: discovery keeps only the
// redacted URL, and every call answers that passwords are not supported.
func TestDiscoverRedactsPassword(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(*Env)
	}{
		{"flag", func(e *Env) { e.Flag = "ssh://core:s3cretpw@example.com:2222/run/podman/podman.sock" }},
		{"CONTAINER_HOST", func(e *Env) { e.ContainerHost = "tcp://core:s3cretpw@127.0.0.1:8080" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := baseEnv(t.TempDir())
			tc.set(&env)
			ep := Discover(env)
			c := NewClient(ep)
			_, err := c.Version(context.Background())
			all := strings.Join(append([]string{ep.URL, fmt.Sprint(ep.Err), fmt.Sprint(err)}, ep.Tried...), "\n")
			if strings.Contains(all, "s3cretpw") {
				t.Fatalf("the password is kept:\n%s", all)
			}
			if err == nil || !strings.Contains(err.Error(), "passwords in Podman URLs are not supported") {
				t.Fatalf("Version: %v", err)
			}
		})
	}
}
