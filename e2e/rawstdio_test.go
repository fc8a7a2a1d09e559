package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// RawServer is the binary driven by hand-written JSON-RPC lines on stdin, for input no
// well-behaved client would send. Every stdout line is kept to check that nothing but
// JSON-RPC ever reaches it.
type RawServer struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	stderr *lockedWriter
	errBuf *bytes.Buffer
	mu     sync.Mutex
	lines  [][]byte
	byID   map[string]chan json.RawMessage
	next   int
	closed chan struct{}
	// Init is the answer to initialize, as it came.
	Init json.RawMessage
	// serve answers the server's own requests (elicitation/create, roots/list): the
	// JSON of the answer's "result" or "error" member, e.g. `"result":{}`.
	serve func(method string, params json.RawMessage) string
	wmu   sync.Mutex
}

// StartRaw starts the binary with the same clean environment as StartServer and
// initializes the session.
func StartRaw(t testing.TB, o ServerOptions) *RawServer {
	t.Helper()
	return StartRawWith(t, o, `{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}`, nil)
}

// StartRawWith is StartRaw with the initialize params given, and serve answering the
// server's requests to the client (nil: none are answered).
func StartRawWith(t testing.TB, o ServerOptions, initParams string, serve func(method string, params json.RawMessage) string) *RawServer {
	t.Helper()
	cmd := exec.Command(binary, o.Args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + workDir, "XDG_RUNTIME_DIR=" + filepath.Join(workDir, "no-runtime-dir")}
	if !o.NoPod {
		needPodman(t)
		cmd.Env = append(cmd.Env, "CONTAINER_HOST=unix://"+podmanSock)
	}
	cmd.Env = append(cmd.Env, o.Env...)
	r := &RawServer{cmd: cmd, errBuf: &bytes.Buffer{}, byID: map[string]chan json.RawMessage{}, closed: make(chan struct{}), serve: serve}
	r.stderr = &lockedWriter{W: r.errBuf}
	cmd.Stderr = r.stderr
	var err error
	if r.in, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go r.read(out)
	t.Cleanup(func() {
		r.in.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	r.Init = r.Request(t, "initialize", initParams)
	r.Write(t, `{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	return r
}

func (r *RawServer) read(out io.Reader) {
	defer close(r.closed)
	br := bufio.NewReaderSize(out, 1<<20)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			r.mu.Lock()
			r.lines = append(r.lines, line)
			var msg struct {
				ID     json.RawMessage `json:"id"`
				Method string          `json:"method"`
				Params json.RawMessage `json:"params"`
			}
			if json.Unmarshal(line, &msg) == nil && len(msg.ID) > 0 && msg.Method != "" {
				if r.serve != nil {
					go r.answer(msg.ID, msg.Method, msg.Params)
				}
			} else if len(msg.ID) > 0 {
				if ch := r.byID[string(msg.ID)]; ch != nil {
					ch <- json.RawMessage(line)
					delete(r.byID, string(msg.ID))
				}
			}
			r.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// Write sends one raw line (a newline is added).
func (r *RawServer) Write(t testing.TB, line string) {
	t.Helper()
	r.wmu.Lock()
	defer r.wmu.Unlock()
	if _, err := io.WriteString(r.in, line+"\n"); err != nil {
		t.Fatalf("write to stdin: %v\nstderr:\n%s", err, r.Stderr())
	}
}

// answer answers one request of the server with serve.
func (r *RawServer) answer(id json.RawMessage, method string, params json.RawMessage) {
	line := fmt.Sprintf(`{"jsonrpc":"2.0","id":%s,%s}`, id, r.serve(method, params))
	r.wmu.Lock()
	defer r.wmu.Unlock()
	io.WriteString(r.in, line+"\n")
}

// Request sends a request with raw params and returns the whole answer line.
func (r *RawServer) Request(t testing.TB, method, params string) json.RawMessage {
	t.Helper()
	r.mu.Lock()
	r.next++
	id := strconv.Itoa(r.next + 1000)
	ch := make(chan json.RawMessage, 1)
	r.byID[id] = ch
	r.mu.Unlock()
	r.Write(t, fmt.Sprintf(`{"jsonrpc":"2.0","id":%s,"method":%q,"params":%s}`, id, method, params))
	select {
	case m := <-ch:
		return m
	case <-r.closed:
		t.Fatalf("%s: the server closed stdout (it stopped); stderr:\n%s", method, r.Stderr())
	case <-time.After(3 * time.Minute):
		t.Fatalf("%s: no answer in 3 minutes; stderr:\n%s", method, r.Stderr())
	}
	return nil
}

// Reply is a JSON-RPC answer, decoded.
type Reply struct {
	Result *struct {
		IsError bool `json:"isError"`
		Content []struct {
			Text string `json:"text"`
		} `json:"content"`
		StructuredContent json.RawMessage `json:"structuredContent"`
	} `json:"result"`
	Error *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// Answer is a result's last text item: a success's JSON.
func (p Reply) Answer() string {
	if p.Result == nil || len(p.Result.Content) == 0 {
		return ""
	}
	return p.Result.Content[len(p.Result.Content)-1].Text
}

// Text is the error message or the result's text.
func (p Reply) Text() string {
	if p.Error != nil {
		return p.Error.Message
	}
	var s string
	if p.Result != nil {
		for _, c := range p.Result.Content {
			s += c.Text
		}
	}
	return s
}

// MustCall sends a request and decodes its answer.
func (r *RawServer) MustCall(t testing.TB, method, params string) Reply {
	t.Helper()
	var p Reply
	if err := json.Unmarshal(r.Request(t, method, params), &p); err != nil {
		t.Fatalf("%s: answer is not JSON-RPC: %v", method, err)
	}
	return p
}

// CallTool calls a tool with raw JSON arguments.
func (r *RawServer) CallTool(t testing.TB, name, args string) Reply {
	t.Helper()
	return r.MustCall(t, "tools/call", fmt.Sprintf(`{"name":%q,"arguments":%s}`, name, args))
}

// Stderr is what the binary logged so far.
func (r *RawServer) Stderr() string {
	return r.stderr.String()
}

// CheckStdout fails the test unless every stdout line so far is a JSON-RPC 2.0 message.
func (r *RawServer) CheckStdout(t testing.TB) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range r.lines {
		var m struct {
			JSONRPC string `json:"jsonrpc"`
		}
		if err := json.Unmarshal(l, &m); err != nil || m.JSONRPC != "2.0" {
			t.Errorf("stdout carried a line that is not JSON-RPC 2.0: %.300q", l)
		}
	}
}

// StdoutText is everything written to stdout so far.
func (r *RawServer) StdoutText() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return string(bytes.Join(r.lines, nil))
}
