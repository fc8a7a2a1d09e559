package tools

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/rs/zerolog"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/upstream"
)

// These tests drive confirmation through the tool's handler, as the server does, with
// requests shaped as a client sends them: the first call gets the question and a signed
// state, the second carries the person's answer and that state.

// confirmEngine is an engine over up (fallback: allow or deny).
func confirmEngine(up upstream.Client, fallback string, served ...*capabilities.Tool) *Engine {
	return New(Config{
		Tools:              served,
		Kinds:              kindsOf(up),
		MaxOutputBytes:     80000,
		Timeout:            time.Minute,
		Log:                zerolog.Nop(),
		ConfirmDestructive: fallback,
	})
}

// question is the message of the confirmation a result asks for, "" when it asks none.
func question(res *mcp.CallToolResult) string {
	if res == nil || res.InputRequests == nil {
		return ""
	}
	if p, ok := res.InputRequests["confirm"].(*mcp.ElicitParams); ok {
		return p.Message
	}
	return ""
}

var removedOK = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`[{"Deleted":"sha256:1"}]`))
})

// The answer counts only for the call it was asked about, with the state the server signed.
func TestConfirmAnswerIsBoundToTheCall(t *testing.T) {
	remove := toolAt(t, "DELETE", "/libpod/images/{name}")
	const args = `{"name":"localhost/x:1"}`
	for _, tc := range []struct {
		name     string
		args     string // of the answering call
		answer   string
		state    func(string) string
		ran      bool   // the upstream got the DELETE
		asked    bool   // the answer did not count: asked again
		errorHas string // an isError with this text
	}{
		{name: "accepted", args: args, answer: "accept", state: same, ran: true},
		{name: "declined", args: args, answer: "decline", state: same, errorHas: "the person declined. Nothing was changed."},
		{name: "cancelled", args: args, answer: "cancel", state: same, errorHas: "cancelled the confirmation. Nothing was changed."},
		{name: "other arguments", args: `{"name":"localhost/other:1"}`, answer: "accept", state: same, asked: true},
		{name: "more arguments", args: `{"name":"localhost/x:1","force":true}`, answer: "accept", state: same, asked: true},
		{name: "signature changed", args: args, answer: "accept", state: flipSig, asked: true},
		{name: "time changed", args: args, answer: "accept", state: func(s string) string { return "9" + s }, asked: true},
		{name: "no state", args: args, answer: "accept", state: func(string) string { return "" }, asked: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			up := &handlerUpstream{h: removedOK}
			e := confirmEngine(up, ConfirmDeny, remove)
			first := callTool(t, e, remove, callRequest(remove, args, true, "", ""))
			if q := question(first); !strings.Contains(q, "Remove the image localhost/x:1") || first.RequestState == "" {
				t.Fatalf("first round: question %q, state %q; want the question and a state", q, first.RequestState)
			}
			if n := len(up.requests()); n != 0 {
				t.Fatalf("the question was asked after %d upstream requests, want none", n)
			}
			res := callTool(t, e, remove, callRequest(remove, tc.args, true, tc.answer, tc.state(first.RequestState)))
			ran := len(up.requests()) > 0
			if ran != tc.ran {
				t.Fatalf("upstream requests %v, want ran=%v (result %s)", up.requests(), tc.ran, resultText(res))
			}
			if asked := question(res) != ""; asked != tc.asked {
				t.Fatalf("asked again: %v, want %v (result %s)", asked, tc.asked, resultText(res))
			}
			if tc.errorHas != "" && (!res.IsError || !strings.Contains(resultText(res), tc.errorHas)) {
				t.Fatalf("result %v %q, want an isError with %q", res.IsError, resultText(res), tc.errorHas)
			}
			if tc.ran && res.IsError {
				t.Fatalf("the accepted call failed: %s", resultText(res))
			}
		})
	}
}

func same(s string) string { return s }

// flipSig changes the first character of the state's signature (its last character may
// carry only padding bits, which base64 decoding ignores).
func flipSig(s string) string {
	i := strings.Index(s, ".") + 1
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}

