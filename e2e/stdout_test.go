package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// stdout carries MCP and nothing else, even at --log-level debug and when calls fail:
// every line the binary writes there is one JSON-RPC 2.0 message; logs go to stderr.
func TestStdoutOnlyMCP(t *testing.T) {
	needPodman(t)
	cmd := exec.Command(binary, "--log-level", "debug")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + workDir, "XDG_RUNTIME_DIR=" + filepath.Join(workDir, "no-runtime-dir"),
		"CONTAINER_HOST=unix://" + podmanSock}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &lockedWriter{W: &bytes.Buffer{}}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopProcess(cmd) })

	lines := make(chan string)
	readErr := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		readErr <- sc.Err()
		close(lines)
	}()
	for _, r := range stdoutRequests() {
		if _, err := io.WriteString(stdin, r+"\n"); err != nil {
			t.Fatalf("write %s: %v", r, err)
		}
	}
	answered := readAnswers(t, lines, readErr, stderr, stdoutLastID-1) // ids 1-10 but 1 notification: 9 answers
	checkStdoutAnswers(t, answered)

	// Closing stdin ends the server cleanly, and nothing more appears on stdout.
	stdin.Close()
	for line := range lines {
		if !json.Valid([]byte(line)) {
			t.Errorf("stdout after the last answer: %q", line)
		}
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after stdin closed: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Error("the server did not exit when stdin closed")
	}

	checkStderrLogs(t, stderr.String())
}

// stdoutLastID is the id of the last request of stdoutRequests.
const stdoutLastID = 10

// stdoutRequests are the lines a client writes: a session, calls that succeed and fail,
// an unknown tool and an unknown method.
func stdoutRequests() []string {
	call := func(id int, tool string, args any) string {
		b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": map[string]any{"name": tool, "arguments": args}})
		return string(b)
	}
	requests := []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`,
		call(3, "inspect-image", map[string]any{"name": baseImage}),
		call(4, "inspect-image", map[string]any{"name": "localhost/stdout-missing:1"}),
		call(5, "inspect-image", map[string]any{"nmae": "x"}),
		call(6, "resolve-image-short-name", map[string]any{"name": "busybox"}),
		call(7, "listimages-returns-all-images", nil),
		call(8, "no-such-tool", map[string]any{}),
		`{"jsonrpc":"2.0","id":9,"method":"no/such/method"}`,
		call(10, "list-images", map[string]any{"fields": []string{"Id"}}),
	}
	return requests
}

// readAnswers reads stdout's lines until want answers came, failing on any line that is
// not one JSON-RPC 2.0 message; it returns the answers by id.
func readAnswers(t *testing.T, lines <-chan string, readErr <-chan error, stderr *lockedWriter, want int) map[int]map[string]any {
	t.Helper()
	answered := map[int]map[string]any{}
	deadline := time.After(2 * time.Minute)
	var out []string
	for len(answered) < want {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("stdout closed after %d answers (read error %v)\nstderr:\n%s", len(answered), <-readErr, stderr.String())
			}
			out = append(out, line)
			var msg map[string]any
			if err := json.Unmarshal([]byte(line), &msg); err != nil {
				t.Fatalf("stdout line is not JSON: %q", line)
			}
			if msg["jsonrpc"] != "2.0" {
				t.Fatalf("stdout line is not JSON-RPC 2.0: %q", line)
			}
			id, hasID := msg["id"].(float64)
			_, hasResult := msg["result"]
			_, hasErr := msg["error"]
			_, hasMethod := msg["method"]
			switch {
			case hasID && hasResult != hasErr:
				answered[int(id)] = msg
			case hasMethod:
				// a notification or a request from the server
			default:
				t.Fatalf("stdout line is no JSON-RPC response, request or notification: %q", line)
			}
		case <-deadline:
			t.Fatalf("timed out with %d answers\nstdout:\n%s\nstderr:\n%s", len(answered), strings.Join(out, "\n"), stderr.String())
		}
	}
	return answered
}

// checkStdoutAnswers: the listed tools, which calls are errors, and the JSON-RPC errors.
func checkStdoutAnswers(t *testing.T, answered map[int]map[string]any) {
	t.Helper()
	isError := func(id int) bool {
		res, _ := answered[id]["result"].(map[string]any)
		e, _ := res["isError"].(bool)
		return e
	}
	if len(answered[2]["result"].(map[string]any)["tools"].([]any)) != 29 {
		t.Error("tools/list does not list 29 tools")
	}
	// resolve-image-short-name (call 6) exists from Podman 5.0.0: before, the version error.
	if isError(3) || !isError(4) || !isError(5) || isError(6) != olderThan(podmanVer, "5.0.0") || !isError(7) || isError(10) {
		t.Errorf("isError of calls 3-7, 10: %v %v %v %v %v %v", isError(3), isError(4), isError(5), isError(6), isError(7), isError(10))
	}
	for _, id := range []int{8, 9} {
		if _, ok := answered[id]["error"]; !ok {
			t.Errorf("request %d: want a JSON-RPC error, got %v", id, answered[id])
		}
	}
}

// checkStderrLogs: the log of the session went to stderr, and no MCP message did.
func checkStderrLogs(t *testing.T, logs string) {
	t.Helper()
	for _, w := range []string{"serving MCP on stdio", "Podman service", "tool call", "tool=inspect-image", "tool=resolve-image-short-name"} {
		if !strings.Contains(logs, w) {
			t.Errorf("stderr lacks %q:\n%s", w, logs)
		}
	}
	if strings.Contains(logs, `"jsonrpc"`) {
		t.Error("MCP messages on stderr")
	}
}
