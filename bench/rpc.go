package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	"github.com/tidwall/gjson"
)

// rpcClient speaks newline-delimited JSON-RPC to the binary over its stdin/stdout with
// nothing in between, so what is timed is the server, not a client library.
type rpcClient struct {
	cmd     *exec.Cmd
	in      io.WriteCloser
	stderr  *bytes.Buffer
	wmu     sync.Mutex
	mu      sync.Mutex
	next    int64
	pending map[int64]chan rpcReply
	junk    []string // stdout lines that are not JSON-RPC
	done    chan struct{}
}

type rpcReply struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	size int
	line []byte // the whole answer line, decoded by decode
}

// decode reads the answer line into Result and Error.
func (r *rpcReply) decode() error {
	return json.Unmarshal(r.line, r)
}

// toolResult is a tools/call result as the model receives it.
type toolResult struct {
	IsError bool `json:"isError"`
	Content []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"content"`
}

// Answer is a success's JSON: its last text item (notices come before it).
func (r *toolResult) Answer() string {
	if len(r.Content) == 0 {
		return ""
	}
	return r.Content[len(r.Content)-1].Text
}

// Chars is what the model reads, as clients count it (UTF-16 code units): the text
// items, a blank line between two.
func (r *toolResult) Chars() int {
	n := 0
	for i, c := range r.Content {
		if i > 0 {
			n += 2
		}
		n += len(utf16.Encode([]rune(c.Text)))
	}
	return n
}

func (r *toolResult) Text() string {
	var parts []string
	for _, c := range r.Content {
		parts = append(parts, c.Text)
	}
	return strings.Join(parts, "\n")
}

func startRPC(binary string, env []string, args ...string) (*rpcClient, error) {
	cmd := exec.Command(binary, args...)
	cmd.Env = env
	stderr := &bytes.Buffer{}
	cmd.Stderr = stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &rpcClient{cmd: cmd, in: in, stderr: stderr, pending: map[int64]chan rpcReply{}, done: make(chan struct{})}
	go c.read(out)
	return c, nil
}

func (c *rpcClient) read(out io.Reader) {
	defer close(c.done)
	br := bufio.NewReaderSize(out, 1<<20)
	for {
		line, err := br.ReadBytes('\n')
		// Only the id is read here, as an HTTP client reads a status line and headers;
		// the answer is decoded by its caller (after the clock stops in the overhead
		// section, where the raw request's body is not decoded either).
		if len(bytes.TrimSpace(line)) > 0 {
			if !gjson.ValidBytes(line) {
				c.mu.Lock()
				c.junk = append(c.junk, string(line))
				c.mu.Unlock()
			} else if id, perr := strconv.ParseInt(gjson.GetBytes(line, "id").Raw, 10, 64); perr == nil {
				c.mu.Lock()
				ch := c.pending[id]
				delete(c.pending, id)
				c.mu.Unlock()
				if ch != nil {
					ch <- rpcReply{size: len(line), line: line}
				}
			}
		}
		if err != nil {
			return
		}
	}
}

func (c *rpcClient) send(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, err = c.in.Write(append(b, '\n'))
	return err
}

// call sends a request and waits for its answer.
func (c *rpcClient) call(method string, params any) (rpcReply, error) {
	r, err := c.callRaw(method, params)
	if err != nil {
		return r, err
	}
	if err := r.decode(); err != nil {
		return r, fmt.Errorf("%s: answer %.200q: %w", method, r.line, err)
	}
	if r.Error != nil {
		return r, fmt.Errorf("%s: JSON-RPC error %d: %s", method, r.Error.Code, r.Error.Message)
	}
	return r, nil
}

// callRaw sends a request and waits for its answer line, not decoded.
func (c *rpcClient) callRaw(method string, params any) (rpcReply, error) {
	c.mu.Lock()
	c.next++
	id := c.next
	ch := make(chan rpcReply, 1)
	c.pending[id] = ch
	c.mu.Unlock()
	if err := c.send(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params}); err != nil {
		return rpcReply{}, err
	}
	select {
	case r := <-ch:
		return r, nil
	case <-c.done:
		return rpcReply{}, fmt.Errorf("%s: the server closed stdout; stderr:\n%s", method, c.stderr)
	case <-time.After(10 * time.Minute):
		return rpcReply{}, fmt.Errorf("%s: no answer in 10 minutes", method)
	}
}

func (c *rpcClient) initialize() error {
	_, err := c.call("initialize", map[string]any{
		"protocolVersion": "2025-06-18",
		"capabilities":    map[string]any{},
		"clientInfo":      map[string]any{"name": "image-mcp-bench", "version": "1"},
	})
	if err != nil {
		return err
	}
	return c.send(map[string]any{"jsonrpc": "2.0", "method": "notifications/initialized"})
}

// tool calls a tool; the int is the size in bytes of the JSON-RPC answer line.
func (c *rpcClient) tool(name string, args map[string]any) (*toolResult, int, error) {
	r, err := c.call("tools/call", map[string]any{"name": name, "arguments": args})
	if err != nil {
		return nil, 0, err
	}
	return r.toolResult()
}

// timedTool calls a tool and gives how long its answer took to arrive, not counting its
// decoding; it fails unless the tool succeeded.
func (c *rpcClient) timedTool(name string, args map[string]any) (*toolResult, time.Duration, error) {
	params := map[string]any{"name": name, "arguments": args}
	t0 := time.Now()
	r, err := c.callRaw("tools/call", params)
	d := time.Since(t0)
	if err == nil {
		err = r.decode()
	}
	if err == nil && r.Error != nil {
		err = fmt.Errorf("tools/call %s: JSON-RPC error %d: %s", name, r.Error.Code, r.Error.Message)
	}
	if err != nil {
		return nil, d, err
	}
	res, _, err := r.toolResult()
	if err == nil && res.IsError {
		err = fmt.Errorf("%s failed: %s", name, res.Text())
	}
	return res, d, err
}

// toolResult decodes the answer's result as a tools/call result.
func (r rpcReply) toolResult() (*toolResult, int, error) {
	var res toolResult
	if err := json.Unmarshal(r.Result, &res); err != nil {
		return nil, 0, err
	}
	return &res, r.size, nil
}

// mustTool calls a tool and fails unless it succeeded.
func (c *rpcClient) mustTool(name string, args map[string]any) (*toolResult, int, error) {
	res, n, err := c.tool(name, args)
	if err == nil && res.IsError {
		err = fmt.Errorf("%s failed: %s", name, res.Text())
	}
	return res, n, err
}

// close ends the server by closing its stdin, as a client does.
func (c *rpcClient) close() error {
	c.in.Close()
	done := make(chan error, 1)
	go func() { done <- c.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(20 * time.Second):
		c.cmd.Process.Kill()
		return <-done
	}
}

// procKiB reads a VmRSS/VmHWM-style field of /proc/<pid>/status, in KiB.
func procKiB(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, field+":") {
			f := strings.Fields(strings.TrimPrefix(l, field+":"))
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n
			}
		}
	}
	return 0
}
