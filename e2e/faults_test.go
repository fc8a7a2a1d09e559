package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/image-mcp/image-mcp/internal/fakecentral"
	"github.com/image-mcp/image-mcp/internal/podmantest"
)

// faultPodman is a private Podman service the fault tests may kill and restart.
type faultPodman struct {
	dir, sock string
	cmd       *exec.Cmd
	api       *http.Client
	ver       string
}

func startFaultPodman(t *testing.T, dir string) *faultPodman {
	t.Helper()
	p := &faultPodman{dir: dir, sock: filepath.Join(dir, "podman.sock")}
	p.restart(t)
	t.Cleanup(func() { stopProcess(p.cmd) })
	return p
}

func (p *faultPodman) restart(t *testing.T) {
	t.Helper()
	os.Remove(p.sock)
	cmd, ver, err := podmantest.StartService(p.dir, p.sock, containersC)
	if err != nil {
		t.Fatal(err)
	}
	p.cmd, p.api, p.ver = cmd, unixClient(p.sock), ver
}

// kill ends the service the hard way, as a crash or an OOM kill would.
func (p *faultPodman) kill() {
	p.cmd.Process.Kill()
	p.cmd.Wait()
}

func (p *faultPodman) do(t *testing.T, method, path string, body io.Reader) []byte {
	t.Helper()
	req, _ := http.NewRequest(method, "http://d/v"+p.ver+path, body)
	if body != nil {
		req.Header.Set("Content-Type", "application/x-tar")
	}
	resp, err := p.api.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: HTTP %d %s", method, path, resp.StatusCode, b)
	}
	return b
}

// importRandom imports an image of one random file of size bytes (random, so nothing
// compresses and every stream takes its time).
func (p *faultPodman) importRandom(t *testing.T, ref string, size int64) {
	t.Helper()
	p.do(t, "POST", "/libpod/images/import?reference="+url.QueryEscape(ref), podmantest.RandomRootfs(size))
}

// killableRegistry is docker-registry run directly, so a test can kill it mid-push.
func killableRegistry(t *testing.T, dir string) (addr string, kill func()) {
	t.Helper()
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	addr = fmt.Sprintf("127.0.0.1:%d", port)
	os.MkdirAll(filepath.Join(dir, "data"), 0o755)
	cfg := filepath.Join(dir, fmt.Sprintf("config-%d.yml", port))
	os.WriteFile(cfg, []byte(fmt.Sprintf("version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem: {rootdirectory: %s}\nhttp:\n  addr: %s\n", filepath.Join(dir, "data"), addr)), 0o644)
	bin, err := lookTool("docker-registry")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", cfg)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	kill = func() { once.Do(func() { cmd.Process.Kill(); cmd.Wait() }) }
	t.Cleanup(kill)
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr, kill
		}
	}
	t.Fatalf("registry did not listen on %s", addr)
	return "", nil
}

// progressServer starts image-mcp whose client calls onProgress on every progress
// notification.
func progressServer(t *testing.T, env []string, onProgress *func()) *Server {
	var mu sync.Mutex
	return StartServer(t, ServerOptions{
		Args: []string{"--timeout", "20s"},
		Env:  env,
		Client: &mcp.ClientOptions{ProgressNotificationHandler: func(context.Context, *mcp.ProgressNotificationClientRequest) {
			mu.Lock()
			defer mu.Unlock()
			if *onProgress != nil {
				(*onProgress)()
			}
		}},
	})
}

// callWhileKilling calls a tool with a progress token and runs kill once, at its first
// progress notification (so the stream is surely under way); it returns the result and
// how long the call took after the kill.
func callWhileKilling(t *testing.T, s *Server, hook *func(), tool string, args map[string]any, kill func()) (*mcp.CallToolResult, time.Duration) {
	t.Helper()
	var once sync.Once
	var killedAt time.Time
	killed := make(chan struct{})
	*hook = func() {
		once.Do(func() {
			go func() { kill(); killedAt = time.Now(); close(killed) }()
		})
	}
	defer func() { *hook = nil }()
	params := &mcp.CallToolParams{Name: tool, Arguments: args}
	params.SetProgressToken("fault-" + tool)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res, err := s.Session.CallTool(ctx, params)
	if err != nil {
		t.Fatalf("%s: protocol error, want an isError result: %v", tool, err)
	}
	select {
	case <-killed:
	case <-time.After(30 * time.Second):
		t.Fatalf("%s ended before any progress (so nothing was killed): isError=%v %s", tool, res.IsError, Text(res))
	}
	return res, time.Since(killedAt)
}

