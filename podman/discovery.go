package podman

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/image-mcp/image-mcp/internal/upstreamhttp"
)

// Env is the part of the environment Podman's kind reads: where to look for the service,
// how to log in to it, and the registry auth files (a struct so tests can set it).
type Env struct {
	Flag                string // --podman-url
	ContainerHost       string // CONTAINER_HOST
	ContainerConnection string // CONTAINER_CONNECTION: a `podman system connection` by name
	SSHKey              string // --podman-identity, else CONTAINER_SSHKEY
	KnownHosts          string // --podman-known-hosts, else IMAGE_MCP_SSH_KNOWN_HOSTS; default ~/.ssh/known_hosts
	SSHAuthSock         string // SSH_AUTH_SOCK
	XDGRuntimeDir       string // XDG_RUNTIME_DIR
	XDGConfigHome       string // XDG_CONFIG_HOME
	Home                string // HOME
	ContainersConf      string // CONTAINERS_CONF: when set, the only containers.conf read
	ContainersConfOver  string // CONTAINERS_CONF_OVERRIDE: read last
	ConnectionsConf     string // PODMAN_CONNECTIONS_CONF: the podman-connections.json to read
	RegistryAuthFile    string // REGISTRY_AUTH_FILE: the first registry auth file
	UID                 int
	GOOS                string
	// RunDir is where the system sockets live ("/run"); tests point it elsewhere.
	RunDir string
	// SystemConfFiles are containers.conf files read before the user's (when
	// ContainersConf is empty), lowest precedence first.
	SystemConfFiles []string
	// MachineSocket asks `podman machine inspect` for the machine's API socket; nil skips it.
	MachineSocket func() (MachineInfo, error)
	// Environ is the whole environment ("NAME=value"), which a service image-mcp starts
	// inherits (see serviceEnv).
	Environ []string
}

// EnvFrom reads Podman's environment through getenv. What image-mcp's own settings give
// (Flag or ContainerHost, SSHKey, KnownHosts: --podman-url or CONTAINER_HOST,
// --podman-identity or CONTAINER_SSHKEY, --podman-known-hosts or IMAGE_MCP_SSH_KNOWN_HOSTS)
// and Environ, the whole environment, are left for the caller, who has them.
func EnvFrom(getenv func(string) string) Env {
	return Env{
		ContainerConnection: getenv("CONTAINER_CONNECTION"),
		SSHAuthSock:         getenv("SSH_AUTH_SOCK"),
		XDGRuntimeDir:       getenv("XDG_RUNTIME_DIR"),
		XDGConfigHome:       getenv("XDG_CONFIG_HOME"),
		Home:                getenv("HOME"),
		ContainersConf:      getenv("CONTAINERS_CONF"),
		ContainersConfOver:  getenv("CONTAINERS_CONF_OVERRIDE"),
		ConnectionsConf:     getenv("PODMAN_CONNECTIONS_CONF"),
		RegistryAuthFile:    getenv("REGISTRY_AUTH_FILE"),
		UID:                 os.Getuid(),
		GOOS:                runtime.GOOS,
		RunDir:              "/run",
		SystemConfFiles:     systemConfFiles(),
		MachineSocket:       podmanMachineInspect,
	}
}

// systemConfFiles lists containers.conf files as containers/common reads them.
func systemConfFiles() []string {
	files := []string{"/usr/share/containers/containers.conf", "/etc/containers/containers.conf"}
	drop, _ := filepath.Glob("/etc/containers/containers.conf.d/*.conf")
	return append(files, drop...)
}

// Discover picks the Podman service, first match wins:
//  1. --podman-url
//  2. CONTAINER_HOST
//  3. CONTAINER_CONNECTION, a named `podman system connection`
//  4. the default `podman system connection` (podman-connections.json, then
//     containers.conf `[engine] active_service`)
//  5. the first answering socket of $XDG_RUNTIME_DIR/podman/podman.sock,
//     /run/user/<uid>/podman/podman.sock and /run/podman/podman.sock
//  6. on macOS (or when the default connection is a podman machine), the machine's
//     API socket from `podman machine inspect`
//
// When nothing is found the URL is empty; the caller may then start a service itself.
func Discover(env Env) Endpoint {
	ep := withoutPassword(discover(env))
	ep.AuthFiles = authFiles(env)
	return ep
}

