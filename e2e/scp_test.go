package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/image-mcp/image-mcp/internal/podmantest"
)

// TestCopyImageToAnotherHost copies an image for real with copy-image-one-host-another: from
// a Podman service of its own to "another host", a private sshd on loopback whose sessions
// use a storage of their own, through a `podman system connection` named dest.
//
// How Podman's scp works decides the set-up (the same in 4.3.1 and 5.8, pkg/domain/utils/scp.go):
// the service runs `podman image save` as a child process (its own binary, no storage flags,
// its environment) into a temp file, copies that over ssh (sftp, with the connection's
// identity) and runs `podman image load` in a shell on the destination (ssh exec, which
// authenticates with ssh-agent only). So the source service takes its storage from
// CONTAINERS_STORAGE_CONF (the child then sees the same images), the sshd serves sftp and sets
// CONTAINERS_STORAGE_CONF for its sessions, and neither side touches the machine's images.
func TestCopyImageToAnotherHost(t *testing.T) {
	needPodman(t) // busyboxTar and the Podman version
	dir, err := os.MkdirTemp(workDir, "scp-")
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, text string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	storage := func(name string) string {
		return write(name+"-storage.conf", fmt.Sprintf("[storage]\ndriver = \"vfs\"\ngraphroot = %q\nrunroot = %q\n",
			filepath.Join(dir, name, "root"), filepath.Join(dir, name, "run")))
	}
	srcStorage, dstStorage := storage("src"), storage("dst")

	f := startSSHD(t, "Subsystem sftp internal-sftp", "SetEnv CONTAINERS_STORAGE_CONF="+dstStorage)
	agent := startAgent(t, f)
	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(filepath.Join(home, ".ssh"), 0o700); err != nil {
		t.Fatal(err)
	}
	hostKeys, err := os.ReadFile(f.knownHosts)
	if err != nil {
		t.Fatal(err)
	}
	write("home/.ssh/known_hosts", string(hostKeys))
	conf := write("containers.conf", podmantest.ContainersConf+fmt.Sprintf(
		"[engine.service_destinations.dest]\nuri = %q\nidentity = %q\n", f.url("/run/podman/podman.sock"), f.userKey))

	const image = "localhost/scp-source:1"
	sock := startScpSource(t, dir, image, "HOME="+home, "SSH_AUTH_SOCK="+agent, "CONTAINERS_CONF="+conf, "CONTAINERS_STORAGE_CONF="+srcStorage)

	s := StartServer(t, ServerOptions{NoPod: true, Env: []string{"CONTAINER_HOST=unix://" + sock}})
	res := s.MustSucceed(t, "copy-image-one-host-another", map[string]any{"name": image, "destination": "dest::"})
	if got := Text(res); !strings.Contains(got, image) {
		t.Errorf("copy answered %s, want the copied image's name", got)
	}

	// What the destination host has now, asked the way Podman asked it: over ssh.
	ssh := exec.Command("ssh", "-i", f.userKey, "-p", fmt.Sprint(f.port), "-o", "UserKnownHostsFile="+f.knownHosts,
		"-o", "BatchMode=yes", "root@127.0.0.1", "podman", "images", "--format", "'{{.Repository}}:{{.Tag}}'")
	ssh.Env = append(os.Environ(), "SSH_AUTH_SOCK=")
	out, err := ssh.CombinedOutput()
	if err != nil {
		t.Fatalf("list the destination's images over ssh: %v: %s", err, out)
	}
	if got := strings.Fields(string(out)); len(got) != 1 || got[0] != image {
		t.Errorf("the destination host holds %q, want just %s", got, image)
	}
}

// startScpSource starts the source Podman service of the copy in dir, with env (its home,
// ssh agent, containers.conf and storage), and imports image into it; it returns the
// service's socket.
func startScpSource(t *testing.T, dir, image string, env ...string) string {
	t.Helper()
	sock := filepath.Join(dir, "podman.sock")
	svc := exec.Command("podman", "system", "service", "--time=0", "unix://"+sock)
	svc.Dir = dir // a neutral directory (Podman 4.3.1 builds read a Containerfile from it)
	svc.Env = append(os.Environ(), env...)
	logf, err := os.Create(filepath.Join(dir, "service.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	svc.Stdout, svc.Stderr = logf, logf
	if err := svc.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopProcess(svc) })
	if _, err := podmantest.WaitReady(sock, 30*time.Second); err != nil {
		log, _ := os.ReadFile(logf.Name())
		t.Fatalf("the source Podman service: %v\n%s", err, log)
	}
	api := unixClient(sock)
	tar, err := os.Open(busyboxTar)
	if err != nil {
		t.Fatal(err)
	}
	defer tar.Close()
	resp, err := api.Post("http://d/v"+podmanVer+"/libpod/images/import?reference="+image, "application/x-tar", tar)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("import into the source service: %v %v", resp, err)
	}
	resp.Body.Close()
	return sock
}