func noPartialFiles(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".part") || strings.HasPrefix(e.Name(), "out") {
			t.Errorf("a partial output file was left: %s", filepath.Join(dir, e.Name()))
		}
	}
}

// The Podman service dies in the middle of a push's registry, an export, a load and a
// pull: every call ends in a clear isError soon after, leaves no partial file, and the next
// call works (after the service is restarted where it died).
func TestFaultsPodmanAndRegistryDie(t *testing.T) {
	needPodman(t)
	dir := filepath.Join(workDir, "faults")
	p := startFaultPodman(t, filepath.Join(dir, "podman"))
	const big = "localhost/faults-big:1"
	size := int64(160 << 20)
	p.importRandom(t, big, size)
	archive := filepath.Join(dir, "big.tar")
	f, _ := os.Create(archive)
	req, _ := http.NewRequest("GET", "http://d/v"+p.ver+"/libpod/images/"+url.PathEscape(big)+"/get", nil)
	resp, err := p.api.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(f, resp.Body)
	resp.Body.Close()
	f.Close()

	var hook func()
	s := progressServer(t, []string{"CONTAINER_HOST=unix://" + p.sock}, &hook)
	exists := toolFor(t, "GET", "/libpod/images/{name}/exists").Name
	reg2 := pushWhileRegistryDies(t, s, &hook, dir, big)

	// Podman dies mid-export.
	out := filepath.Join(dir, "out")
	os.MkdirAll(out, 0o755)
	get := toolFor(t, "GET", "/libpod/images/{name}/get").Name
	res, after := callWhileKilling(t, s, &hook, get, map[string]any{"name": big, "output": filepath.Join(out, "out.tar")}, p.kill)
	checkFaultErr(t, "export, Podman killed", res, after, get)
	noPartialFiles(t, out)
	p.restart(t)
	faultNextWorks(t, s, exists, big, "the export")

	// Podman dies mid-load.
	load := toolFor(t, "POST", "/libpod/images/load").Name
	res, after = callWhileKilling(t, s, &hook, load, map[string]any{"upload": archive}, p.kill)
	checkFaultErr(t, "load, Podman killed", res, after, load)
	p.restart(t)
	faultNextWorks(t, s, exists, big, "the load")

	// Podman dies mid-pull.
	pull := toolFor(t, "POST", "/libpod/images/pull").Name
	ref := reg2 + "/faults:1"
	p.do(t, "DELETE", "/libpod/images/"+url.PathEscape(big)+"?force=true", nil) // so the pull copies every byte
	res, after = callWhileKilling(t, s, &hook, pull, map[string]any{"reference": ref, "tlsVerify": false}, p.kill)
	checkFaultErr(t, "pull, Podman killed", res, after, pull)
	p.restart(t)
	s.MustSucceed(t, toolFor(t, "GET", "/libpod/images/json").Name, map[string]any{})
	s.MustSucceed(t, pull, map[string]any{"reference": ref, "tlsVerify": false})
	if res := s.MustSucceed(t, exists, map[string]any{"name": ref}); !strings.Contains(Text(res), "true") {
		t.Fatalf("after the pull: %s", Text(res))
	}
}

