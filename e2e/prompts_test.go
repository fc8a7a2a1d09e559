package e2e

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The built-in prompts (capabilities/specs/prompts.yaml): their arguments, and the tools
// each uses, from which the filters decide whether it is listed.
var builtinPrompts = map[string]struct {
	args  map[string]string // a value for each argument (all are required)
	tools []string
}{
	"image-vulnerability-report": {map[string]string{"image": "quay.io/example/app:1.2"},
		[]string{"inspect-image", "history-image", "stackrox-list-images", "stackrox-scan-image", "stackrox-get-image"}},
	"promote-image": {map[string]string{"source": "registry.example.com/team/app:1.2", "destination": "prod.example.com/team/app:1.2"},
		[]string{"pull-images", "inspect-image", "stackrox-list-images", "stackrox-scan-image", "stackrox-get-image", "tag-image", "push-image", "search-images"}},
	"rebuild-on-patched-base": {map[string]string{"context": "/src/app", "tag": "registry.example.com/team/app:1.2"},
		[]string{"inspect-image", "history-image", "pull-images", "build-image", "push-image", "stackrox-scan-image", "stackrox-get-image"}},
	"reclaim-disk-space": {map[string]string{}, []string{"list-images", "prune-unused-images"}},
	"explain-image":      {map[string]string{"image": "localhost/app:1"}, []string{"inspect-image", "history-image", "image-tree"}},
}

// stackroxPrompts use StackRox tools: their text says what to tell the person when no
// Central is configured.
var stackroxPrompts = []string{"image-vulnerability-report", "promote-image", "rebuild-on-patched-base"}