// An answer is valid for 30 minutes after the question; later, the person is asked again.
// Fake time (synctest): the test waits no real time.
func TestConfirmAnswerExpires(t *testing.T) {
	remove := toolAt(t, "DELETE", "/libpod/images/{name}")
	const args = `{"name":"localhost/x:1"}`
	for _, tc := range []struct {
		after time.Duration
		ran   bool
	}{
		{29 * time.Minute, true},
		{31 * time.Minute, false},
	} {
		t.Run(tc.after.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				up := &handlerUpstream{h: removedOK}
				e := confirmEngine(up, ConfirmDeny, remove)
				first := callTool(t, e, remove, callRequest(remove, args, true, "", ""))
				if first.RequestState == "" {
					t.Fatalf("no state in the first round: %s", resultText(first))
				}
				time.Sleep(tc.after)
				res := callTool(t, e, remove, callRequest(remove, args, true, "accept", first.RequestState))
				if ran := len(up.requests()) > 0; ran != tc.ran {
					t.Fatalf("answered after %s: ran=%v, want %v (%s)", tc.after, ran, tc.ran, resultText(res))
				}
				if !tc.ran && question(res) == "" {
					t.Fatalf("an expired answer must ask again: %s", resultText(res))
				}
			})
		})
	}
}

// A client that cannot elicit gets the --confirm-destructive fallback; a destructive call
// no ask rule matches is asked about all the same (the hint decides), and a dry run is not.
func TestConfirmFallback(t *testing.T) {
	remove := toolAt(t, "DELETE", "/libpod/images/{name}")
	prune := toolAt(t, "POST", "/libpod/images/prune")
	del := toolAt(t, "DELETE", "/v1/images")
	for _, tc := range []struct {
		name     string
		tool     *capabilities.Tool
		args     string
		fallback string
		elicit   bool
		ran      bool
		asked    string
		errorHas string
	}{
		{name: "deny", tool: remove, args: `{"name":"x"}`, fallback: ConfirmDeny, errorHas: "--confirm-destructive=deny"},
		{name: "allow", tool: remove, args: `{"name":"x"}`, fallback: ConfirmAllow, ran: true},
		{name: "no rule matches", tool: prune, args: `{}`, fallback: ConfirmAllow, elicit: true, asked: `Run "Prune unused images"? Delete dangling images`},
		{name: "no rule matches, cannot ask, deny", tool: prune, args: `{}`, fallback: ConfirmDeny, errorHas: "--confirm-destructive=deny"},
		{name: "a dry run", tool: del, args: `{"query.query":"Image:x"}`, fallback: ConfirmDeny, elicit: true, ran: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			up := &handlerUpstream{h: removedOK}
			e := confirmEngine(up, tc.fallback, tc.tool)
			res := callTool(t, e, tc.tool, callRequest(tc.tool, tc.args, tc.elicit, "", ""))
			if ran := len(up.requests()) > 0; ran != tc.ran {
				t.Fatalf("ran=%v, want %v: %s", ran, tc.ran, resultText(res))
			}
			if q := question(res); !strings.HasPrefix(q, tc.asked) || (q == "") != (tc.asked == "") {
				t.Fatalf("asked %q, want %q", q, tc.asked)
			}
			if tc.errorHas != "" && (!res.IsError || !strings.Contains(resultText(res), tc.errorHas)) {
				t.Fatalf("result %q, want an isError with %q", resultText(res), tc.errorHas)
			}
		})
	}
	// A bad fallback value stops the start: the command's options check it
	// (internal/cli TestBadSettingStopsStart).
}

// A rule with a dry run asks with the count the dry run reported, and the dry run is the
// only request before the answer.
func TestConfirmDryRunCount(t *testing.T) {
	del := toolAt(t, "DELETE", "/v1/images")
	up := &handlerUpstream{h: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		dry := r.URL.Query().Get("confirm") != "true"
		json.NewEncoder(w).Encode(map[string]any{"numDeleted": 3, "dryRun": dry})
	})}
	e := confirmEngine(up, ConfirmDeny, del)
	args := `{"query.query":"Image:old","confirm":true}`
	first := callTool(t, e, del, callRequest(del, args, true, "", ""))
	if q := question(first); !strings.Contains(q, `Delete 3 images matching "Image:old"`) {
		t.Fatalf("question %q (result %s)", q, resultText(first))
	}
	reqs := up.requests()
	if len(reqs) != 1 || !strings.Contains(reqs[0], "confirm=false") {
		t.Fatalf("before the answer the upstream saw %v, want only the dry run", reqs)
	}
	res := callTool(t, e, del, callRequest(del, args, true, "accept", first.RequestState))
	reqs = up.requests()
	if res.IsError || len(reqs) != 2 || !strings.Contains(reqs[1], "confirm=true") {
		t.Fatalf("after accepting: %v %s", reqs, resultText(res))
	}
}