// withoutPassword refuses a URL with a password in it (ssh:// logs in with keys only) and
// keeps only its redacted form, which is what logs and tool errors show.
func withoutPassword(ep Endpoint) Endpoint {
	u, err := url.Parse(ep.URL)
	if err != nil || u.User == nil {
		return ep
	}
	if _, set := u.User.Password(); !set {
		return ep
	}
	red := u.Redacted()
	for i, t := range ep.Tried {
		if t == ep.URL {
			ep.Tried[i] = red
		}
	}
	ep.URL = red
	if ep.Err == nil {
		ep.Err = fmt.Errorf("%s (from %s): passwords in Podman URLs are not supported; use a key (--podman-identity, CONTAINER_SSHKEY) or ssh-agent", red, ep.Source)
	}
	return ep
}

func discover(env Env) Endpoint {
	ssh := SSHOptions{Identity: env.SSHKey, KnownHosts: env.KnownHosts, AgentSock: env.SSHAuthSock, Home: env.Home}
	if env.Flag != "" {
		return Endpoint{URL: env.Flag, Source: "--podman-url", Tried: []string{env.Flag}, SSH: ssh}
	}
	if env.ContainerHost != "" {
		return Endpoint{URL: env.ContainerHost, Source: "CONTAINER_HOST", Tried: []string{env.ContainerHost}, SSH: ssh}
	}
	ep := Endpoint{SSH: ssh}
	ep, found, machineConn := fromConnections(env, ep)
	if found {
		return ep
	}
	if ep, found = fromSockets(env, ep); found {
		return ep
	}
	if (env.GOOS == "darwin" || machineConn) && env.MachineSocket != nil {
		if ep, found = fromMachine(env, ep); found {
			return ep
		}
	}
	ep.Source = "none"
	return ep
}

// fromConnections is steps 3 and 4: the connection CONTAINER_CONNECTION names (found,
// or an error), else the default connection unless it is a podman machine's.
func fromConnections(env Env, ep Endpoint) (_ Endpoint, found, machineConn bool) {
	conns, err := readConnections(env)
	if err != nil {
		ep.Warnings = append(ep.Warnings, err.Error())
	}
	if env.ContainerConnection != "" {
		name := env.ContainerConnection
		ep.Source = "CONTAINER_CONNECTION=" + name
		ep.Tried = append(ep.Tried, "connection "+name)
		c, ok := conns.Connections[name]
		if !ok {
			ep.Err = fmt.Errorf("CONTAINER_CONNECTION=%s: no such `podman system connection` in %s (see `podman system connection list`)", name, conns.describeFiles())
			return ep, true, false
		}
		return conns.endpoint(ep, c), true, false
	}
	name := conns.Default
	if name == "" {
		return ep, false, false
	}
	ep.Tried = append(ep.Tried, "default connection "+name)
	c, ok := conns.Connections[name]
	switch {
	case !ok:
		ep.Warnings = append(ep.Warnings, fmt.Sprintf("the default connection %q is not defined in %s", name, conns.describeFiles()))
	case c.IsMachine:
		// A podman machine's ssh connection trusts the machine's host key blindly in
		// Podman; its local API socket (step 6) needs no such trust.
		return ep, false, true
	default:
		ep.Source = "default connection " + name
		return conns.endpoint(ep, c), true, false
	}
	return ep, false, false
}