func listedPrompts(t *testing.T, s *Server) []string {
	t.Helper()
	res, err := s.Session.ListPrompts(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range res.Prompts {
		names = append(names, p.Name)
	}
	sort.Strings(names)
	return names
}

func getPrompt(s *Server, name string, args map[string]string) (string, error) {
	res, err := s.Session.GetPrompt(context.Background(), &mcp.GetPromptParams{Name: name, Arguments: args})
	if err != nil {
		return "", err
	}
	var parts []string
	for _, m := range res.Messages {
		if tc, ok := m.Content.(*mcp.TextContent); ok && m.Role == "user" {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n"), nil
}

// promptsServed are the built-in prompts whose tools are all in served.
func promptsServed(served []string) []string {
	var out []string
	for name, p := range builtinPrompts {
		if len(minus(p.tools, served)) == 0 {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// listedInListTools reads the prompts section of --list-tools.
func listedInListTools(t *testing.T, env []string, args ...string) []string {
	t.Helper()
	out, code := runBinary(t, env, append(args, "--list-tools")...)
	if code != 0 {
		t.Fatalf("--list-tools exit %d: %s", code, out)
	}
	_, section, ok := strings.Cut(out, "\nPROMPT ")
	if !ok {
		t.Fatalf("--list-tools has no prompts section:\n%s", out)
	}
	lines := strings.Split(strings.TrimSpace(section), "\n")
	var names []string
	for _, l := range lines[1 : len(lines)-1] {
		names = append(names, strings.Fields(l)[0])
	}
	sort.Strings(names)
	return names
}

func TestPromptsUnderFilters(t *testing.T) {
	all := allToolNames(t)
	var allPrompts []string
	for name := range builtinPrompts {
		allPrompts = append(allPrompts, name)
	}
	sort.Strings(allPrompts)
	fc := StartFakeCentral(t, FakeCentralOptions{})
	for _, tc := range []struct {
		name   string
		args   []string
		env    []string
		served []string // tools served
		why    string   // what the refusal of a hidden prompt names
	}{
		{name: "no filters, no Central", served: all},
		{name: "no filters, Central", env: fc.Env(readToken), served: all},
		{name: "read-only", args: []string{"--read-only"}, served: readOnlyTools, why: "--read-only (IMAGE_MCP_READ_ONLY)"},
		{name: "read-only-env", env: []string{"IMAGE_MCP_READ_ONLY=true"}, served: readOnlyTools, why: "--read-only (IMAGE_MCP_READ_ONLY)"},
		{name: "disable-destructive", args: []string{"--disable-destructive"}, served: minus(all, destructiveTools), why: "--disable-destructive (IMAGE_MCP_DISABLE_DESTRUCTIVE)"},
		{name: "toolsets podman", args: []string{"--toolsets", "podman"}, served: minus(all, stackroxTools), why: `not in --toolsets podman (IMAGE_MCP_TOOLSETS)`},
		{name: "toolsets stackrox", args: []string{"--toolsets=stackrox"}, served: stackroxTools, why: `not in --toolsets stackrox (IMAGE_MCP_TOOLSETS)`},
		{name: "enabled-tools", args: []string{"--enabled-tools", "inspect-image,history-image,image-tree,list-images"}, served: []string{"history-image", "image-tree", "inspect-image", "list-images"}, why: "not in --enabled-tools (IMAGE_MCP_ENABLED_TOOLS)"},
		{name: "disabled-tools", args: []string{"--disabled-tools", "search-images"}, served: minus(all, []string{"search-images"}), why: `"search-images", which is not served: it is in --disabled-tools (IMAGE_MCP_DISABLED_TOOLS)`},
		{name: "disabled-tools-env", env: []string{"IMAGE_MCP_DISABLED_TOOLS=image-tree"}, served: minus(all, []string{"image-tree"}), why: "--disabled-tools (IMAGE_MCP_DISABLED_TOOLS)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := promptsServed(tc.served)
			hidden := minus(allPrompts, want)
			if tc.why == "" && len(hidden) > 0 || tc.why != "" && len(hidden) == 0 {
				t.Fatalf("the case is wrong: hidden %v, why %q", hidden, tc.why)
			}
			s := StartServer(t, ServerOptions{Args: tc.args, Env: tc.env})
			if got := listedPrompts(t, s); !slices.Equal(got, want) {
				t.Fatalf("prompts/list: got %v, want %v", got, want)
			}
			if got := listedInListTools(t, tc.env, tc.args...); !slices.Equal(got, want) {
				t.Fatalf("--list-tools prompts: got %v, want %v", got, want)
			}
			for _, name := range want {
				p := builtinPrompts[name]
				text, err := getPrompt(s, name, p.args)
				if err != nil {
					t.Fatalf("prompts/get %s: %v", name, err)
				}
				for _, v := range p.args {
					if !strings.Contains(text, v) {
						t.Errorf("%s: the text lacks the argument value %q", name, v)
					}
				}
				for _, tool := range p.tools {
					if !strings.Contains(text, tool) {
						t.Errorf("%s: the text never names its tool %s", name, tool)
					}
				}
				if strings.Contains(text, "{{") {
					t.Errorf("%s: a placeholder is left in the text:\n%s", name, text)
				}
				if slices.Contains(stackroxPrompts, name) && (!strings.Contains(text, "no StackRox Central is configured") || !strings.Contains(text, "ROX_ENDPOINT")) {
					t.Errorf("%s: the text does not say what to do without a Central:\n%s", name, text)
				}
			}
			for _, name := range hidden {
				_, err := getPrompt(s, name, builtinPrompts[name].args)
				if err == nil || !strings.Contains(err.Error(), `prompt "`+name+`" is not available: it uses the tool "`) || !strings.Contains(err.Error(), tc.why) {
					t.Errorf("prompts/get of hidden %s: want a refusal naming %q, got %v", name, tc.why, err)
				}
			}
		})
	}
}

func TestPromptArguments(t *testing.T) {
	s := StartServer(t, ServerOptions{})
	res, err := s.Session.ListPrompts(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Prompts {
		want := builtinPrompts[p.Name]
		if p.Title == "" || p.Description == "" {
			t.Errorf("%s: title %q, description %q", p.Name, p.Title, p.Description)
		}
		if len(p.Arguments) != len(want.args) {
			t.Errorf("%s: arguments %d, want %d", p.Name, len(p.Arguments), len(want.args))
		}
		for _, a := range p.Arguments {
			if _, ok := want.args[a.Name]; !ok || !a.Required || a.Description == "" {
				t.Errorf("%s: argument %+v", p.Name, a)
			}
			// Each required argument left out is an error naming it.
			args := map[string]string{}
			for k, v := range want.args {
				if k != a.Name {
					args[k] = v
				}
			}
			if _, err := getPrompt(s, p.Name, args); err == nil || !strings.Contains(err.Error(), `missing required argument "`+a.Name+`"`) {
				t.Errorf("%s without %s: got %v", p.Name, a.Name, err)
			}
		}
		bad := map[string]string{"colour": "red"}
		for k, v := range want.args {
			bad[k] = v
		}
		if _, err := getPrompt(s, p.Name, bad); err == nil || !strings.Contains(err.Error(), `unknown argument "colour"`) {
			t.Errorf("%s with an unknown argument: got %v", p.Name, err)
		}
	}
	if len(res.Prompts) != len(builtinPrompts) {
		t.Fatalf("listed %d prompts, want %d", len(res.Prompts), len(builtinPrompts))
	}
	if _, err := getPrompt(s, "no-such-prompt", nil); err == nil || !strings.Contains(err.Error(), `unknown prompt "no-such-prompt"`) {
		t.Fatalf("an unknown prompt: %v", err)
	}
	init := s.Session.InitializeResult()
	if init.Capabilities.Prompts == nil {
		t.Fatal("the server does not declare the prompts capability")
	}
}

// An extra capability's prompts (notes.corrections.yaml) are served and filtered like the
// built-in ones; a wrong prompt is a start error naming the file and the prompt.
func TestCapabilityPrompts(t *testing.T) {
	api := startNotesAPI(t, 3)
	s := StartServer(t, ServerOptions{NoPod: true, Args: []string{"--capability", notesFile}, Env: notesEnv(api)})
	if got := listedPrompts(t, s); !slices.Contains(got, "tidy-notes") || len(got) != len(builtinPrompts)+1 {
		t.Fatalf("prompts/list: %v", got)
	}
	text, err := getPrompt(s, "tidy-notes", map[string]string{"query": "tag:old"})
	if err != nil || !strings.Contains(text, `query "tag:old"`) {
		t.Fatalf("tidy-notes: %q %v", text, err)
	}
	// The person's workflow, with the tools the prompt names.
	s.MustSucceed(t, "list-notes", map[string]any{"query": "tag:old", "fields": []string{"id", "name"}})
	dry := s.MustSucceed(t, "delete-notes", map[string]any{"query": "tag:old"})
	if !strings.Contains(Text(dry), "42") {
		t.Fatalf("the dry run does not count: %s", Text(dry))
	}

	ro := StartServer(t, ServerOptions{NoPod: true, Args: []string{"--capability", notesFile, "--read-only"}, Env: notesEnv(api)})
	if slices.Contains(listedPrompts(t, ro), "tidy-notes") {
		t.Fatal("tidy-notes is listed under --read-only, which hides delete-notes")
	}
	if _, err := getPrompt(ro, "tidy-notes", map[string]string{"query": "x"}); err == nil || !strings.Contains(err.Error(), `"delete-notes", which is not served: image-mcp runs with --read-only`) {
		t.Fatalf("tidy-notes under --read-only: %v", err)
	}

	spec, err := os.ReadFile(notesFile)
	if err != nil {
		t.Fatal(err)
	}
	corr, err := os.ReadFile("testdata/notes.corrections.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"unknown tool", "tools: [list-notes, delete-notes]", "tools: [list-notes, erase-notes]", `.corrections.yaml: prompt "tidy-notes": tools: unknown tool "erase-notes"`},
		{"undeclared placeholder", `query "{{query}}" and fields`, `query "{{filter}}" and fields`, `.corrections.yaml: prompt "tidy-notes": text: placeholder {{filter}} names no declared argument; arguments: query`},
		{"no description", "  description: Find the notes", "  summary: Find the notes", `.corrections.yaml: yaml: unmarshal errors:`},
		{"missing description", "  description: Find the notes matching a query and delete them once the person agrees.\n", "", `.corrections.yaml: prompt "tidy-notes": description: missing`},
		{"missing text", "  text: |-", "  txt: |-", "field txt not found"},
		{"clashes with a built-in", "- name: tidy-notes", "- name: explain-image", `.corrections.yaml: prompt "explain-image": name: already a prompt of prompts.yaml`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(string(corr), tc.old) {
				t.Fatalf("notes.corrections.yaml lacks %q", tc.old)
			}
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "notes.yaml"), spec, 0o644)
			os.WriteFile(filepath.Join(dir, "notes.corrections.yaml"), []byte(strings.Replace(string(corr), tc.old, tc.new, 1)), 0o644)
			out, code := runBinary(t, notesEnv(api), "--capability", filepath.Join(dir, "notes.yaml"), "--list-tools")
			if code != 2 || !strings.Contains(out, filepath.Join(dir, "notes.corrections.yaml")+": ") || !strings.Contains(out, tc.want) {
				t.Fatalf("exit %d, want 2 and %q:\n%s", code, tc.want, out)
			}
		})
	}
}
