package e2e

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// tagBase gives the base image one more name, repo:tag.
func tagBase(t *testing.T, repo, tag string) string {
	t.Helper()
	code, body, err := PodmanRaw("POST", "/libpod/images/"+url.PathEscape(baseImage)+"/tag?repo="+url.QueryEscape(repo)+"&tag="+url.QueryEscape(tag), nil)
	if err != nil || code/100 != 2 {
		t.Fatalf("tag %s:%s: %d %s %v", repo, tag, code, body, err)
	}
	name := repo + ":" + tag
	t.Cleanup(func() { untagName(name) })
	return name
}

func untagName(name string) {
	repo, tag, _ := strings.Cut(name, ":")
	PodmanRaw("POST", "/libpod/images/"+url.PathEscape(name)+"/untag?repo="+url.QueryEscape(repo)+"&tag="+url.QueryEscape(tag), nil)
}

func imageExists(t *testing.T, name string) bool {
	t.Helper()
	code, body, err := PodmanRaw("GET", "/libpod/images/"+url.PathEscape(name)+"/exists", nil)
	if err != nil || (code != 204 && code != 404) {
		t.Fatalf("exists %s: %d %s %v", name, code, body, err)
	}
	return code == 204
}

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

func TestConfirmPruneAllAsksAndPlainUntagDoesNot(t *testing.T) {
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
	// untag is destructive but declares no ask rule: it runs without a question.
	img := tagBase(t, "localhost/issue5-untag", "1")
	s.MustSucceed(t, "untag-image", map[string]any{"name": img, "repo": "localhost/issue5-untag", "tag": "1"})
	if imageExists(t, img) {
		t.Fatal("untag did not untag")
	}
	if q := el.asked(); len(q) != 1 {
		t.Fatalf("untag asked: %q", q)
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
