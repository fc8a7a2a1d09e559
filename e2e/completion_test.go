package e2e

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func completeArg(t *testing.T, s *Server, prompt, arg, typed string) mcp.CompletionResultDetails {
	t.Helper()
	res, err := s.Session.Complete(context.Background(), &mcp.CompleteParams{
		Ref:      &mcp.CompleteReference{Type: "ref/prompt", Name: prompt},
		Argument: mcp.CompleteParamsArgument{Name: arg, Value: typed},
	})
	if err != nil {
		t.Fatalf("complete %s %s %q: %v", prompt, arg, typed, err)
	}
	return res.Completion
}

// A prompt argument that names an image completes with the local Podman images' names
// that start with what was typed (or whose part after a "/" does), then Central's; an
// argument of a Podman-only prompt with the local ones alone.
func TestCompletionOfImageNames(t *testing.T) {
	needPodman(t)
	importTiny(t, 3, "issue23-complete")
	fc := StartFakeCentral(t, FakeCentralOptions{Bulk: 150})
	s := StartServer(t, ServerOptions{Env: fc.Env(readToken)})

	local := completeArg(t, s, "explain-image", "image", "localhost/issue23-comp")
	want := []string{"localhost/issue23-complete:0", "localhost/issue23-complete:1", "localhost/issue23-complete:2"}
	if got := slices.Sorted(slices.Values(local.Values)); !slices.Equal(got, want) || local.HasMore {
		t.Fatalf("explain-image image: %+v, want %v", local, want)
	}
	// The part after the registry is enough, and case does not matter.
	if got := completeArg(t, s, "explain-image", "image", "BusyBox"); !slices.Contains(got.Values, baseImage) {
		t.Fatalf("explain-image image %q: %v, want %s among them", "BusyBox", got.Values, baseImage)
	}
	// Local names first, then Central's; at most 100, with hasMore.
	localToo := tagBase(t, "registry.example.com/bulk/zz-local", "1")
	both := completeArg(t, s, "image-vulnerability-report", "image", "registry.example.com/bulk/")
	if len(both.Values) != 100 || !both.HasMore || both.Total != 151 || both.Values[0] != localToo ||
		!strings.HasPrefix(both.Values[1], "registry.example.com/bulk/app-") {
		t.Fatalf("image-vulnerability-report image: %d values, hasMore %v, total %d: %.3q…", len(both.Values), both.HasMore, both.Total, both.Values)
	}
	if got := completeArg(t, s, "image-vulnerability-report", "image", ""); len(got.Values) != 100 || !got.HasMore {
		t.Fatalf("nothing typed: %d values, hasMore %v", len(got.Values), got.HasMore)
	}
	central := completeArg(t, s, "promote-image", "source", "registry.example.com/bulk/app-0001")
	if len(central.Values) != 10 || central.Values[0] != "registry.example.com/bulk/app-00010:1.0" {
		t.Fatalf("promote-image source: %v", central.Values)
	}
	if got := completeArg(t, s, "explain-image", "image", "registry.example.com/bulk/"); !slices.Equal(got.Values, []string{localToo}) {
		t.Fatalf("explain-image offers Central's names: %v", got.Values)
	}
}

// With no Podman and no Central there is nothing to offer: an empty answer, not an error.
func TestCompletionWithoutUpstreams(t *testing.T) {
	s := StartServer(t, ServerOptions{NoPod: true, Args: []string{"--no-autostart"},
		Env: []string{"CONTAINER_HOST=unix:///nonexistent/podman.sock"}})
	for _, c := range [][2]string{{"image-vulnerability-report", "image"}, {"explain-image", "image"}, {"promote-image", "destination"}} {
		got := completeArg(t, s, c[0], c[1], "local")
		if got.Values == nil || len(got.Values) != 0 || got.HasMore {
			t.Errorf("%s %s: %+v", c[0], c[1], got)
		}
	}
	// An argument that names no image, and a prompt that does not exist.
	if got := completeArg(t, s, "rebuild-on-patched-base", "context", "/"); len(got.Values) != 0 {
		t.Errorf("context completes: %v", got.Values)
	}
	_, err := s.Session.Complete(context.Background(), &mcp.CompleteParams{
		Ref: &mcp.CompleteReference{Type: "ref/prompt", Name: "no-such-prompt"}, Argument: mcp.CompleteParamsArgument{Name: "image"}})
	if err == nil || !strings.Contains(err.Error(), `no prompt "no-such-prompt" is served`) {
		t.Errorf("an unknown prompt: %v", err)
	}
}

// serverInfo carries a small SVG icon as a data: URI; the completions capability is
// declared.
func TestServerIcon(t *testing.T) {
	s := StartServer(t, ServerOptions{NoPod: true, ProtocolVersion: "2025-11-25"})
	if s.Session.InitializeResult().Capabilities.Completions == nil {
		t.Error("no completions capability")
	}
	icons := s.Session.InitializeResult().ServerInfo.Icons
	if len(icons) != 1 {
		t.Fatalf("icons %+v", icons)
	}
	ic := icons[0]
	data, ok := strings.CutPrefix(ic.Source, "data:image/svg+xml;base64,")
	svg, err := base64.StdEncoding.DecodeString(data)
	if !ok || err != nil || ic.MIMEType != "image/svg+xml" || !slices.Equal(ic.Sizes, []string{"any"}) {
		t.Fatalf("icon %.80s… %s %v (%v)", ic.Source, ic.MIMEType, ic.Sizes, err)
	}
	if !strings.HasPrefix(string(svg), "<svg") || !strings.Contains(string(svg), "</svg>") || len(ic.Source) > 4096 {
		t.Fatalf("not a small SVG (%d bytes as a URI): %.100s", len(ic.Source), svg)
	}
}
