// Package e2e tests the built image-mcp binary over stdio, as an MCP client would,
// against a real Podman service and a real registry started privately for the run.
package e2e

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/image-mcp/image-mcp/internal/podmantest"
)

// raceBinary builds image-mcp with the race detector (IMAGE_MCP_E2E_RACE=1): a slower
// run, by hand, that turns a data race in the server into a failing test.
var raceBinary = os.Getenv("IMAGE_MCP_E2E_RACE") == "1"

// The shared fixtures of one test run.
var (
	binary      string // the built image-mcp
	podmanSock  string // a private Podman service's socket
	registry    string // host:port of a loopback registry
	baseImage   = "localhost/busybox:test"
	busyboxTar  string // the root filesystem tarball the base image was imported from
	workDir     string
	podmanAPI   *http.Client
	podmanVer   string
	stopPodman  func()
	stopReg     func()
	containersC string // CONTAINERS_CONF for this sandbox
)

// TestMain builds the binary. The Podman sandbox (service, registry, base image) starts
// on the first test that needs it (needPodman), so the tests that need no Podman (stdio,
// bad input, StackRox, capability files, …) run on a machine without one.
func TestMain(m *testing.M) {
	flag.Parse() // -update (golden_test.go)
	if err := setup(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e setup failed:", err)
		teardown()
		os.Exit(1)
	}
	code := m.Run()
	teardown()
	os.Exit(code)
}

var (
	podmanOnce sync.Once
	podmanErr  error
)

// needPodman starts the run's Podman sandbox the first time a test needs it; a test that
// needs it fails (never skips) when it cannot start.
func needPodman(t testing.TB) {
	t.Helper()
	if err := ensurePodman(); err != nil {
		t.Fatalf("the Podman sandbox did not start: %v\nThe e2e tests need podman, runc, docker-registry and busybox-static: run ./scripts/test.sh, which installs them.", err)
	}
}

func ensurePodman() error {
	podmanOnce.Do(func() { podmanErr = startSandbox() })
	return podmanErr
}

func setup() error {
	var err error
	workDir, err = os.MkdirTemp("", "image-mcp-e2e-")
	if err != nil {
		return err
	}
	binary = filepath.Join(workDir, "image-mcp")
	args := []string{"build", "-o", binary}
	if raceBinary {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, ".")...)
	build.Dir = ".."
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build: %w", err)
	}
	return nil
}

// startSandbox starts the private Podman service and registry and imports the base image.
func startSandbox() error {
	for _, tool := range []string{"podman", "docker-registry", "busybox"} {
		if _, err := lookTool(tool); err != nil {
			return err
		}
	}
	if err := startPodman(); err != nil {
		return err
	}
	// Which Podman this run tests (scripts/test.sh runs the suite once per Podman: the one
	// first in PATH, the wrapper of scripts/podman5.sh in the Podman 5 lane).
	podmanPath, _ := exec.LookPath("podman")
	fmt.Fprintf(os.Stderr, "e2e: against Podman %s (%s)\n", podmanVer, podmanPath)
	if err := startRegistry(); err != nil {
		return err
	}
	return importBaseImage()
}

func teardown() {
	if stopReg != nil {
		stopReg()
	}
	if stopPodman != nil {
		stopPodman()
	}
	if workDir != "" {
		// Podman's vfs storage holds read-only dirs; make them writable to remove them.
		filepath.Walk(workDir, func(p string, info os.FileInfo, err error) error {
			if err == nil && info.IsDir() {
				os.Chmod(p, 0o755)
			}
			return nil
		})
		os.RemoveAll(workDir)
	}
}

func lookTool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, dir := range []string{"/usr/bin", "/bin", "/usr/sbin", "/usr/local/bin"} {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s is not installed", name)
}

// startPodman runs a private Podman service: its own storage, vfs, runc and fixed ulimits,
// on a socket in the work dir (under /tmp, which the Podman 5 of scripts/podman5.sh sees too).
func startPodman() error {
	dir := filepath.Join(workDir, "podman")
	os.MkdirAll(dir, 0o755)
	containersC = filepath.Join(dir, "containers.conf")
	if err := os.WriteFile(containersC, []byte(podmantest.ContainersConf), 0o644); err != nil {
		return err
	}
	// Known search registries, so resolve-image-short-name has a known answer (it exists on
	// Podman 5 only). The service inherits this process's environment.
	regConf := filepath.Join(dir, "registries.conf")
	if err := os.WriteFile(regConf, []byte(`unqualified-search-registries = ["registry.e2e.test", "quay.e2e.test"]`+"\n"), 0o644); err != nil {
		return err
	}
	os.Setenv("CONTAINERS_REGISTRIES_CONF", regConf)
	podmanSock = filepath.Join(dir, "podman.sock")
	cmd, err := StartPodmanService(dir, podmanSock)
	if err != nil {
		return err
	}
	stopPodman = func() { stopProcess(cmd) }
	podmanAPI = unixClient(podmanSock)
	resp, err := podmanAPI.Get("http://d/_ping")
	if err != nil {
		return err
	}
	resp.Body.Close()
	podmanVer = resp.Header.Get("Libpod-Api-Version")
	return nil
}

