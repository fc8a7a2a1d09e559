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
const connectionsJSON = `{"Connection":{"Default":"remote","Connections":{
  "remote":{"URI":"ssh://core@example.com:2222/run/user/1000/podman/podman.sock","Identity":"~/.ssh/podman"},
  "podman-machine-default":{"URI":"ssh://core@127.0.0.1:50123/run/user/501/podman/podman.sock","Identity":"/m/key","IsMachine":true},
  "local":{"URI":"unix:///run/podman/podman.sock"}}},
 "Farm":{"List":{}}}`

// containers.conf as Podman 4.x (before podman-connections.json) writes it.
const containersConf = `# a containers.conf
[containers]
default_ulimits = [
  "nofile=1024:1024",
]

[engine]
runtime = "runc"
active_service = "devl" # the default

[engine.service_destinations]
  inline = { uri = "ssh://u@h/run/podman/podman.sock", identity = '/keys/inline' }

  [engine.service_destinations.devl]
  uri = "ssh://root@example.com/run/podman/podman.sock"
  identity = "/home/me/.ssh/id_ed25519"

  [engine.service_destinations."with.dot"]
  uri = "tcp://10.0.0.1:8080"

[machine]
cpus = 2
`

// What `podman system connection add --default --identity /tmp/k testconn
// ssh://root@127.0.0.1:1/run/x.sock` (Podman 4.3.1) wrote into CONTAINERS_CONF.
const podman431Written = `[containers]

[engine]
  runtime = "runc"
  active_service = "testconn"
  [engine.service_destinations]
    [engine.service_destinations.testconn]
      uri = "ssh://root@127.0.0.1:1/run/x.sock"
      identity = "/tmp/k"

[machine]

[network]
`

func TestParsePodmanWrittenConf(t *testing.T) {
	active, dests, err := parseContainersConf([]byte(podman431Written))
	if err != nil || active != "testconn" || len(dests) != 1 || dests["testconn"] != (Destination{URI: "ssh://root@127.0.0.1:1/run/x.sock", Identity: "/tmp/k"}) {
		t.Fatalf("got %q %+v %v", active, dests, err)
	}
}

func TestParseContainersConf(t *testing.T) {
	active, dests, err := parseContainersConf([]byte(containersConf))
	if err != nil {
		t.Fatal(err)
	}
	if active != "devl" {
		t.Fatalf("active_service %q", active)
	}
	want := map[string]Destination{
		"devl":     {URI: "ssh://root@example.com/run/podman/podman.sock", Identity: "/home/me/.ssh/id_ed25519"},
		"inline":   {URI: "ssh://u@h/run/podman/podman.sock", Identity: "/keys/inline"},
		"with.dot": {URI: "tcp://10.0.0.1:8080"},
	}
	if len(dests) != len(want) {
		t.Fatalf("got %v", dests)
	}
	for k, v := range want {
		if dests[k] != v {
			t.Fatalf("%s: got %+v, want %+v", k, dests[k], v)
		}
	}
	if _, _, err := parseContainersConf([]byte("[engine]\nactive_service = \"open\n")); err == nil {
		t.Fatal("an unterminated string is not reported")
	}
}

