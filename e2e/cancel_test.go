package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestLargeImageStreams cancels an export and a load of a large image once bytes are
// moving: the call ends, the upstream request is aborted (the server logs the call as
// finished), and no file is left in the target directory. A whole export and load of it
// keep the server's memory flat; stopping the server mid-export leaves no file.
func TestLargeImageStreams(t *testing.T) {
	needPodman(t)
	const big = "localhost/streams-big:1"
	dir := t.TempDir()
	rootfs := filepath.Join(dir, "big-rootfs.tar")
	bigRootfsTar(t, rootfs, 256<<20)
	f, err := os.Open(rootfs)
	if err != nil {
		t.Fatal(err)
	}
	code, body, err := PodmanRaw("POST", "/libpod/images/import?reference="+big, f)
	f.Close()
	if err != nil || code != 200 {
		t.Fatalf("import the big image: %d %s %v", code, body, err)
	}
	t.Cleanup(func() { removeImage(t, big) })

	plog := &progressLog{}
	s := StartServer(t, ServerOptions{Args: []string{"--log-level", "debug"}, Client: plog.options()})

	t.Run("export", func(t *testing.T) {
		out := t.TempDir()
		cancelWhenMoving(t, s, plog, "export-image", "cancel-export", map[string]any{"name": big, "output": filepath.Join(out, "big.tar")})
		if left := dirNames(t, out); len(left) != 0 {
			t.Fatalf("files left in the target directory after cancel: %v", left)
		}
	})

	t.Run("load", func(t *testing.T) {
		cancelWhenMoving(t, s, plog, "load-image", "cancel-load", map[string]any{"upload": rootfs})
	})

	// The session still works.
	s.MustSucceed(t, "image-exists", map[string]any{"name": big})
	if strings.Contains(s.StderrText(), "DATA RACE") { // with GOFLAGS=-race the binary is checked too
		t.Fatalf("race in image-mcp:\n%s", s.StderrText())
	}

	t.Run("whole export and load keep memory flat", func(t *testing.T) { exportLoadFlat(t, s, big) })

	for _, how := range []string{"stdin closes", "SIGTERM"} {
		t.Run("server stops: "+how, func(t *testing.T) { stopMidCall(t, big, how) })
	}
}

// cancelWhenMoving calls a tool and cancels it at its first progress notification
// that reports bytes moved; the server must end the call as failed.
func cancelWhenMoving(t *testing.T, s *Server, plog *progressLog, tool, tok string, args map[string]any) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	plog.mu.Lock()
	plog.onNote = func(n mcp.ProgressNotificationParams) {
		if n.ProgressToken == tok && n.Progress >= 1 { // bytes moved, not a keep-alive
			cancel()
		}
	}
	plog.mu.Unlock()
	defer func() { plog.mu.Lock(); plog.onNote = nil; plog.mu.Unlock() }()
	start := time.Now()
	res, err := callWithToken(ctx, s, tool, tok, args)
	if err == nil {
		t.Fatalf("%s was not cancelled (the operation finished first: make the image bigger): %s", tool, Text(res))
	}
	t.Logf("%s: the call returned %v after %v", tool, err, time.Since(start))
	// The server finishes the call once the upstream request is aborted. (A call may
	// take more than one round: the client's roots are asked for first.)
	lastLine := func() string {
		line := ""
		for _, l := range strings.Split(s.StderrText(), "\n") {
			if strings.Contains(l, "tool call") && strings.Contains(l, "tool="+tool) {
				line = l
			}
		}
		return line
	}
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(lastLine(), "isError=true") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	line := lastLine()
	if !strings.Contains(line, "isError=true") {
		t.Fatalf("the server did not end %s as failed/cancelled; log:\n%s", tool, s.StderrText())
	}
	t.Logf("server: %s", line)
}

// exportLoadFlat exports the whole big image and loads it back: the server's peak resident
// memory stays far below the 256 MiB it moved each way.
func exportLoadFlat(t *testing.T, s *Server, big string) {
	out := filepath.Join(t.TempDir(), "big.tar")
	res := s.MustSucceed(t, "export-image", map[string]any{"name": big, "output": out, "format": "docker-archive"})
	var fr struct{ Bytes int64 }
	Structured(t, res, &fr)
	if fr.Bytes < 256<<20 {
		t.Fatalf("exported %d bytes, want the whole image: %s", fr.Bytes, Text(res))
	}
	s.MustSucceed(t, "load-image", map[string]any{"upload": out})
	// The server's peak resident memory stays far below the 256 MiB it moved each way.
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	var peakKB int64
	for _, l := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			fmt.Sscan(strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:")), &peakKB)
		}
	}
	t.Logf("image-mcp peak RSS %d KiB after moving %d bytes out and in", peakKB, fr.Bytes)
	if peakKB == 0 || peakKB > 96<<10 {
		t.Fatalf("peak RSS %d KiB: the archive was held in memory", peakKB)
	}
}

// stopMidCall stops the server while it writes an export: its input closes (a client
// that vanished; the go-sdk client's Close would wait for the call instead) or it gets
// SIGTERM. It exits without leaving a file.
func stopMidCall(t *testing.T, big, how string) {
	cmd := exec.Command(binary, "--log-level", "debug")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + workDir, "CONTAINER_HOST=unix://" + podmanSock}
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	var stderr lockedWriter
	stderr.W = &strings.Builder{}
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer stopProcess(cmd)
	client := mcp.NewClient(&mcp.Implementation{Name: "vanishing", Version: "1"}, nil)
	cs, err := client.Connect(context.Background(), &mcp.IOTransport{Reader: stdout, Writer: stdin}, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	go cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "export-image", Arguments: map[string]any{"name": big, "output": filepath.Join(out, "big.tar")}})
	deadline := time.Now().Add(30 * time.Second)
	for len(dirNames(t, out)) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if len(dirNames(t, out)) == 0 {
		t.Fatal("the export never started writing")
	}
	if how == "SIGTERM" {
		cmd.Process.Signal(syscall.SIGTERM)
	} else {
		stdin.Close()
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		t.Logf("server exited (%v); log:\n%s", err, stderr.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("the server did not exit after its input closed; log:\n%s", stderr.String())
	}
	if left := dirNames(t, out); len(left) != 0 {
		t.Fatalf("files left after the server stopped: %v", left)
	}
}