// An answer is used once: the same accepted state sent again is refused, and nothing
// reaches the upstream the second time.
func TestConfirmAnswerUsedOnce(t *testing.T) {
	remove := toolAt(t, "DELETE", "/libpod/images/{name}")
	const args = `{"name":"localhost/x:1"}`
	up := &handlerUpstream{h: removedOK}
	e := confirmEngine(up, ConfirmDeny, remove)
	first := callTool(t, e, remove, callRequest(remove, args, true, "", ""))
	if first.RequestState == "" {
		t.Fatalf("no state: %s", resultText(first))
	}
	if res := callTool(t, e, remove, callRequest(remove, args, true, "accept", first.RequestState)); res.IsError {
		t.Fatalf("the accepted call failed: %s", resultText(res))
	}
	replay := callTool(t, e, remove, callRequest(remove, args, true, "accept", first.RequestState))
	if !replay.IsError || !strings.Contains(resultText(replay), "was already used") || !strings.Contains(resultText(replay), "Nothing was changed") {
		t.Fatalf("replay: %v %s", replay.IsError, resultText(replay))
	}
	if n := len(up.requests()); n != 1 {
		t.Fatalf("the upstream got %d requests, want 1: %v", n, up.requests())
	}
	// Two questions alike in the same second have states of their own.
	a := callTool(t, e, remove, callRequest(remove, args, true, "", ""))
	b := callTool(t, e, remove, callRequest(remove, args, true, "", ""))
	if a.RequestState == b.RequestState {
		t.Fatalf("two questions share the state %q", a.RequestState)
	}
}

// An overwrite answer is bound to the file it was given for: the same answer about a
// changed file asks again.
func TestOverwriteAnswerBoundToTheFile(t *testing.T) {
	export := toolAt(t, "GET", "/libpod/images/{name}/get")
	e := confirmEngine(&handlerUpstream{h: removedOK}, ConfirmDeny, export)
	v := Values{"name": "x", "output": "/tmp/x.tar", "overwrite": true}
	was := existing{Path: "/tmp/x.tar", Kind: "file", Size: 3, ID: fileID{Dev: 1, Ino: 2, Size: 3, ModTime: 4}}
	// ask is the overwrite question about ex in a call that carries answer and state.
	ask := func(answer, state string, ex existing) *mcp.CallToolResult {
		req := callRequest(export, `{}`, true, "", "")
		if answer != "" {
			req.Params.InputResponses = mcp.InputResponseMap{"overwrite": &mcp.ElicitResult{Action: answer}}
			req.Params.RequestState = state
		}
		if err := e.confirm.overwrite(e.newCall(context.Background(), req, export, v), ex); err != nil {
			return resultOf(err)
		}
		return nil
	}
	first := ask("", "", was)
	p, _ := first.InputRequests["overwrite"].(*mcp.ElicitParams)
	if p == nil || !strings.Contains(p.Message, "Replace the existing file /tmp/x.tar (3 bytes)") {
		t.Fatalf("first round: %+v", first)
	}
	changed := was
	changed.ID.ModTime++
	if res := ask("accept", first.RequestState, changed); res == nil || res.InputRequests == nil {
		t.Fatalf("an answer about the file before it changed let it be replaced: %+v", res)
	}
	if res := ask("accept", first.RequestState, was); res != nil {
		t.Fatalf("the answer about the unchanged file: %s", resultText(res))
	}
	fifo := existing{Path: "/tmp/x.tar", Kind: "FIFO"}
	q := ask("", "", fifo)
	if p, _ := q.InputRequests["overwrite"].(*mcp.ElicitParams); p == nil || !strings.Contains(p.Message, "the existing FIFO /tmp/x.tar (not a regular file)") {
		t.Fatalf("the question about a FIFO: %+v", q)
	}
}
