package e2e

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// elicitor answers every confirmation with action and records the questions.
type elicitor struct {
	action    string
	mu        sync.Mutex
	questions []string
	modes     []string
}

func (e *elicitor) options() *mcp.ClientOptions {
	return &mcp.ClientOptions{ElicitationHandler: func(_ context.Context, req *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.questions = append(e.questions, req.Params.Message)
		e.modes = append(e.modes, req.Params.Mode)
		return &mcp.ElicitResult{Action: e.action}, nil
	}}
}

func (e *elicitor) asked() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.questions...)
}

func TestConfirmRemoveWithElicitation(t *testing.T) {
	needPodman(t)
	for _, tc := range []struct {
		name, action, protocol string
		removed                bool
		want                   string
	}{
		{name: "accept", action: "accept", removed: true},
		{name: "accept-legacy-protocol", action: "accept", protocol: "2025-06-18", removed: true},
		{name: "decline", action: "decline", want: "the person declined. Nothing was changed."},
		{name: "decline-legacy-protocol", action: "decline", protocol: "2025-06-18", want: "the person declined"},
		{name: "cancel", action: "cancel", want: "the person cancelled the confirmation. Nothing was changed."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img := tagBase(t, "localhost/issue5-confirm", tc.name)
			el := &elicitor{action: tc.action}
			s := StartServer(t, ServerOptions{Client: el.options(), ProtocolVersion: tc.protocol})
			res := s.Call(t, "remove-image-local-storage", map[string]any{"name": img})
			if tc.removed && res.IsError {
				t.Fatalf("remove failed: %s", Text(res))
			}
			if !tc.removed && (!res.IsError || !strings.Contains(Text(res), tc.want)) {
				t.Fatalf("want an isError saying %q, got isError=%v: %s", tc.want, res.IsError, Text(res))
			}
			if got := imageExists(t, img); got == tc.removed {
				t.Fatalf("after %s: image exists=%v", tc.action, got)
			}
			q := el.asked()
			if len(q) != 1 || !strings.Contains(q[0], "Remove the image "+img+" from Podman's local storage?") {
				t.Fatalf("want one question naming %s, got %q", img, q)
			}
			// `mode` exists from 2025-11-25 on; older sessions must not get it.
			wantMode := "form"
			if tc.protocol == "2025-06-18" {
				wantMode = ""
			}
			if el.modes[0] != wantMode {
				t.Errorf("elicitation mode %q, want %q", el.modes[0], wantMode)
			}
		})
	}
}

func TestConfirmRemoveManyNamesEveryImage(t *testing.T) {
	needPodman(t)
	a := tagBase(t, "localhost/issue5-many-a", "1")
	b := tagBase(t, "localhost/issue5-many-b", "1")
	el := &elicitor{action: "decline"}
	s := StartServer(t, ServerOptions{Client: el.options()})
	s.MustFail(t, "remove-one-more-images-storage", map[string]any{"images": []string{a, b}}, "declined")
	if !imageExists(t, a) || !imageExists(t, b) {
		t.Fatal("a declined remove-many removed images")
	}
	q := el.asked()
	if len(q) != 1 || !strings.Contains(q[0], "Remove these images from Podman's local storage: "+a+", "+b+"?") {
		t.Fatalf("question does not name both images: %q", q)
	}
}

func TestConfirmPruneAllAsks(t *testing.T) {
	needPodman(t)
	el := &elicitor{action: "decline"}
	s := StartServer(t, ServerOptions{Client: el.options()})
	s.MustFail(t, "prune-unused-images", map[string]any{"all": true}, "declined")
	if !imageExists(t, baseImage) {
		t.Fatal("a declined prune with all=true removed the base image")
	}
	if q := el.asked(); len(q) != 1 || !strings.Contains(q[0], "Remove EVERY image in Podman's local storage that no container uses") {
		t.Fatalf("prune all: question %q", q)
	}
}

// Every call of a destructive tool needs the person's yes, also where the tool's
// corrections declare no question (untag, a plain prune): the rule comes from the hint.
// The attack: a person declines removing an image, then untag + prune delete it.
func TestEveryDestructiveCallAsks(t *testing.T) {
	needPodman(t)
	img := tagBase(t, "localhost/trust-untag", "1")
	// A dangling image a plain prune would delete.
	rootfs, err := os.Open(busyboxTar)
	must(t, err)
	code, body, err := PodmanRaw("POST", "/libpod/images/import?message=dangling-for-trust", rootfs)
	rootfs.Close()
	if err != nil || code != 200 {
		t.Fatalf("import: %d %s %v", code, body, err)
	}
	var imported struct{ Id string }
	must(t, json.Unmarshal(body, &imported))
	t.Cleanup(func() { PodmanRaw("DELETE", "/libpod/images/"+imported.Id, nil) })
	calls := []struct {
		tool     string
		args     map[string]any
		question string
	}{
		{"untag-image", map[string]any{"name": img, "repo": "localhost/trust-untag", "tag": "1"}, `Run "Untag an image"?`},
		{"untag-image", map[string]any{"name": img}, `Run "Untag an image"?`},
		{"prune-unused-images", nil, `Run "Prune unused images"?`},
		{"remove-image-local-storage", map[string]any{"name": img}, "Remove the image " + img},
	}
	check := func(t *testing.T) {
		t.Helper()
		if !imageExists(t, img) {
			t.Fatalf("%s is gone", img)
		}
		if !imageExists(t, imported.Id) {
			t.Fatalf("the dangling image %s is gone", imported.Id)
		}
	}
	for _, protocol := range []string{"", "2025-06-18"} {
		t.Run("declined/protocol-"+protocol, func(t *testing.T) {
			el := &elicitor{action: "decline"}
			s := StartServer(t, ServerOptions{Client: el.options(), ProtocolVersion: protocol})
			for _, c := range calls {
				s.MustFail(t, c.tool, c.args, "the person declined. Nothing was changed.")
			}
			q := el.asked()
			if len(q) != len(calls) {
				t.Fatalf("asked %d questions, want %d: %q", len(q), len(calls), q)
			}
			for i, c := range calls {
				if !strings.Contains(q[i], c.question) || !strings.Contains(q[i], "("+c.tool+" ") {
					t.Errorf("question %d %q, want %q", i, q[i], c.question)
				}
			}
			check(t)
		})
	}
	t.Run("deny", func(t *testing.T) {
		s := StartServer(t, ServerOptions{Args: []string{"--confirm-destructive", "deny"}})
		for _, c := range calls {
			s.MustFail(t, c.tool, c.args, "this MCP client cannot ask", "--confirm-destructive=deny", "Nothing was changed")
		}
		check(t)
	})
	// StackRox's delete without confirm=true is a dry run: it deletes nothing and asks
	// nothing (TestConfirmFallback, tools).
}

