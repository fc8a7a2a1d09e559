package e2e

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A call after the Podman service restarted on the same socket works without restarting
// image-mcp; a call while it is down says so.
func TestPodmanRestart(t *testing.T) {
	needPodman(t)
	dir, err := os.MkdirTemp(workDir, "rs") // short: Podman refuses a runroot over 50 characters
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "podman.sock")
	cmd, err := StartPodmanService(dir, sock)
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "service.log"))
		t.Fatalf("%v\n%s", err, log)
	}
	s := StartServer(t, ServerOptions{NoPod: true, Env: []string{"CONTAINER_HOST=unix://" + sock}})
	s.MustSucceed(t, "list-images", nil)
	s.MustSucceed(t, "list-images", nil) // a pooled keep-alive connection now exists

	stopProcess(cmd)
	s.MustFail(t, "list-images", nil, "cannot reach the Podman service at unix://"+sock)

	cmd, err = StartPodmanService(dir, sock)
	if err != nil {
		t.Fatal(err)
	}
	defer stopProcess(cmd)
	s.MustSucceed(t, "list-images", nil)

	// Restart again with no failed call in between: the pool holds a connection to the
	// old process, which must not make the next call fail.
	stopProcess(cmd)
	cmd, err = StartPodmanService(dir, sock)
	if err != nil {
		t.Fatal(err)
	}
	defer stopProcess(cmd)
	s.MustSucceed(t, "list-images", nil)
}

// tcp:// reaches a service listening on TCP (here on the test Podman's own storage).
func TestPodmanTCP(t *testing.T) {
	needPodman(t)
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	dir := filepath.Join(workDir, "podman")
	cmd := exec.Command("podman", "--root", filepath.Join(dir, "root"), "--runroot", filepath.Join(dir, "run"),
		"--storage-driver", "vfs", "system", "service", "--time=0", "tcp://"+addr)
	cmd.Env = append(os.Environ(), "CONTAINERS_CONF="+containersC)
	logf, _ := os.Create(filepath.Join(workDir, "tcp-service.log"))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer stopProcess(cmd)
	waitPing(t, "http://"+addr+"/_ping", http.DefaultClient)

	s := StartServer(t, ServerOptions{NoPod: true, Args: []string{"--podman-url", "tcp://" + addr}})
	s.MustSucceed(t, "inspect-image", map[string]any{"name": baseImage})
	if log := s.LoggedText("tcp://" + addr); !strings.Contains(log, "tcp://"+addr) {
		t.Fatalf("the chosen URL is not logged:\n%s", log)
	}
}

func waitPing(t *testing.T, url string, c *http.Client) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := c.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s did not answer within 60s", url)
}

// isolatedPodmanEnv is the environment of a Podman that image-mcp starts itself, with
// storage and runtime files of its own under dir (never the machine's).
func isolatedPodmanEnv(t *testing.T, dir string) []string {
	t.Helper()
	xdg := filepath.Join(dir, "xdg")
	os.MkdirAll(xdg, 0o700)
	storage := filepath.Join(dir, "storage.conf")
	os.WriteFile(storage, []byte(fmt.Sprintf("[storage]\ndriver = \"vfs\"\ngraphroot = %q\nrunroot = %q\n",
		filepath.Join(dir, "root"), filepath.Join(dir, "run"))), 0o644)
	conf := filepath.Join(dir, "containers.conf")
	os.WriteFile(conf, []byte(fmt.Sprintf("[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n[engine]\nruntime = \"runc\"\ntmp_dir = %q\nvolume_path = %q\n",
		filepath.Join(dir, "tmp"), filepath.Join(dir, "volumes"))), 0o644)
	return []string{"XDG_RUNTIME_DIR=" + xdg, "CONTAINERS_CONF=" + conf, "CONTAINERS_STORAGE_CONF=" + storage}
}

var startedPID = regexp.MustCompile(`started .*system service --time=0 unix://(\S+)` + "`" + ` \(pid (\d+)\)`)

// clientTemplateEnv is what client config templates often leave: CONTAINER_HOST and
// CONTAINER_CONNECTION set but empty. image-mcp reads them as unset; Podman reads their
// mere presence as "be a remote client", so the service image-mcp starts must not get them.
var clientTemplateEnv = []string{"CONTAINER_HOST=", "CONTAINER_CONNECTION="}

