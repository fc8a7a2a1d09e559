package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/image-mcp/image-mcp/capabilities"
)

// embeddedTools are the tools the binary serves, with where each argument goes.
func embeddedTools(t testing.TB) []*capabilities.Tool {
	t.Helper()
	caps := capabilities.Embedded()
	var all []*capabilities.Tool
	for _, c := range caps {
		all = append(all, c.Tools...)
	}
	return all
}

// requiredArgs fills a tool's required arguments with harmless values; out is a directory
// for output files.
func requiredArgs(tl *capabilities.Tool, out string) map[string]any {
	args := map[string]any{}
	for _, a := range tl.Args {
		if !a.Required {
			continue
		}
		switch {
		case a.Role == capabilities.RoleOutputFile:
			args[a.Name] = filepath.Join(out, tl.Name+".tar")
		case a.Role == capabilities.RoleInputFile:
			args[a.Name] = busyboxTar
		case a.Type == "array":
			args[a.Name] = []string{"localhost/hostile-none:1"}
		case a.Type == "object":
			args[a.Name] = map[string]any{}
		case a.Type == "boolean":
			args[a.Name] = false
		case a.Type == "integer" || a.Type == "number":
			args[a.Name] = 1
		default:
			args[a.Name] = "localhost/hostile-none:1"
		}
	}
	return args
}

