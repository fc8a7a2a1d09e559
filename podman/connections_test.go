package podman

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

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
	if err != nil || active != "testconn" || len(dests) != 1 || dests["testconn"] != (destination{URI: "ssh://root@127.0.0.1:1/run/x.sock", Identity: "/tmp/k"}) {
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
	want := map[string]destination{
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
}

// The connections of files named elsewhere, or broken, or a podman machine's.
func TestConnectionsElsewhere(t *testing.T) {
	dir := t.TempDir()
	env := baseEnv(dir)
	env.XDGConfigHome = filepath.Join(dir, "config")
	listen(t, filepath.Join(dir, "xdg/podman/podman.sock"))

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
			return parseMachineInspect([]byte(`[{"Name":"podman-machine-default","State":"running","ConnectionInfo":{"PodmanSocket":{"Path":"` + sock + `"}}}]`))
		}
		ep := Discover(e)
		if ep.URL != "unix://"+sock || ep.Source != "podman machine podman-machine-default" {
			t.Fatalf("got %+v", ep)
		}
	})
}
