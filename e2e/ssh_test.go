package e2e

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// sshFixture is a real sshd (Debian's openssh-server) on a loopback port that lets root in
// with one generated key, and the files a client needs.
type sshFixture struct {
	dir, addr      string
	port           int
	userKey        string // accepted private key
	otherKey       string // a key the server does not know
	knownHosts     string // holds the server's real host key
	wrongKnownHost string // holds another key for the same host
	unknownHost    string // holds a key only for another host
}

func keygen(t *testing.T, path string) string {
	t.Helper()
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", filepath.Base(path), "-f", path).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v: %s", err, out)
	}
	pub, err := os.ReadFile(path + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(pub))
}

// startSSHD starts the fixture; extra lines go at the end of its sshd_config.
func startSSHD(t *testing.T, extra ...string) *sshFixture {
	t.Helper()
	sshd, err := lookTool("sshd")
	if err != nil {
		t.Fatalf("%v: ./scripts/test.sh installs openssh-server", err)
	}
	dir, err := os.MkdirTemp(workDir, "ssh-")
	if err != nil {
		t.Fatal(err)
	}
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	f := &sshFixture{dir: dir, port: port, addr: fmt.Sprintf("127.0.0.1:%d", port)}
	hostPub := keygen(t, filepath.Join(dir, "host_key"))
	otherHostPub := keygen(t, filepath.Join(dir, "other_host_key"))
	userPub := keygen(t, filepath.Join(dir, "user_key"))
	keygen(t, filepath.Join(dir, "other_user_key"))
	f.userKey, f.otherKey = filepath.Join(dir, "user_key"), filepath.Join(dir, "other_user_key")

	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	hostField := fmt.Sprintf("[127.0.0.1]:%d", port)
	f.knownHosts = write("known_hosts", hostField+" "+hostPub+"\n")
	f.wrongKnownHost = write("known_hosts_wrong", hostField+" "+otherHostPub+"\n")
	f.unknownHost = write("known_hosts_unknown", "[127.0.0.1]:1 "+hostPub+"\n")
	write("authorized_keys", userPub+"\n")
	cfg := write("sshd_config", strings.Join(append([]string{
		fmt.Sprintf("Port %d", port),
		"ListenAddress 127.0.0.1",
		"HostKey " + filepath.Join(dir, "host_key"),
		"PidFile " + filepath.Join(dir, "sshd.pid"),
		"AuthorizedKeysFile " + filepath.Join(dir, "authorized_keys"),
		"AllowUsers root",
		"PermitRootLogin prohibit-password",
		"PasswordAuthentication no",
		"KbdInteractiveAuthentication no",
		"UsePAM no",
		"StrictModes no",
		"AllowStreamLocalForwarding yes",
		"LogLevel VERBOSE",
	}, extra...), "\n")+"\n")
	// sshd's privilege separation directory; Debian's service makes it at boot.
	os.MkdirAll("/run/sshd", 0o755)
	cmd := exec.Command(sshd, "-D", "-e", "-f", cfg)
	logf, _ := os.Create(filepath.Join(dir, "sshd.log"))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopProcess(cmd) })
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", f.addr, time.Second)
		if err == nil {
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			banner, _ := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if strings.HasPrefix(banner, "SSH-2.0-") {
				return f
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "sshd.log"))
			t.Fatalf("sshd did not start on %s:\n%s", f.addr, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (f *sshFixture) url(path string) string {
	return fmt.Sprintf("ssh://root@%s%s", f.addr, path)
}

// ssh:// reaches the test Podman's socket through a real sshd, with the key given by
// flag, by CONTAINER_SSHKEY, by ssh-agent or by a `podman system connection`; an unknown or
// wrong host key and a key the server refuses are refused with what to do.
func TestPodmanSSH(t *testing.T) {
	needPodman(t)
	f := startSSHD(t)
	agentSock := startAgent(t, f)
	connections := filepath.Join(f.dir, "podman-connections.json")
	os.WriteFile(connections, []byte(fmt.Sprintf(`{"Connection":{"Default":"remote","Connections":{"remote":{"URI":%q,"Identity":%q}}}}`,
		f.url(podmanSock), f.userKey)), 0o600)

	ok := []struct {
		name string
		o    ServerOptions
	}{
		{"flags", ServerOptions{NoPod: true, Args: []string{"--podman-url", f.url(podmanSock), "--podman-identity", f.userKey, "--podman-known-hosts", f.knownHosts}}},
		{"CONTAINER_HOST and CONTAINER_SSHKEY", ServerOptions{NoPod: true, Env: []string{"CONTAINER_HOST=" + f.url(podmanSock), "CONTAINER_SSHKEY=" + f.userKey, "IMAGE_MCP_SSH_KNOWN_HOSTS=" + f.knownHosts}}},
		{"ssh-agent", ServerOptions{NoPod: true, Env: []string{"CONTAINER_HOST=" + f.url(podmanSock), "SSH_AUTH_SOCK=" + agentSock, "IMAGE_MCP_SSH_KNOWN_HOSTS=" + f.knownHosts}}},
		{"default podman system connection", ServerOptions{NoPod: true, Env: []string{"PODMAN_CONNECTIONS_CONF=" + connections, "IMAGE_MCP_SSH_KNOWN_HOSTS=" + f.knownHosts}}},
		{"known_hosts in ~/.ssh", ServerOptions{NoPod: true, Env: []string{"HOME=" + homeWithKnownHosts(t, f), "CONTAINER_HOST=" + f.url(podmanSock), "CONTAINER_SSHKEY=" + f.userKey}}},
	}
	for _, c := range ok {
		t.Run(c.name, func(t *testing.T) {
			s := StartServer(t, c.o)
			s.MustSucceed(t, "inspect-image", map[string]any{"name": baseImage})
			s.MustSucceed(t, "list-images", nil) // a second channel over the same login
			if !strings.Contains(s.StderrText(), f.url(podmanSock)) {
				t.Fatalf("the chosen URL is not logged:\n%s", s.StderrText())
			}
		})
	}

	refused := []struct {
		name       string
		url        string
		key, known string
		want       []string
	}{
		{"wrong host key", f.url(podmanSock), f.userKey, f.wrongKnownHost,
			[]string{"does NOT match", f.wrongKnownHost, "ssh-keygen -f " + f.wrongKnownHost + " -R '[127.0.0.1]:"}},
		{"unknown host", f.url(podmanSock), f.userKey, f.unknownHost,
			[]string{"is not in " + f.unknownHost, fmt.Sprintf("ssh-keyscan -p %d 127.0.0.1", f.port)}},
		{"no known_hosts file", f.url(podmanSock), f.userKey, filepath.Join(f.dir, "missing"),
			[]string{"no known_hosts file", "ssh-keyscan"}},
		{"wrong user key", f.url(podmanSock), f.otherKey, f.knownHosts,
			[]string{"refused the login as \"root\"", "the key " + f.otherKey, "authorized_keys"}},
		{"no Podman at that path", f.url("/nonexistent/podman.sock"), f.userKey, f.knownHosts,
			[]string{"cannot open /nonexistent/podman.sock", "podman.socket"}},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			s := StartServer(t, ServerOptions{NoPod: true, Args: []string{"--podman-url", c.url, "--podman-identity", c.key, "--podman-known-hosts", c.known}})
			res := s.MustFail(t, "list-images", nil, c.want...)
			t.Log(Text(res))
		})
	}
}

// startAgent runs ssh-agent holding the accepted key and returns its socket.
func startAgent(t *testing.T, f *sshFixture) string {
	t.Helper()
	sock := filepath.Join(f.dir, "agent.sock")
	cmd := exec.Command("ssh-agent", "-D", "-a", sock)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopProcess(cmd) })
	deadline := time.Now().Add(10 * time.Second)
	for {
		add := exec.Command("ssh-add", f.userKey)
		add.Env = append(os.Environ(), "SSH_AUTH_SOCK="+sock)
		out, err := add.CombinedOutput()
		if err == nil {
			return sock
		}
		if time.Now().After(deadline) {
			t.Fatalf("ssh-add: %v: %s", err, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func homeWithKnownHosts(t *testing.T, f *sshFixture) string {
	home := filepath.Join(f.dir, "home")
	os.MkdirAll(filepath.Join(home, ".ssh"), 0o700)
	data, _ := os.ReadFile(f.knownHosts)
	os.WriteFile(filepath.Join(home, ".ssh", "known_hosts"), data, 0o600)
	return home
}
