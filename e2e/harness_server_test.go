package e2e

// The built binary with a go-sdk client connected to it over stdio.

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/image-mcp/image-mcp/internal/syncio"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

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
