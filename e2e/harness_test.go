// Package e2e tests the built image-mcp binary over stdio, as an MCP client would,
// against a real Podman service and a real registry started privately for the run.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/image-mcp/image-mcp/internal/podmantest"
	"github.com/image-mcp/image-mcp/internal/syncio"
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

// Server is a running image-mcp binary with a connected client session.
type Server struct {
	Session *mcp.ClientSession
	Stderr  *bytes.Buffer
	cmd     *exec.Cmd
	client  *mcp.Client // to change the client's roots
}

// ServerOptions tune how the binary is started.
type ServerOptions struct {
	Args   []string
	Env    []string // added to a clean environment (PATH, HOME, and the test Podman)
	NoPod  bool     // do not point it at the test Podman
	Wrap   []string // run the binary under this command (e.g. setpriv with fewer capabilities)
	Client *mcp.ClientOptions
	// ProtocolVersion the client asks for; empty: the go-sdk's latest.
	ProtocolVersion string
}

// StartServer starts the binary and connects a go-sdk client to it over stdio.
func StartServer(t testing.TB, o ServerOptions) *Server {
	t.Helper()
	cmd := exec.Command(binary, o.Args...)
	if len(o.Wrap) > 0 {
		cmd = exec.Command(o.Wrap[0], append(append(o.Wrap[1:len(o.Wrap):len(o.Wrap)], binary), o.Args...)...)
	}
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + workDir, "XDG_RUNTIME_DIR=" + filepath.Join(workDir, "no-runtime-dir")}
	if raceBinary {
		// A data race ends the server at once, so the test that provoked it fails.
		cmd.Env = append(cmd.Env, "GORACE=halt_on_error=1")
	}
	if !o.NoPod {
		needPodman(t)
		cmd.Env = append(cmd.Env, "CONTAINER_HOST=unix://"+podmanSock)
	}
	cmd.Env = append(cmd.Env, o.Env...)
	stderr := &bytes.Buffer{}
	cmd.Stderr = &lockedWriter{W: stderr}
	client := mcp.NewClient(&mcp.Implementation{Name: "e2e", Version: "1"}, o.Client)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cs, err := client.Connect(ctx, &mcp.CommandTransport{Command: cmd, TerminateDuration: 5 * time.Second}, &mcp.ClientSessionOptions{ProtocolVersion: o.ProtocolVersion})
	if err != nil {
		t.Fatalf("connect to image-mcp: %v\nstderr:\n%s", err, stderr)
	}
	s := &Server{Session: cs, Stderr: stderr, cmd: cmd, client: client}
	t.Cleanup(func() { cs.Close() })
	return s
}

// Call calls a tool and fails the test on a protocol error (not on an isError result).
func (s *Server) Call(t testing.TB, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res, err := s.Session.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("call %s: %v", name, err)
	}
	checkAnswer(t, name, res)
	return res
}

// checkAnswer: no answer carries structuredContent (a client that forwards it
// would drop the notices), and a success's last text item is its JSON, notices before it.
func checkAnswer(t testing.TB, name string, res *mcp.CallToolResult) {
	t.Helper()
	if res.StructuredContent != nil {
		t.Fatalf("%s: an answer with structuredContent: clients that forward it drop the text items, notices included", name)
	}
	if res.IsError || len(res.Content) == 0 {
		return
	}
	tc, ok := res.Content[len(res.Content)-1].(*mcp.TextContent)
	if !ok {
		t.Fatalf("%s: the last content block is %T, not the JSON text", name, res.Content[len(res.Content)-1])
	}
	if !json.Valid([]byte(tc.Text)) {
		t.Fatalf("%s: the last text block is not JSON: %.300s", name, tc.Text)
	}
}

// MustSucceed calls a tool and fails the test unless the result is a success.
func (s *Server) MustSucceed(t testing.TB, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	res := s.Call(t, name, args)
	if res.IsError {
		t.Fatalf("%s(%v) failed: %s", name, args, Text(res))
	}
	return res
}

// MustFail calls a tool and fails the test unless the result is an isError whose text
// contains every one of want.
func (s *Server) MustFail(t testing.TB, name string, args map[string]any, want ...string) *mcp.CallToolResult {
	t.Helper()
	res := s.Call(t, name, args)
	if !res.IsError {
		t.Fatalf("%s(%v) succeeded, want an error: %s", name, args, Text(res))
	}
	for _, w := range want {
		if !strings.Contains(Text(res), w) {
			t.Fatalf("%s(%v) error does not mention %q:\n%s", name, args, w, Text(res))
		}
	}
	return res
}

// Text joins the text contents of a result.
func Text(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// Answer is a success's JSON: its last text item (notices come before it).
func Answer(res *mcp.CallToolResult) string {
	if len(res.Content) == 0 {
		return ""
	}
	tc, _ := res.Content[len(res.Content)-1].(*mcp.TextContent)
	if tc == nil {
		return ""
	}
	return tc.Text
}

// Structured decodes a result's answer (its JSON, the last text item) into v.
func Structured(t testing.TB, res *mcp.CallToolResult, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(Answer(res)), v); err != nil {
		t.Fatalf("answer %.300s: %v", Answer(res), err)
	}
}

// lockedWriter is the binary's stderr: the process writes while tests read.
type lockedWriter = syncio.Writer

// StderrText is what the binary logged so far.
func (s *Server) StderrText() string {
	return s.cmd.Stderr.(*lockedWriter).String()
}

// LoggedText is StderrText once it holds want, or after 10 s: a line the server logged
// before an answer may still be in the pipe to this process when the answer is read.
func (s *Server) LoggedText(want string) string {
	return s.LoggedWhen(func(log string) bool { return strings.Contains(log, want) })
}

// LoggedWhen is StderrText once ok says it holds what is awaited, or after 10 s.
func (s *Server) LoggedWhen(ok func(log string) bool) string {
	deadline := time.Now().Add(10 * time.Second)
	for {
		text := s.StderrText()
		if ok(text) || time.Now().After(deadline) {
			return text
		}
		time.Sleep(5 * time.Millisecond)
	}
}