func TestConnections(t *testing.T) {
	dir := t.TempDir()
	env := baseEnv(dir)
	env.XDGConfigHome = filepath.Join(dir, "config")
	listen(t, filepath.Join(dir, "xdg/podman/podman.sock")) // a local socket loses to a connection

	t.Run("containers.conf default", func(t *testing.T) {
		e := env
		e.ContainersConf = write(t, filepath.Join(dir, "only/containers.conf"), containersConf)
		ep := Discover(e)
		if ep.URL != "ssh://root@example.com/run/podman/podman.sock" || ep.Source != "default connection devl" || ep.SSH.Identity != "/home/me/.ssh/id_ed25519" {
			t.Fatalf("got %+v", ep)
		}
	})
	t.Run("podman-connections.json wins", func(t *testing.T) {
		write(t, filepath.Join(dir, "config/containers/containers.conf"), containersConf)
		write(t, filepath.Join(dir, "config/containers/podman-connections.json"), connectionsJSON)
		ep := Discover(env)
		if ep.URL != "ssh://core@example.com:2222/run/user/1000/podman/podman.sock" || ep.Source != "default connection remote" {
			t.Fatalf("got %+v", ep)
		}
		if ep.SSH.Identity != filepath.Join(env.Home, ".ssh/podman") {
			t.Fatalf("identity %q: ~ not expanded", ep.SSH.Identity)
		}
	})
	t.Run("an identity given to image-mcp wins", func(t *testing.T) {
		e := env
		e.SSHKey = "/mine"
		if ep := Discover(e); ep.SSH.Identity != "/mine" {
			t.Fatalf("identity %q", ep.SSH.Identity)
		}
	})
	t.Run("CONTAINER_CONNECTION picks by name, from either file", func(t *testing.T) {
		for name, url := range map[string]string{"local": "unix:///run/podman/podman.sock", "inline": "ssh://u@h/run/podman/podman.sock"} {
			e := env
			e.ContainerConnection = name
			if ep := Discover(e); ep.URL != url || ep.Source != "CONTAINER_CONNECTION="+name {
				t.Fatalf("%s: got %+v", name, ep)
			}
		}
	})
	t.Run("an unknown CONTAINER_CONNECTION is an error, not a fallback", func(t *testing.T) {
		e := env
		e.ContainerConnection = "nope"
		ep := Discover(e)
		if ep.URL != "" || ep.Err == nil || !strings.Contains(ep.Err.Error(), "podman system connection list") {
			t.Fatalf("got %+v", ep)
		}
		_, err := NewClient(ep).Version(context.Background())
		if err == nil || !strings.Contains(err.Error(), "CONTAINER_CONNECTION=nope") {
			t.Fatalf("client error %v", err)
		}
	})
	t.Run("PODMAN_CONNECTIONS_CONF names the file", func(t *testing.T) {
		e := env
		e.ConnectionsConf = write(t, filepath.Join(dir, "elsewhere.json"), `{"Connection":{"Default":"x","Connections":{"x":{"URI":"tcp://127.0.0.1:9"}}}}`)
		if ep := Discover(e); ep.URL != "tcp://127.0.0.1:9" {
			t.Fatalf("got %+v", ep)
		}
	})
	t.Run("a broken file is a warning", func(t *testing.T) {
		e := env
		e.ConnectionsConf = write(t, filepath.Join(dir, "broken.json"), `{"Connection":`)
		e.ContainersConf = filepath.Join(dir, "missing.conf")
		ep := Discover(e)
		if ep.URL != "unix://"+dir+"/xdg/podman/podman.sock" || !strings.Contains(strings.Join(ep.Warnings, " "), "broken.json") {
			t.Fatalf("got %+v", ep)
		}
	})
	t.Run("a default podman machine connection uses the machine's socket", func(t *testing.T) {
		e := env
		e.XDGRuntimeDir = filepath.Join(dir, "empty")
		e.ConnectionsConf = write(t, filepath.Join(dir, "machine.json"), `{"Connection":{"Default":"podman-machine-default","Connections":{
			"podman-machine-default":{"URI":"ssh://core@127.0.0.1:50123/run/user/501/podman/podman.sock","Identity":"/m/key","IsMachine":true}}}}`)
		sock := filepath.Join(dir, "machine/podman.sock")
		listen(t, sock)
		e.MachineSocket = func() (MachineInfo, error) {
			return ParseMachineInspect([]byte(`[{"Name":"podman-machine-default","State":"running","ConnectionInfo":{"PodmanSocket":{"Path":"` + sock + `"}}}]`))
		}
		ep := Discover(e)
		if ep.URL != "unix://"+sock || ep.Source != "podman machine podman-machine-default" {
			t.Fatalf("got %+v", ep)
		}
	})
}

func TestMachineOnMacOS(t *testing.T) {
	dir := t.TempDir()
	env := baseEnv(dir)
	env.GOOS = "darwin"
	env.MachineSocket = func() (MachineInfo, error) {
		return ParseMachineInspect([]byte(`[{"Name":"podman-machine-default","State":"stopped","ConnectionInfo":{"PodmanSocket":{"Path":"/x/api.sock"}}}]`))
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

	if _, err := ParseMachineInspect([]byte(`[]`)); err == nil || !strings.Contains(err.Error(), "podman machine init") {
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
