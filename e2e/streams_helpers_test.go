package e2e

import (
	"archive/tar"
	"context"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// progressLog collects the progress notifications a client receives.
type progressLog struct {
	mu    sync.Mutex
	notes []mcp.ProgressNotificationParams
	// onNote, when set, sees each notification as it arrives.
	onNote func(mcp.ProgressNotificationParams)
}

func (p *progressLog) options() *mcp.ClientOptions {
	return &mcp.ClientOptions{ProgressNotificationHandler: func(_ context.Context, req *mcp.ProgressNotificationClientRequest) {
		p.mu.Lock()
		p.notes = append(p.notes, *req.Params)
		f := p.onNote
		p.mu.Unlock()
		if f != nil {
			f(*req.Params)
		}
	}}
}

// forToken returns the notifications of one call.
func (p *progressLog) forToken(tok string) []mcp.ProgressNotificationParams {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []mcp.ProgressNotificationParams
	for _, n := range p.notes {
		if n.ProgressToken == tok {
			out = append(out, n)
		}
	}
	return out
}

// lastToken is the token of the latest notification.
func (p *progressLog) lastToken() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.notes) == 0 {
		return ""
	}
	tok, _ := p.notes[len(p.notes)-1].ProgressToken.(string)
	return tok
}

// callWithToken calls a tool with a progress token; ctx may be cancelled by the caller.
func callWithToken(ctx context.Context, s *Server, name, tok string, args map[string]any) (*mcp.CallToolResult, error) {
	p := &mcp.CallToolParams{Name: name, Arguments: args}
	p.SetProgressToken(tok)
	return s.Session.CallTool(ctx, p)
}

// mustProgress calls a tool with a progress token, requires success and at least one
// progress notification for that token, and returns the result.
func mustProgress(t *testing.T, s *Server, plog *progressLog, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	tok := name + "-" + time.Now().Format("150405.000000000")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res, err := callWithToken(ctx, s, name, tok, args)
	if err != nil {
		t.Fatalf("call %s: %v", name, err)
	}
	if res.IsError {
		t.Fatalf("%s(%v) failed: %s", name, args, Text(res))
	}
	// Notifications may arrive just after the result.
	deadline := time.Now().Add(5 * time.Second)
	for len(plog.forToken(tok)) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	notes := plog.forToken(tok)
	if len(notes) == 0 {
		t.Fatalf("%s: no progress notification for token %q", name, tok)
	}
	for i := 1; i < len(notes); i++ { // MCP: progress increases with every notification
		if notes[i].Progress <= notes[i-1].Progress {
			t.Fatalf("%s: progress went from %v (%q) to %v (%q)", name, notes[i-1].Progress, notes[i-1].Message, notes[i].Progress, notes[i].Message)
		}
	}
	t.Logf("%s: %d progress notifications, last %q", name, len(notes), notes[len(notes)-1].Message)
	return res
}

// tarEntries lists the names in a tar file.
func tarEntries(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatalf("%s is not a valid tar: %v", path, err)
		}
		names = append(names, h.Name)
	}
}

// writeFiles creates files (name → content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// bigRootfsTar writes a root filesystem tar with busybox and size bytes of random data,
// streamed, for operations that must take a while.
func bigRootfsTar(t *testing.T, path string, size int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	bb, err := os.ReadFile(filepath.Join(workDir, "rootfs", "bin", "busybox"))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []*tar.Header{
		{Name: "bin/", Typeflag: tar.TypeDir, Mode: 0o755},
		{Name: "bin/busybox", Typeflag: tar.TypeReg, Mode: 0o755, Size: int64(len(bb))},
		{Name: "big.bin", Typeflag: tar.TypeReg, Mode: 0o644, Size: size},
	} {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		switch h.Name {
		case "bin/busybox":
			tw.Write(bb)
		case "big.bin":
			rng := rand.NewChaCha8([32]byte{1, 2, 3})
			if _, err := io.CopyN(tw, rng, size); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
}

// dirNames lists a directory's entries.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}
