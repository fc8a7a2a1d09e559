package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestCancelLongOperations cancels an export and a load of a large image once bytes are
// moving: the call ends, the upstream request is aborted (the server logs the call as
// finished), and no file is left in the target directory.
func TestCancelLongOperations(t *testing.T) {
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

	// cancelWhenMoving calls a tool and cancels it at its first progress notification
	// that reports bytes moved.
	cancelWhenMoving := func(t *testing.T, tool, tok string, args map[string]any) {
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
		// The server finishes the call once the upstream request is aborted.
		deadline := time.Now().Add(60 * time.Second)
		for !strings.Contains(s.StderrText(), "tool="+tool) && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		line := ""
		for _, l := range strings.Split(s.StderrText(), "\n") {
			if strings.Contains(l, "tool call") && strings.Contains(l, "tool="+tool) {
				line = l
			}
		}
		if !strings.Contains(line, "isError=true") {
			t.Fatalf("the server did not end %s as failed/cancelled; log:\n%s", tool, s.StderrText())
		}
		t.Logf("server: %s", line)
	}

	t.Run("export", func(t *testing.T) {
		out := t.TempDir()
		cancelWhenMoving(t, "export-image", "cancel-export", map[string]any{"name": big, "output": filepath.Join(out, "big.tar")})
		if left := dirNames(t, out); len(left) != 0 {
			t.Fatalf("files left in the target directory after cancel: %v", left)
		}
	})

	t.Run("load", func(t *testing.T) {
		cancelWhenMoving(t, "load-image", "cancel-load", map[string]any{"upload": rootfs})
	})

	// The session still works.
	s.MustSucceed(t, "image-exists", map[string]any{"name": big})
}
