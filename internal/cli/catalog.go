package cli

import (
	"fmt"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/prompts"
	"github.com/image-mcp/image-mcp/tools"
)

// catalog is what the server offers: the capabilities (built-in and --capability), every
// tool there is, those the filters serve and hide, and the prompts likewise.
type catalog struct {
	caps          []*capabilities.Capability
	all, served   []*capabilities.Tool
	hidden        tools.Hidden
	prompts       []*prompts.Prompt
	hiddenPrompts prompts.Hidden
}

// loadCatalog loads the built-in capabilities and the extra ones, then applies the filters.
// exit is 2 for a bad setting.
func loadCatalog(o *Options) (c catalog, exit int, err error) {
	c.caps = capabilities.Embedded()
	for _, path := range o.Capabilities {
		extra, err := capabilities.LoadFile(path)
		if err != nil {
			return c, 2, fmt.Errorf("%s %s: %w", o.CapabilitiesFrom, path, err)
		}
		c.caps = append(c.caps, extra)
	}
	if c.all, err = capabilities.AllTools(c.caps); err != nil {
		return c, 2, err
	}
	if c.served, c.hidden, err = o.Filter.Apply(c.all); err != nil {
		return c, 2, err
	}
	allPrompts, err := loadPrompts(c.caps, c.all)
	if err != nil {
		return c, 2, err
	}
	if err := checkCompletions(allPrompts, c.all); err != nil {
		return c, 2, err
	}
	c.prompts, c.hiddenPrompts = prompts.Apply(allPrompts, c.hidden)
	return c, 0, nil
}

// loadPrompts takes the built-in prompts and those the capabilities' corrections files
// declare, checked against every tool there is (before filters).
func loadPrompts(caps []*capabilities.Capability, all []*capabilities.Tool) ([]*prompts.Prompt, error) {
	builtin := capabilities.EmbeddedPrompts()
	files := []capabilities.PromptFile{builtin}
	for _, c := range caps {
		if len(c.Prompts) > 0 || len(c.Completions) > 0 {
			files = append(files, c.PromptFile())
		}
	}
	return prompts.Load(files, all)
}

// checkCompletions checks the arguments of every completion source of the prompts of
// --capability files against its tool's schema, as a call with something typed would send
// them: a wrong one stops the start rather than leaving an argument that never completes.
// (The built-in ones are checked by a test: building schemas is start-up time.)
func checkCompletions(ps []*prompts.Prompt, all []*capabilities.Tool) error {
	return checkCompletionsOf(ps, all, func(p *prompts.Prompt) bool { return p.File != capabilities.BuiltinPromptsFile })
}

func checkCompletionsOf(ps []*prompts.Prompt, all []*capabilities.Tool, which func(*prompts.Prompt) bool) error {
	byName := map[string]*capabilities.Tool{}
	for _, t := range all {
		byName[t.Name] = t
	}
	for _, p := range ps {
		if !which(p) {
			continue
		}
		for _, a := range p.Arguments {
			for _, src := range p.Completes[a.Name] {
				if _, err := tools.CheckArguments(byName[src.Tool], prompts.SourceArgs(src.Arguments, "x")); err != nil {
					return fmt.Errorf("%s: prompt %q: argument %q completes with %s: %w", p.File, p.Name, a.Name, src.Tool, err)
				}
			}
		}
	}
	return nil
}
