package cli

import (
	"io"
	"maps"
	"strings"
	"testing"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/prompts"
)

// The built-in completion sources call their tools with arguments the tools take (at
// start only those of --capability files are checked), and a wrong one is found.
func TestBuiltinCompletionsCheck(t *testing.T) {
	o := NewOptions(io.Discard)
	if err := o.Validate(func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	c, _, err := loadCatalog(o)
	if err != nil {
		t.Fatal(err)
	}
	every := func(*prompts.Prompt) bool { return true }
	n := 0
	for _, p := range c.prompts {
		n += len(p.Completes)
	}
	if n == 0 {
		t.Fatal("no built-in prompt argument completes")
	}
	if err := checkCompletionsOf(c.prompts, c.all, every); err != nil {
		t.Fatal(err)
	}
	p := *c.prompts[0]
	p.Completes = maps.Clone(p.Completes)
	for name, srcs := range p.Completes {
		bad := append([]capabilities.CompletionSource(nil), srcs...)
		bad[0].Arguments = map[string]any{"nope": 1}
		p.Completes[name] = bad
	}
	err = checkCompletionsOf([]*prompts.Prompt{&p}, c.all, every)
	if err == nil || !strings.Contains(err.Error(), `unknown argument "nope"`) {
		t.Fatalf("a source with an unknown argument: %v", err)
	}
}