// An accepted requestState was good for 30 minutes and ran again each time, on whatever
// then matched. A yes now counts once: sent again it is refused, and the image made
// again meanwhile stays.
func TestApprovalReplayIsRefused(t *testing.T) {
	needPodman(t)
	img := tagBase(t, "localhost/trust-replay", "1")
	s := StartServer(t, ServerOptions{Client: manualRoundTrips(true)})
	args := map[string]any{"name": img}
	first := s.callRound(t, "remove-image-local-storage", args, nil, "")
	if first.RequestState == "" || first.InputRequests["confirm"] == nil {
		t.Fatalf("no question: %s", Text(first))
	}
	if res := s.callRound(t, "remove-image-local-storage", args, map[string]string{"confirm": "accept"}, first.RequestState); res.IsError || imageExists(t, img) {
		t.Fatalf("the accepted remove: %v %s", res.IsError, Text(res))
	}
	tagBase(t, "localhost/trust-replay", "1") // made again after the yes
	replay := s.callRound(t, "remove-image-local-storage", args, map[string]string{"confirm": "accept"}, first.RequestState)
	if !replay.IsError || !strings.Contains(Text(replay), "was already used") || !strings.Contains(Text(replay), "Nothing was changed") {
		t.Fatalf("the replay: %v %s", replay.IsError, Text(replay))
	}
	if !imageExists(t, img) {
		t.Fatal("the replayed yes removed the image made after it")
	}
}

// A client that declares elicitation but fails elicitation/create: the call is an
// isError that says so (it reached the client as -32601 method not found: "tools/call").
func TestFailingElicitationIsAnError(t *testing.T) {
	needPodman(t)
	img := tagBase(t, "localhost/trust-elicit-fails", "1")
	r := StartRawWith(t, ServerOptions{},
		`{"protocolVersion":"2025-06-18","capabilities":{"elicitation":{}},"clientInfo":{"name":"raw","version":"1"}}`,
		func(string, json.RawMessage) string { return `"error":{"code":-32601,"message":"Method not found"}` })
	p := r.CallTool(t, "remove-image-local-storage", `{"name":"`+img+`"}`)
	if p.Error != nil || p.Result == nil || !p.Result.IsError {
		t.Fatalf("answer %+v, want an isError result", p)
	}
	for _, want := range []string{"elicitation/create", "the client failed", "Method not found", "Nothing was changed"} {
		if !strings.Contains(p.Text(), want) {
			t.Fatalf("the error does not say %q: %s", want, p.Text())
		}
	}
	if !imageExists(t, img) {
		t.Fatal("the image is gone")
	}
}

func TestConfirmWithoutElicitation(t *testing.T) {
	needPodman(t)
	for _, tc := range []struct {
		name    string
		args    []string
		env     []string
		removed bool
	}{
		{name: "default-allow", removed: true},
		{name: "flag-allow", args: []string{"--confirm-destructive=allow"}, removed: true},
		{name: "flag-deny", args: []string{"--confirm-destructive=deny"}},
		{name: "env-deny", env: []string{"IMAGE_MCP_CONFIRM_DESTRUCTIVE=deny"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img := tagBase(t, "localhost/issue5-noelicit", tc.name)
			s := StartServer(t, ServerOptions{Args: tc.args, Env: tc.env})
			if tc.removed {
				s.MustSucceed(t, "remove-image-local-storage", map[string]any{"name": img})
			} else {
				s.MustFail(t, "remove-image-local-storage", map[string]any{"name": img},
					"this MCP client cannot ask", "--confirm-destructive=deny", "IMAGE_MCP_CONFIRM_DESTRUCTIVE", "Nothing was changed")
			}
			if got := imageExists(t, img); got == tc.removed {
				t.Fatalf("image exists=%v, want %v", got, !tc.removed)
			}
		})
	}
}

func TestConfirmDestructiveBadValue(t *testing.T) {
	out, code := runBinary(t, nil, "--confirm-destructive=maybe")
	if code == 0 || !strings.Contains(out, `--confirm-destructive "maybe": want allow or deny`) {
		t.Fatalf("exit %d, output:\n%s", code, out)
	}
}
