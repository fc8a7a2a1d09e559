package prompts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/image-mcp/image-mcp/capabilities"
)

// A prompt's tools may be named by a renamed tool's seed name; the prompt keeps the
// listed name, so the filters hide it by that name.
func TestPromptToolsBySeedName(t *testing.T) {
	all := testTools(t)
	var renamed *capabilities.Tool
	for _, tl := range all {
		if tl.Seed != "" && tl.ReadOnly {
			renamed = tl
			break
		}
	}
	if renamed == nil {
		t.Fatal("no renamed read-only tool")
	}
	d := capabilities.PromptDef{Name: "p", Description: "d", Tools: []string{renamed.Seed, "list-images"}, Text: "t"}
	ps, err := Load([]capabilities.PromptFile{{File: "f.yaml", Prompts: []capabilities.PromptDef{d}}}, all)
	if err != nil {
		t.Fatal(err)
	}
	if got := ps[0].Tools; !slices.Equal(got, []string{renamed.Name, "list-images"}) {
		t.Fatalf("tools %v", got)
	}
	if _, hidden := Apply(ps, map[string]string{renamed.Name: "filtered"}); hidden["p"] == "" {
		t.Fatal("the prompt of a filtered tool, named by its seed name, is still listed")
	}
}

// `complete` names declared completions; a source names a read-only tool (by either
// name) and the path of its values.
func TestCompletionProblems(t *testing.T) {
	all := testTools(t)
	arg := capabilities.PromptArgDef{Name: "image", Description: "an image", Required: true, Complete: "image"}
	def := capabilities.PromptDef{Name: "p", Description: "d", Tools: []string{"list-images"}, Text: "{{image}}", Arguments: []capabilities.PromptArgDef{arg}}
	src := func(tool, values string) []capabilities.CompletionSource {
		return []capabilities.CompletionSource{{Tool: tool, Values: values}}
	}
	for _, tc := range []struct {
		name string
		comp map[string][]capabilities.CompletionSource
		want string
	}{
		{"undeclared", nil, `arguments[0] (image): complete: no completions "image" are declared`},
		{"unknown tool", map[string][]capabilities.CompletionSource{"image": src("nope", "x")}, `completions: image: [0]: unknown tool "nope"`},
		{"a tool that changes state", map[string][]capabilities.CompletionSource{"image": src("remove-image-local-storage", "x")}, `changes state`},
		{"no values", map[string][]capabilities.CompletionSource{"image": src("list-images", " ")}, `values: missing`},
		{"no sources", map[string][]capabilities.CompletionSource{"image": nil}, `no sources`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load([]capabilities.PromptFile{{File: "f.yaml", Prompts: []capabilities.PromptDef{def}, Completions: tc.comp}}, all)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
	seed := ""
	for _, tl := range all {
		if tl.Seed != "" && tl.ReadOnly {
			seed = tl.Seed
		}
	}
	ps, err := Load([]capabilities.PromptFile{{File: "f.yaml", Prompts: []capabilities.PromptDef{def},
		Completions: map[string][]capabilities.CompletionSource{"image": src(seed, "#")}}}, all)
	if err != nil {
		t.Fatal(err)
	}
	if got := ps[0].Completes["image"][0].Tool; got == seed {
		t.Fatalf("the source keeps the seed name %s", got)
	}
}

func TestMatches(t *testing.T) {
	for _, tc := range []struct {
		name, typed string
		want        bool
	}{
		{"localhost/busybox:test", "", true},
		{"localhost/busybox:test", "local", true},
		{"localhost/busybox:test", "busy", true},
		{"localhost/busybox:test", "BUSY", true},
		{"docker.io/library/nginx:1.25", "nginx", true},
		{"docker.io/library/nginx:1.25", "library/ng", true},
		{"docker.io/library/nginx:1.25", "ginx", false},
		{"localhost/busybox:test", "test", false},
	} {
		if got := Matches(tc.name, tc.typed); got != tc.want {
			t.Errorf("Matches(%q, %q) = %v", tc.name, tc.typed, got)
		}
	}
}

// completeFixture is a prompt whose argument completes from two sources, the second
// with what was typed in its query.
func completeFixture(t *testing.T) ([]*Prompt, []*capabilities.Tool) {
	t.Helper()
	all := testTools(t)
	arg := capabilities.PromptArgDef{Name: "image", Description: "an image", Required: true, Complete: "image"}
	def := capabilities.PromptDef{Name: "p", Description: "d", Tools: []string{"list-images"}, Text: "{{image}} {{n}}",
		Arguments: []capabilities.PromptArgDef{arg, {Name: "n", Description: "n"}}}
	ps, err := Load([]capabilities.PromptFile{{File: "f.yaml", Prompts: []capabilities.PromptDef{def},
		Completions: map[string][]capabilities.CompletionSource{"image": {
			{Tool: "list-images", Values: "#.RepoTags|@flatten"},
			{Tool: "stackrox-list-images", Arguments: map[string]any{"query": "Image:{{value}}", "pagination.limit": 200}, Values: "images.#.name"},
		}}}}, all)
	if err != nil {
		t.Fatal(err)
	}
	return ps, all
}

func complete(t *testing.T, c *Completer, prompt, arg, typed string) (*mcp.CompleteResult, error) {
	t.Helper()
	return c.Handler()(context.Background(), &mcp.CompleteRequest{Params: &mcp.CompleteParams{
		Ref: &mcp.CompleteReference{Type: "ref/prompt", Name: prompt}, Argument: mcp.CompleteParamsArgument{Name: arg, Value: typed}}})
}

// Local names first, then Central's, each once, those that match; nothing typed leaves
// out the query that holds {{value}}.
func TestCompleter(t *testing.T) {
	ps, all := completeFixture(t)
	var mu sync.Mutex
	var asked []string
	values := func(_ context.Context, tl *capabilities.Tool, args json.RawMessage, path string) ([]string, error) {
		mu.Lock()
		asked = append(asked, tl.Name+" "+string(args))
		mu.Unlock()
		if tl.Name == "list-images" {
			return []string{"localhost/app:1", "localhost/busybox:test", "quay.io/org/app:2"}, nil
		}
		var out []string
		for i := range 150 {
			out = append(out, fmt.Sprintf("quay.io/org/app:%d", i))
		}
		return out, nil
	}
	c := &Completer{Prompts: ps, Tools: all, Values: values}

	res, err := complete(t, c, "p", "image", "app")
	if err != nil {
		t.Fatal(err)
	}
	v := res.Completion
	if len(v.Values) != MaxCompletions || !v.HasMore || v.Total != 151 || v.Values[0] != "localhost/app:1" || v.Values[1] != "quay.io/org/app:2" || v.Values[2] != "quay.io/org/app:0" {
		t.Fatalf("completion %d values (hasMore %v, total %d): %.5v", len(v.Values), v.HasMore, v.Total, v.Values)
	}
	slices.Sort(asked)
	if want := []string{`list-images {}`, `stackrox-list-images {"pagination.limit":200,"query":"Image:app"}`}; !slices.Equal(asked, want) {
		t.Fatalf("sources called with %q, want %q", asked, want)
	}
	asked = nil
	if _, err := complete(t, c, "p", "image", ""); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(asked, `stackrox-list-images {"pagination.limit":200}`) {
		t.Fatalf("nothing typed: %q", asked)
	}
}

// failing is a source where list-images fails (no Podman) and Central answers one name.
func failing(_ context.Context, tl *capabilities.Tool, _ json.RawMessage, _ string) ([]string, error) {
	if tl.Name == "list-images" {
		return nil, errors.New("no Podman")
	}
	return []string{"quay.io/org/app:9"}, nil
}

// A source that fails or is not served adds nothing; the answer is never an error.
func TestCompleterSourceFails(t *testing.T) {
	ps, all := completeFixture(t)
	var mu sync.Mutex
	var failed []string
	c := &Completer{Prompts: ps, Tools: all, Values: failing, Failed: func(tool string, err error) { mu.Lock(); failed = append(failed, tool); mu.Unlock() }}
	res, err := complete(t, c, "p", "image", "")
	if err != nil || !slices.Equal(res.Completion.Values, []string{"quay.io/org/app:9"}) || !slices.Equal(failed, []string{"list-images"}) {
		t.Fatalf("one source failing: %v %v (failed %v)", res, err, failed)
	}
	var podmanOnly []*capabilities.Tool
	for _, tl := range all {
		if tl.Capability.Toolset == "podman" {
			podmanOnly = append(podmanOnly, tl)
		}
	}
	c = &Completer{Prompts: ps, Tools: podmanOnly, Values: failing}
	res, err = complete(t, c, "p", "image", "")
	if err != nil || res.Completion.Values == nil || len(res.Completion.Values) != 0 {
		t.Fatalf("no source answering: %+v %v", res, err)
	}
}

// A source that does not answer in time adds nothing; the answer comes at the timeout.
func TestCompleterSlowSource(t *testing.T) {
	ps, all := completeFixture(t)
	slow := func(ctx context.Context, tl *capabilities.Tool, _ json.RawMessage, _ string) ([]string, error) {
		if tl.Name == "list-images" {
			<-ctx.Done()
			return nil, ctx.Err()
		}
		return []string{"quay.io/org/app:9"}, nil
	}
	c := &Completer{Prompts: ps, Tools: all, Values: slow, Timeout: 50 * time.Millisecond}
	if res, err := complete(t, c, "p", "image", ""); err != nil || !slices.Equal(res.Completion.Values, []string{"quay.io/org/app:9"}) {
		t.Fatalf("a slow source: %+v %v", res, err)
	}
}

// An argument without completions answers none; an unknown prompt or argument is an error.
func TestCompleterUnknown(t *testing.T) {
	ps, all := completeFixture(t)
	c := &Completer{Prompts: ps, Tools: all, Values: failing}
	if res, err := complete(t, c, "p", "n", "x"); err != nil || len(res.Completion.Values) != 0 {
		t.Fatalf("argument without completions: %+v %v", res, err)
	}
	if _, err := complete(t, c, "nope", "image", ""); err == nil || !strings.Contains(err.Error(), `no prompt "nope" is served`) {
		t.Fatalf("unknown prompt: %v", err)
	}
	if _, err := complete(t, c, "p", "nope", ""); err == nil || !strings.Contains(err.Error(), `has no argument "nope"`) {
		t.Fatalf("unknown argument: %v", err)
	}
}
