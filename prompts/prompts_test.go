package prompts

import (
	"strings"
	"testing"

	"github.com/image-mcp/image-mcp/capabilities"
)

func testTools(t *testing.T) []*capabilities.Tool {
	t.Helper()
	caps := capabilities.Embedded()
	all, err := capabilities.AllTools(caps)
	if err != nil {
		t.Fatal(err)
	}
	return all
}

func TestBuiltinPromptsLoad(t *testing.T) {
	f := capabilities.EmbeddedPrompts()
	ps, err := Load([]capabilities.PromptFile{f}, testTools(t))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
	}
	want := "image-vulnerability-report promote-image rebuild-on-patched-base reclaim-disk-space explain-image"
	if strings.Join(names, " ") != want {
		t.Fatalf("prompts %v, want %s", names, want)
	}
}

func TestLoadProblems(t *testing.T) {
	ok := capabilities.PromptDef{Name: "p", Description: "d", Tools: []string{"list-images"}, Text: "use {{x}}",
		Arguments: []capabilities.PromptArgDef{{Name: "x", Description: "an x", Required: true}}}
	with := func(f func(*capabilities.PromptDef)) capabilities.PromptDef {
		d := ok
		d.Arguments = append([]capabilities.PromptArgDef(nil), ok.Arguments...)
		f(&d)
		return d
	}
	for _, tc := range []struct {
		name  string
		defs  []capabilities.PromptDef
		wants []string
	}{
		{"bad name", []capabilities.PromptDef{with(func(d *capabilities.PromptDef) { d.Name = "a b" })}, []string{`prompt "a b"`, "name: must be"}},
		{"no name", []capabilities.PromptDef{with(func(d *capabilities.PromptDef) { d.Name = "" })}, []string{`prompt "prompts[0]"`, "name"}},
		{"duplicate", []capabilities.PromptDef{ok, ok}, []string{`prompt "p"`, "already a prompt of f.yaml"}},
		{"no description", []capabilities.PromptDef{with(func(d *capabilities.PromptDef) { d.Description = " " })}, []string{"description: missing"}},
		{"no text", []capabilities.PromptDef{with(func(d *capabilities.PromptDef) { d.Text = "" })}, []string{"text: missing"}},
		{"no tools", []capabilities.PromptDef{with(func(d *capabilities.PromptDef) { d.Tools = nil })}, []string{"tools: missing"}},
		{"unknown tool", []capabilities.PromptDef{with(func(d *capabilities.PromptDef) { d.Tools = []string{"list-imagez"} })}, []string{`unknown tool "list-imagez"`, "known tools:", "list-images"}},
		{"undeclared placeholder", []capabilities.PromptDef{with(func(d *capabilities.PromptDef) { d.Text = "{{x}} {{ y }}" })}, []string{"placeholder {{y}} names no declared argument", "arguments: x"}},
		{"unused argument", []capabilities.PromptDef{with(func(d *capabilities.PromptDef) { d.Text = "nothing" })}, []string{`argument "x" is declared but the text never uses {{x}}`}},
		{"argument without description", []capabilities.PromptDef{with(func(d *capabilities.PromptDef) { d.Arguments[0].Description = "" })}, []string{"arguments[0] (x): description missing"}},
		{"duplicate argument", []capabilities.PromptDef{with(func(d *capabilities.PromptDef) { d.Arguments = append(d.Arguments, d.Arguments[0]) })}, []string{`duplicate argument "x"`}},
		{"required with default", []capabilities.PromptDef{with(func(d *capabilities.PromptDef) { d.Arguments[0].Default = "z" })}, []string{"required argument cannot have a default"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load([]capabilities.PromptFile{{File: "f.yaml", Prompts: tc.defs}}, testTools(t))
			if err == nil {
				t.Fatal("loaded, want an error")
			}
			if !strings.HasPrefix(err.Error(), "f.yaml: ") {
				t.Errorf("%q does not name the file first", err)
			}
			for _, w := range tc.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q lacks %q", err, w)
				}
			}
		})
	}
}

func TestRender(t *testing.T) {
	p := &Prompt{PromptDef: capabilities.PromptDef{Name: "p", Text: "a={{a}} b={{ b }} a={{a}}",
		Arguments: []capabilities.PromptArgDef{{Name: "a", Description: "the a", Required: true}, {Name: "b", Description: "the b", Default: "B"}}}}
	for _, tc := range []struct {
		name    string
		args    map[string]string
		want    string
		wantErr string
	}{
		{"all", map[string]string{"a": "1", "b": "2"}, "a=1 b=2 a=1", ""},
		{"default", map[string]string{"a": "1"}, "a=1 b=B a=1", ""},
		{"missing required", map[string]string{"b": "2"}, "", `prompt "p": missing required argument "a" (the a)`},
		{"blank required", map[string]string{"a": "  "}, "", `missing required argument "a"`},
		{"unknown", map[string]string{"a": "1", "c": "3"}, "", `unknown argument "c"; its arguments: a (required), b`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := p.Render(tc.args)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %q, %v; want error %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestApply(t *testing.T) {
	ps := []*Prompt{
		{PromptDef: capabilities.PromptDef{Name: "one", Tools: []string{"list-images"}}},
		{PromptDef: capabilities.PromptDef{Name: "two", Tools: []string{"list-images", "prune-unused-images"}}},
	}
	kept, hidden := Apply(ps, map[string]string{"prune-unused-images": "because --disable-destructive"})
	if len(kept) != 1 || kept[0].Name != "one" {
		t.Fatalf("kept %v", kept)
	}
	if why := hidden["two"]; !strings.Contains(why, `the tool "prune-unused-images", which is not served: because --disable-destructive`) {
		t.Fatalf("hidden why %q", why)
	}
}
