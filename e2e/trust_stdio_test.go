package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// requestWithID sends a request whose id is written as raw (any JSON number or string)
// and returns its answer: the line whose id is exactly raw, byte for byte.
func (r *RawServer) requestWithID(t *testing.T, raw, method, params string) Reply {
	t.Helper()
	ch := make(chan json.RawMessage, 1)
	r.mu.Lock()
	r.byID[raw] = ch
	r.mu.Unlock()
	r.Write(t, fmt.Sprintf(`{"jsonrpc":"2.0","id":%s,"method":%q,"params":%s}`, raw, method, params))
	select {
	case m := <-ch:
		var p Reply
		if err := json.Unmarshal(m, &p); err != nil {
			t.Fatalf("id %s: answer is not JSON-RPC: %v", raw, err)
		}
		return p
	case <-r.closed:
		t.Fatalf("id %s: the server stopped; stderr:\n%s", raw, r.Stderr())
	case <-time.After(30 * time.Second):
		r.mu.Lock()
		delete(r.byID, raw)
		r.mu.Unlock()
		t.Fatalf("id %s: no answer with that exact id in 30 s; stdout so far:\n%s", raw, clipTo(r.StdoutText(), 3000))
	}
	return Reply{}
}

// The line of issue 21 that ended the session: tools/call arguments nested about 1,000
// levels deep passed the guard and the go-sdk's decoder (its limit: 1,000) ended the
// server. Lines nested at or above that limit are now answered with a JSON-RPC parse
// error carrying their id; below it they reach the tool, whose error says what is wrong;
// the session goes on after each.
func TestNestedLinesKeepTheSession(t *testing.T) {
	r := StartRaw(t, ServerOptions{NoPod: true})
	count := toolFor(t, "GET", "/v1/imagescount").Name
	for _, depth := range []int{990, 999, 1000, 1001, 1100, 5000, 10001, 1_000_000} {
		n := depth - 3 // the message, params and arguments objects count too
		params := fmt.Sprintf(`{"name":%q,"arguments":{"query":%s1%s}}`, count, strings.Repeat("[", n), strings.Repeat("]", n))
		id := fmt.Sprint(depth)
		p := r.requestWithID(t, id, "tools/call", params)
		switch {
		case depth >= 1000 && (p.Error == nil || p.Error.Code != -32700 || !strings.Contains(p.Error.Message, "nested 1000 levels deep or more")):
			t.Errorf("%d levels: want a parse error naming the limit, got %+v", depth, p)
		case depth < 1000 && (p.Result == nil || !p.Result.IsError || !strings.Contains(p.Text(), `"query"`)):
			t.Errorf("%d levels: want the tool's error naming the argument, got %s", depth, p.Text())
		}
		if l := r.MustCall(t, "tools/list", `{}`); l.Error != nil || l.Result == nil {
			t.Fatalf("after %d levels the session is gone: %+v\nstderr:\n%s", depth, l, r.Stderr())
		}
	}
	r.CheckStdout(t)
}

// Request ids the go-sdk would change (it keeps a number as an int64: 1.5 became 1, and
// 99999999999999999999999 something else) come back exactly as sent, on results and
// errors alike; ordinary ids are untouched.
func TestRequestIDsEchoedAsSent(t *testing.T) {
	r := StartRaw(t, ServerOptions{NoPod: true})
	for _, id := range []string{"1.5", "99999999999999999999999", "-0", "1e3", "1234567890123456", "0.0000001", "7", "-3", `"a-1"`, `"1.5"`} {
		if p := r.requestWithID(t, id, "tools/list", `{}`); p.Error != nil || p.Result == nil {
			t.Errorf("tools/list with id %s: %+v", id, p)
		}
		if p := r.requestWithID(t, id, "no/such-method", `{}`); p.Error == nil {
			t.Errorf("an unknown method with id %s: want an error, got %+v", id, p)
		}
	}
	r.CheckStdout(t)
}

// A Central that redirects (302 or any other) is an error naming where it pointed, and the
// redirect is not followed (the token stays on the configured endpoint); a control
// character in X-Registry-Auth is an error naming the argument, not "cannot reach the
// Podman service".
func TestRedirectsAndBadHeaderValues(t *testing.T) {
	central := StartFakeCentral(t, FakeCentralOptions{})
	podman := startHostilePodman(t)
	s := StartServer(t, ServerOptions{NoPod: true, Env: append(central.Env(adminToken), "CONTAINER_HOST=unix://"+podman.Sock)})
	count := toolFor(t, "GET", "/v1/imagescount").Name
	target := central.URL + "/elsewhere"
	for _, code := range []int{301, 302, 303, 307, 308} {
		central.Override(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/elsewhere" {
				t.Errorf("the %d redirect was followed", code)
			}
			http.Redirect(w, r, target, code)
		})
		s.MustFail(t, count, map[string]any{}, fmt.Sprintf("answered HTTP %d %s, a redirect to %q", code, http.StatusText(code), target), "does not follow redirects")
	}
	central.Override(nil)
	s.MustSucceed(t, count, map[string]any{})

	pull := toolFor(t, "POST", "/libpod/images/pull").Name
	for _, v := range []string{"e30=\x01", "e30=\x7f", "e30\x1b[31m"} {
		res := s.MustFail(t, pull, map[string]any{"reference": "quay.io/x/y:1", "X-Registry-Auth": v}, `argument "X-Registry-Auth" must not contain`, "control characters")
		if strings.Contains(Text(res), "cannot reach") {
			t.Errorf("%q: reported as unreachable: %s", v, Text(res))
		}
	}
}