// StartPodmanService starts a private Podman service with storage under dir on sock, with
// the containers.conf beside sock if there is one, else the run's.
func StartPodmanService(dir, sock string) (*exec.Cmd, error) {
	conf := filepath.Join(filepath.Dir(sock), "containers.conf")
	if _, err := os.Stat(conf); err != nil {
		conf = containersC
	}
	cmd, _, err := podmantest.StartService(dir, sock, conf)
	return cmd, err
}

func stopProcess(cmd *exec.Cmd) { podmantest.StopProcess(cmd) }

// startPodmanWithRegistries starts a Podman service of the test's own (storage under the
// run's work dir, in name) that reads registriesConf as its registries.conf, and gives its
// socket; the service stops with the test.
func startPodmanWithRegistries(t *testing.T, name, registriesConf string) string {
	t.Helper()
	conf := filepath.Join(t.TempDir(), "registries.conf")
	if err := os.WriteFile(conf, []byte(registriesConf), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CONTAINERS_REGISTRIES_CONF", conf) // the service inherits this process's environment
	dir := filepath.Join(workDir, name)
	sock := filepath.Join(dir, "podman.sock")
	cmd, _, err := podmantest.StartService(dir, sock, containersC)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { podmantest.StopProcess(cmd) })
	return sock
}

func unixClient(sock string) *http.Client { return podmantest.UnixClient(sock) }

// FreePort returns a loopback port nobody listens on now.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// StartRegistry runs docker-registry on a free loopback port; extra is appended to its
// config (e.g. an auth section). It returns host:port and a stop function.
func StartRegistry(dir, extra string) (string, func(), error) {
	port, err := FreePort()
	if err != nil {
		return "", nil, err
	}
	os.MkdirAll(filepath.Join(dir, "data"), 0o755)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cfg := fmt.Sprintf("version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem: {rootdirectory: %s}\n  delete: {enabled: true}\nhttp:\n  addr: %s\n%s",
		filepath.Join(dir, "data"), addr, extra)
	cfgPath := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		return "", nil, err
	}
	bin, err := lookTool("docker-registry")
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(bin, "serve", cfgPath)
	logf, _ := os.Create(filepath.Join(dir, "registry.log"))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr, func() { stopProcess(cmd) }, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	stopProcess(cmd)
	return "", nil, fmt.Errorf("registry did not listen on %s", addr)
}

func startRegistry() error {
	addr, stop, err := StartRegistry(filepath.Join(workDir, "registry"), "")
	registry, stopReg = addr, stop
	return err
}

// importBaseImage makes localhost/busybox:test from the machine's busybox, no network.
func importBaseImage() error {
	bb, err := lookTool("busybox")
	if err != nil {
		return err
	}
	root := filepath.Join(workDir, "rootfs")
	os.MkdirAll(filepath.Join(root, "bin"), 0o755)
	data, err := os.ReadFile(bb)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(root, "bin", "busybox"), data, 0o755); err != nil {
		return err
	}
	os.Symlink("busybox", filepath.Join(root, "bin", "sh"))
	busyboxTar = filepath.Join(workDir, "rootfs.tar")
	if out, err := exec.Command("tar", "-C", root, "-cf", busyboxTar, ".").CombinedOutput(); err != nil {
		return fmt.Errorf("tar rootfs: %v: %s", err, out)
	}
	f, err := os.Open(busyboxTar)
	if err != nil {
		return err
	}
	defer f.Close()
	code, body, err := podmanRaw("POST", "/libpod/images/import?reference="+baseImage, f)
	if err != nil || code != 200 {
		return fmt.Errorf("import base image: %d %s %v", code, body, err)
	}
	return nil
}

// PodmanRaw calls the test Podman service directly, to set up and check what the tools did.
func PodmanRaw(method, path string, body io.Reader) (int, []byte, error) {
	if err := ensurePodman(); err != nil {
		return 0, nil, err
	}
	return podmanRaw(method, path, body)
}

// podmanRaw is PodmanRaw without starting the sandbox (the sandbox's own setup uses it).
func podmanRaw(method, path string, body io.Reader) (int, []byte, error) {
	req, err := http.NewRequest(method, "http://d/v"+podmanVer+path, body)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-tar")
	}
	resp, err := podmanAPI.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}