func mustJSON(t testing.TB, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// stillServes checks that the server answers a normal call after the hostile ones, and
// that stdout carried JSON-RPC only.
func stillServes(t *testing.T, r *RawServer) {
	t.Helper()
	p := r.CallTool(t, toolFor(t, "GET", "/libpod/images/{name}/exists").Name, mustJSON(t, map[string]any{"name": baseImage}))
	if p.Error != nil || p.Result == nil || p.Result.IsError || !strings.Contains(p.Answer(), `"exists":true`) {
		t.Fatalf("a normal call after the hostile ones failed: %s\nstderr:\n%s", p.Text(), r.Stderr())
	}
	r.CheckStdout(t)
}

// Path parameters never leave their segment: climbing, a query, a fragment or a slash in a
// value reach Podman as part of one (bad) name, so every call fails on that name (and an
// exists check says no such image).
func TestHostilePathParameters(t *testing.T) {
	needPodman(t)
	r := StartRaw(t, ServerOptions{})
	out := t.TempDir()
	escapes := []string{"..", ".", "../../_ping", "../json", "../../../../version", "x/../../../_ping",
		"%2e%2e", "%2F_ping", "x?all=true", "x#frag", "/", "//", "..%2f..%2f_ping", "\\..\\..\\_ping", baseImage + "/../../json"}
	n := 0
	for _, tl := range embeddedTools(t) {
		if tl.Capability.Upstream != "podman" {
			continue
		}
		for _, a := range tl.Args {
			if a.In != "path" {
				continue
			}
			for _, v := range escapes {
				args := requiredArgs(tl, out)
				args[a.Name] = v
				p := r.CallTool(t, tl.Name, mustJSON(t, args))
				n++
				if p.Error != nil {
					t.Errorf("%s(%s=%q): a protocol error, want an isError result: %s", tl.Name, a.Name, v, p.Error.Message)
					continue
				}
				if tl.Response == capabilities.ResponseExists && !p.Result.IsError {
					if got := p.Answer(); got != `{"exists":false}` {
						t.Errorf("%s(%s=%q) answered %s; no such image exists", tl.Name, a.Name, v, got)
					}
					continue
				}
				if !p.Result.IsError {
					t.Errorf("%s(%s=%q) succeeded; the value must stay one (bad) name: %.300s", tl.Name, a.Name, v, p.Text())
					continue
				}
				if txt := p.Text(); !strings.Contains(txt, tl.Name) || len(txt) < 20 {
					t.Errorf("%s(%s=%q): unclear error %q", tl.Name, a.Name, v, txt)
				}
			}
		}
	}
	if n < 100 {
		t.Fatalf("only %d path-escape calls; the Podman tools have fewer path parameters than expected", n)
	}
	if entries, _ := os.ReadDir(out); len(entries) > 0 {
		t.Errorf("hostile calls left files: %v", entries)
	}
	if code, _, err := PodmanRaw("GET", "/libpod/images/"+baseImage+"/exists", nil); err != nil || code != 204 {
		t.Fatalf("%s is gone after the path-escape calls (HTTP %d, %v)", baseImage, code, err)
	}
	stillServes(t, r)
}

// Values that become headers cannot carry a line break (header injection).
func TestHostileHeaderValues(t *testing.T) {
	needPodman(t)
	r := StartRaw(t, ServerOptions{})
	n := 0
	for _, tl := range embeddedTools(t) {
		for _, a := range tl.Args {
			if a.In != "header" {
				continue
			}
			for _, v := range []string{"x\r\nX-Injected: 1", "x\nX-Injected: 1", "x\rX-Injected: 1", "x\x00y", "application/x-tar\r\n\r\nGET /_ping HTTP/1.1"} {
				args := requiredArgs(tl, t.TempDir())
				args[a.Name] = v
				p := r.CallTool(t, tl.Name, mustJSON(t, args))
				n++
				if p.Error != nil || !p.Result.IsError || !strings.Contains(p.Text(), a.Name) || !strings.Contains(p.Text(), "line break") {
					t.Errorf("%s(%s=%q): want an isError naming the argument and line breaks, got %s", tl.Name, a.Name, v, p.Text())
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no header arguments found")
	}
	stillServes(t, r)
}

// Huge strings, deep nesting and wrong types get a clear error, not a crash.
func TestHostileArgumentValues(t *testing.T) {
	needPodman(t)
	r := StartRaw(t, ServerOptions{})
	mb := strings.Repeat("a", 1<<20)
	deep := strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
	deepObj := strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000)
	out := filepath.Join(t.TempDir(), "x.tar")
	inspect := toolFor(t, "GET", "/libpod/images/{name}/json").Name
	list := toolFor(t, "GET", "/libpod/images/json").Name
	pull := toolFor(t, "POST", "/libpod/images/pull").Name
	scan := toolFor(t, "POST", "/v1/images/scan").Name
	roxList := toolFor(t, "GET", "/v1/images").Name
	exportMany := toolFor(t, "GET", "/libpod/images/export").Name
	cases := []struct {
		name, tool, args string
		want             []string // in the error text; any protocol error or isError is fine when empty
	}{
		{"1 MB name", inspect, mustJSON(t, map[string]any{"name": mb}), []string{inspect}},
		{"1 MB query value", list, mustJSON(t, map[string]any{"filters": mb}), []string{list}},
		{"1 MB header", pull, mustJSON(t, map[string]any{"reference": "localhost/hostile-none:1", "X-Registry-Auth": mb}), []string{pull}},
		{"1 MB argument name", list, `{"` + mb + `":1}`, []string{"unknown argument"}},
		{"1 MB unknown tool", mb[:1000], `{}`, []string{"unknown tool"}},
		{"10,000 nested arrays", inspect, `{"name":` + deep + `}`, nil},
		{"10,000 nested objects", scan, `{"body":` + deepObj + `}`, nil},
		{"number for a string", inspect, `{"name":5}`, []string{"must be a string"}},
		{"string for a boolean", list, `{"all":"true"}`, []string{"must be a boolean"}},
		{"object for an array", list, `{"fields":{"a":1}}`, []string{"must be an array"}},
		{"array item object", list, `{"fields":[{"a":1}]}`, []string{"item 0"}},
		{"float for an integer", roxList, `{"pagination.limit":1.5}`, []string{"must be an integer"}},
		{"huge number", roxList, `{"pagination.limit":1e400}`, []string{"integer"}},
		{"arguments an array", list, `[1,2]`, nil},
		{"arguments a string", list, `"all"`, nil},
		{"missing required", inspect, `{}`, []string{"missing required argument", "name"}},
		{"null required", inspect, `{"name":null}`, []string{"missing required argument"}},
		{"unknown argument", inspect, `{"name":"x","../../x":1}`, []string{"unknown argument"}},
		{"enum violated", exportMany, `{"references":["x"],"output":` + mustJSON(t, out) + `,"format":"../../etc"}`, nil},
		{"unknown tool", "rm-rf", `{}`, []string{"rm-rf"}},
	}
	for _, c := range cases {
		p := r.CallTool(t, c.tool, c.args)
		if p.Error == nil && (p.Result == nil || !p.Result.IsError) {
			t.Errorf("%s: succeeded, want an error: %.200s", c.name, p.Text())
			continue
		}
		txt := p.Text()
		if len(txt) < 10 {
			t.Errorf("%s: unclear error %q", c.name, txt)
		}
		for _, w := range c.want {
			if !strings.Contains(txt, w) {
				t.Errorf("%s: error does not mention %q: %.300s", c.name, w, txt)
			}
		}
		if len(txt) > 4000 {
			t.Errorf("%s: error echoes %d bytes back", c.name, len(txt))
		}
		t.Logf("%s: %s", c.name, clipTo(txt, 160))
	}
	stillServes(t, r)
}

// Malformed JSON-RPC written raw to stdin: answered with a JSON-RPC error where it has an
// id, ignored otherwise, and the session goes on.
func TestHostileJSONRPC(t *testing.T) {
	needPodman(t)
	r := StartRaw(t, ServerOptions{})
	for _, line := range []string{
		"not json at all",
		"{",
		"}{",
		"[]",
		`[{"jsonrpc":"2.0","id":1,"method":"tools/list"}]`,
		`{"jsonrpc":"2.0"}`,
		`{"jsonrpc":"1.0","id":7,"method":"tools/list"}`,
		`{"jsonrpc":"2.0","id":{"a":1},"method":"tools/list"}`,
		`{"jsonrpc":"2.0","id":8,"method":"no/such/method"}`,
		`{"jsonrpc":"2.0","id":9,"method":"tools/call","params":"x"}`,
		`{"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"name":5}}`,
		`{"jsonrpc":"2.0","id":11,"method":"tools/call"}`,
		"\x00\x01\x02\xff\xfe",
		strings.Repeat("x", 1<<20),
		`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":999}}`,
	} {
		r.Write(t, line)
		// A request after each line proves the session survived it.
		p := r.MustCall(t, "tools/list", `{}`)
		if p.Error != nil || p.Result == nil {
			t.Fatalf("after %.60q: tools/list failed: %s\nstderr:\n%s", line, p.Text(), clipTo(r.Stderr(), 2000))
		}
	}
	stillServes(t, r)
	if strings.Contains(r.StdoutText(), "panic") {
		t.Errorf("stdout mentions a panic:\n%s", clipTo(r.StdoutText(), 2000))
	}
}

func clipTo(s string, n int) string {
	if len(s) > n {
		return s[:n] + fmt.Sprintf("… (%d bytes)", len(s))
	}
	return s
}