// With no socket answering, image-mcp starts `podman system service` itself on first use
// and ends it when it exits: on stdin closing, on SIGTERM, and on SIGKILL (the service
// gets the parent-death signal).
func TestPodmanAutostart(t *testing.T) {
	for _, how := range []string{"stdin closed", "SIGTERM", "SIGKILL"} {
		t.Run(how, func(t *testing.T) {
			dir, err := os.MkdirTemp(workDir, "as")
			if err != nil {
				t.Fatal(err)
			}
			s := StartServer(t, ServerOptions{NoPod: true, Env: append(isolatedPodmanEnv(t, dir), clientTemplateEnv...)})
			s.MustSucceed(t, "list-images", nil)
			// Discovery runs in the background; the first Podman call waits for it.
			if log := s.LoggedText("starts `podman system service` on first use"); !strings.Contains(log, "starts `podman system service` on first use") {
				t.Fatalf("autostart is not logged:\n%s", log)
			}
			s.MustSucceed(t, "list-images", nil)
			log := s.LoggedWhen(startedPID.MatchString)
			m := startedPID.FindStringSubmatch(log)
			if m == nil {
				t.Fatalf("no start logged:\n%s", log)
			}
			sock, pid := m[1], atoi(t, m[2])
			t.Logf("image-mcp's log:\n%s", s.StderrText())
			if _, err := os.Stat(filepath.Join(dir, "root", "vfs")); err != nil {
				t.Fatalf("the service did not use the storage of CONTAINERS_STORAGE_CONF: %v", err)
			}
			if !strings.HasPrefix(sock, filepath.Join(dir, "xdg", "image-mcp")+"/") {
				t.Fatalf("socket %s is not under $XDG_RUNTIME_DIR/image-mcp", sock)
			}
			if !alive(pid) {
				t.Fatalf("service pid %d is not running", pid)
			}

			if how == "stdin closed" {
				// A service that died is started again by the next call.
				syscall.Kill(pid, syscall.SIGKILL)
				for _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil; _, err = os.Stat(fmt.Sprintf("/proc/%d", pid)) {
					time.Sleep(50 * time.Millisecond) // until image-mcp has reaped it
				}
				s.MustSucceed(t, "list-images", nil)
				log := s.LoggedWhen(func(log string) bool { return len(startedPID.FindAllString(log, -1)) >= 2 })
				all := startedPID.FindAllStringSubmatch(log, -1)
				if len(all) != 2 {
					t.Fatalf("want a second start after the service died:\n%s", log)
				}
				pid = atoi(t, all[1][2])
			}

			switch how {
			case "stdin closed":
				s.Session.Close()
			case "SIGTERM":
				s.cmd.Process.Signal(syscall.SIGTERM)
			case "SIGKILL":
				s.cmd.Process.Kill()
			}
			deadline := time.Now().Add(30 * time.Second)
			for alive(pid) && time.Now().Before(deadline) {
				time.Sleep(100 * time.Millisecond)
			}
			if alive(pid) {
				t.Fatalf("the Podman service (pid %d) still runs after image-mcp ended (%s)", pid, how)
			}
			if how != "SIGKILL" { // a killed image-mcp cannot clean up; the next one removes the file
				if _, err := os.Stat(sock); !os.IsNotExist(err) {
					t.Fatalf("socket %s remains: %v", sock, err)
				}
				if !strings.Contains(s.StderrText(), "stopped the Podman service image-mcp started") {
					t.Fatalf("stop is not logged:\n%s", s.StderrText())
				}
			} else {
				next := StartServer(t, ServerOptions{NoPod: true, Env: isolatedPodmanEnv(t, dir)})
				if _, err := os.Stat(sock); !os.IsNotExist(err) {
					t.Fatalf("the next image-mcp left the dead socket %s: %v\n%s", sock, err, next.StderrText())
				}
			}
		})
	}
}

// With autostart off, the error says where image-mcp looked and how to start Podman.
func TestPodmanNoAutostart(t *testing.T) {
	for _, o := range []ServerOptions{
		{NoPod: true, Args: []string{"--no-autostart"}},
		{NoPod: true, Env: []string{"IMAGE_MCP_NO_AUTOSTART=true"}},
	} {
		s := StartServer(t, o)
		s.MustFail(t, "list-images", nil, "no Podman service found", "systemctl --user enable --now podman.socket", "no-runtime-dir/podman/podman.sock")
	}
}

func atoi(t *testing.T, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// alive says whether pid runs (a zombie, waiting for its reaper, counts as ended).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z' && s[i+2] != 'X'
	}
	return true
}