// fromSockets is step 5: the first socket that answers.
func fromSockets(env Env, ep Endpoint) (Endpoint, bool) {
	runDir := env.RunDir
	if runDir == "" {
		runDir = "/run"
	}
	var candidates []string
	if env.XDGRuntimeDir != "" {
		candidates = append(candidates, filepath.Join(env.XDGRuntimeDir, "podman", "podman.sock"))
	}
	// A rootless user's XDG_RUNTIME_DIR is usually /run/user/<uid> itself: try it once.
	if userSock := filepath.Join(runDir, "user", fmt.Sprint(env.UID), "podman", "podman.sock"); env.UID > 0 && !slices.Contains(candidates, userSock) {
		candidates = append(candidates, userSock)
	}
	candidates = append(candidates, filepath.Join(runDir, "podman", "podman.sock"))
	for _, c := range candidates {
		ep.Tried = append(ep.Tried, "unix://"+c)
		switch err := probeUnix(c); {
		case err == nil:
			ep.URL, ep.Source = "unix://"+c, "socket"
			return ep, true
		case !os.IsNotExist(err):
			ep.Warnings = append(ep.Warnings, fmt.Sprintf("%s exists but does not answer (%v); skipped", c, upstreamhttp.DialCause(err)))
		}
	}
	return ep, false
}

// fromMachine is step 6: the API socket of the podman machine, when it runs.
func fromMachine(env Env, ep Endpoint) (Endpoint, bool) {
	ep.Tried = append(ep.Tried, "podman machine inspect")
	m, err := env.MachineSocket()
	switch {
	case err != nil:
		ep.Warnings = append(ep.Warnings, err.Error())
	case m.State != "" && m.State != "running":
		ep.Warnings = append(ep.Warnings, fmt.Sprintf("podman machine %s is %s: start it with `podman machine start %s`", m.Name, m.State, m.Name))
	case m.Socket != "":
		ep.URL, ep.Source = "unix://"+m.Socket, "podman machine "+m.Name
		return ep, true
	}
	return ep, false
}

// probeUnix says whether something accepts connections on a unix socket.
func probeUnix(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Mode()&os.ModeSocket == 0 {
		return fmt.Errorf("not a socket")
	}
	c, err := net.DialTimeout("unix", path, 2*time.Second)
	if err != nil {
		return err
	}
	return c.Close()
}

// MachineInfo is the part of `podman machine inspect` discovery uses.
type MachineInfo struct {
	Name   string
	State  string
	Socket string
}

// parseMachineInspect reads `podman machine inspect` output: a JSON array of machines,
// each with Name, State and ConnectionInfo.PodmanSocket.Path.
func parseMachineInspect(out []byte) (MachineInfo, error) {
	var ms []struct {
		Name           string
		State          string
		ConnectionInfo struct {
			PodmanSocket *struct{ Path string }
		}
	}
	if err := json.Unmarshal(out, &ms); err != nil {
		return MachineInfo{}, fmt.Errorf("podman machine inspect: unexpected output: %w", err)
	}
	if len(ms) == 0 {
		return MachineInfo{}, fmt.Errorf("podman machine inspect: no machine (create one with `podman machine init`)")
	}
	m := MachineInfo{Name: ms[0].Name, State: ms[0].State}
	if s := ms[0].ConnectionInfo.PodmanSocket; s != nil {
		m.Socket = s.Path
	}
	if m.Socket == "" {
		return m, fmt.Errorf("podman machine %s has no API socket in `podman machine inspect`", m.Name)
	}
	return m, nil
}

func podmanMachineInspect() (MachineInfo, error) {
	bin, err := exec.LookPath("podman")
	if err != nil {
		return MachineInfo{}, fmt.Errorf("podman is not on PATH, so its machine cannot be inspected")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "machine", "inspect").Output()
	if err != nil {
		msg := err.Error()
		if ee, ok := err.(*exec.ExitError); ok && len(ee.Stderr) > 0 {
			msg = strings.TrimSpace(string(ee.Stderr))
		}
		return MachineInfo{}, fmt.Errorf("podman machine inspect: %s", msg)
	}
	return parseMachineInspect(out)
}