// pushWhileRegistryDies: the registry goes away mid-push, killed once a blob upload is
// under way in it; the push then works to a second registry, whose address it returns.
func pushWhileRegistryDies(t *testing.T, s *Server, hook *func(), dir, big string) string {
	t.Helper()
	reg1Dir := filepath.Join(dir, "registry1")
	reg1, killReg := killableRegistry(t, reg1Dir)
	push := toolFor(t, "POST", "/libpod/images/{name}/push").Name
	uploads := filepath.Join(reg1Dir, "data", "docker", "registry", "v2", "repositories", "faults", "_uploads")
	killMidUpload := func() {
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if e, _ := os.ReadDir(uploads); len(e) > 0 {
				break
			}
		}
		killReg()
	}
	pushArgs := map[string]any{"name": big, "destination": reg1 + "/faults:1", "tlsVerify": false, "quiet": false}
	if !olderThan(podmanVer, "5.0.0") {
		// No retries against the dead registry (the retry parameter exists from Podman 5.0.0;
		// image-mcp refuses it on 4.x, which would ignore it).
		pushArgs["retry"] = 0
	}
	res, after := callWhileKilling(t, s, hook, push, pushArgs, killMidUpload)
	if e, _ := os.ReadDir(uploads); len(e) == 0 {
		t.Errorf("no blob upload was under way when the registry was killed")
	}
	checkFaultErr(t, "push, registry killed", res, after, push)
	reg2, _ := killableRegistry(t, filepath.Join(dir, "registry2"))
	s.MustSucceed(t, push, map[string]any{"name": big, "destination": reg2 + "/faults:1", "tlsVerify": false})
	return reg2
}

// faultNextWorks: after a fault the next call works and still finds big.
func faultNextWorks(t *testing.T, s *Server, exists, big, what string) {
	t.Helper()
	res := s.MustSucceed(t, exists, map[string]any{"name": big})
	if !strings.Contains(Text(res), "true") {
		t.Fatalf("after %s: %s is gone: %s", what, big, Text(res))
	}
}

// checkFaultErr: the call that met the fault ended in an isError that names each of want,
// soon after the kill.
func checkFaultErr(t *testing.T, what string, res *mcp.CallToolResult, after time.Duration, want ...string) {
	t.Helper()
	if !res.IsError {
		t.Fatalf("%s: succeeded, want an isError: %s", what, Text(res))
	}
	for _, w := range want {
		if !strings.Contains(Text(res), w) {
			t.Errorf("%s: error does not mention %q: %s", what, w, Text(res))
		}
	}
	if after > 30*time.Second {
		t.Errorf("%s: the call ended %s after the kill", what, after)
	}
	t.Logf("%s: %s (ended %s after the kill)", what, clipTo(Text(res), 300), after.Round(time.Millisecond))
}

// Central answers 500, garbage, a truncated body, or nothing at all: each call ends in a
// clear isError within --timeout, and the next call works.
func TestFaultsCentral(t *testing.T) {
	central := StartFakeCentral(t, FakeCentralOptions{})
	s := StartServer(t, ServerOptions{Args: []string{"--timeout", "3s"}, Env: central.Env(readToken)})
	list := toolFor(t, "GET", "/v1/images").Name
	for _, c := range []struct {
		fault fakecentral.Fault
		want  []string
	}{
		{fakecentral.FaultInternal, []string{"HTTP 500", "the database is unavailable"}},
		{fakecentral.FaultGarbage, []string{list, "StackRox Central", "not JSON"}},
		{fakecentral.FaultTruncated, []string{list, "broke off"}},
		{fakecentral.FaultHang, []string{"did not answer within 3s"}},
	} {
		central.SetFault(c.fault)
		t0 := time.Now()
		res := s.MustFail(t, list, map[string]any{}, c.want...)
		took := time.Since(t0)
		if took > 15*time.Second {
			t.Errorf("%s: the call took %s with --timeout 3s", c.fault, took)
		}
		if strings.Contains(Text(res), "sha2") && c.fault == fakecentral.FaultTruncated {
			t.Errorf("truncated: part of the body reached the model: %s", Text(res))
		}
		t.Logf("%s: %s (%s)", c.fault, clipTo(Text(res), 300), took.Round(time.Millisecond))
		central.SetFault(fakecentral.FaultNone)
		if res := s.MustSucceed(t, list, map[string]any{}); !strings.Contains(Text(res), "nginx") {
			t.Fatalf("after %s: %s", c.fault, Text(res))
		}
	}
}
