package prompts

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/image-mcp/image-mcp/capabilities"
)

// Problem is a prompt declaration that cannot be used: the file, the prompt and what is wrong.
type Problem struct {
	File   string
	Prompt string
	Msg    string
}

func (p *Problem) Error() string {
	if p.Prompt == "" {
		return fmt.Sprintf("%s: prompts: %s", p.File, p.Msg)
	}
	return fmt.Sprintf("%s: prompt %q: %s", p.File, p.Prompt, p.Msg)
}

var (
	nameRE        = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,128}$`)
	placeholderRE = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)
)

// Load checks the prompts of files against the tools there are (before filters: a
// prompt naming a tool no capability has is a mistake whatever the filters) and returns
// them in order. Names must be unique across files.
func Load(files []capabilities.PromptFile, all []*capabilities.Tool) ([]*Prompt, error) {
	aliases := capabilities.NamesOf(all)
	completions, err := loadCompletions(files, all, aliases)
	if err != nil {
		return nil, err
	}
	l := &loader{toolNames: map[string]bool{}, aliases: aliases, completions: completions, owner: map[string]string{}}
	for _, t := range all {
		l.toolNames[t.Name] = true
	}
	var out []*Prompt
	for _, f := range files {
		for i := range f.Prompts {
			p, err := l.prompt(f.File, i, f.Prompts[i])
			if err != nil {
				return nil, err
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// loader checks prompts one at a time against the tools, the completions and the
// prompts checked before.
type loader struct {
	toolNames   map[string]bool
	aliases     capabilities.Names
	completions map[string][]capabilities.CompletionSource
	owner       map[string]string // prompt name → the file that declares it
}

// badFunc makes a Problem about one prompt.
type badFunc func(format string, a ...any) error

// prompt checks d, the i-th prompt of file.
func (l *loader) prompt(file string, i int, d capabilities.PromptDef) (*Prompt, error) {
	bad := func(format string, a ...any) error {
		name := d.Name
		if name == "" {
			name = fmt.Sprintf("prompts[%d]", i)
		}
		return &Problem{File: file, Prompt: name, Msg: fmt.Sprintf(format, a...)}
	}
	switch {
	case !nameRE.MatchString(d.Name):
		return nil, bad("name: must be 1-128 characters of A-Z a-z 0-9 _ - .")
	case l.owner[d.Name] != "":
		return nil, bad("name: already a prompt of %s; prompt names must be unique", l.owner[d.Name])
	case strings.TrimSpace(d.Description) == "":
		return nil, bad("description: missing")
	case strings.TrimSpace(d.Text) == "":
		return nil, bad("text: missing")
	case len(d.Tools) == 0:
		return nil, bad("tools: missing; list the tools the text uses, so the prompt is hidden when one of them is")
	}
	l.owner[d.Name] = file
	// A tool may be named by its seed name; the prompt keeps the listed one.
	d.Tools = slices.Clone(d.Tools)
	for i, tn := range d.Tools {
		listed, ok := l.aliases.Listed(tn)
		if !ok {
			return nil, bad("tools: unknown tool %q; known tools: %s", tn, keyList(l.toolNames))
		}
		d.Tools[i] = listed
	}
	args, completes, err := l.arguments(d, bad)
	if err != nil {
		return nil, err
	}
	if err := checkPlaceholders(d, args, bad); err != nil {
		return nil, err
	}
	return &Prompt{PromptDef: d, File: file, Completes: completes}, nil
}

// arguments checks d's arguments and finds where those that complete get their values.
func (l *loader) arguments(d capabilities.PromptDef, bad badFunc) (map[string]bool, map[string][]capabilities.CompletionSource, error) {
	args := map[string]bool{}
	var completes map[string][]capabilities.CompletionSource
	for j, a := range d.Arguments {
		if a.Complete != "" {
			srcs, ok := l.completions[a.Complete]
			if !ok {
				return nil, nil, bad("arguments[%d] (%s): complete: no completions %q are declared; declared: %s", j, a.Name, a.Complete, keyList(boolKeys(l.completions)))
			}
			if completes == nil {
				completes = map[string][]capabilities.CompletionSource{}
			}
			completes[a.Name] = srcs
		}
		switch {
		case !nameRE.MatchString(a.Name):
			return nil, nil, bad("arguments[%d].name: must be 1-128 characters of A-Z a-z 0-9 _ - .", j)
		case args[a.Name]:
			return nil, nil, bad("arguments[%d]: duplicate argument %q", j, a.Name)
		case strings.TrimSpace(a.Description) == "":
			return nil, nil, bad("arguments[%d] (%s): description missing", j, a.Name)
		case a.Required && a.Default != "":
			return nil, nil, bad("arguments[%d] (%s): a required argument cannot have a default", j, a.Name)
		}
		args[a.Name] = true
	}
	return args, completes, nil
}

// checkPlaceholders: every {{placeholder}} of the text is a declared argument, and every
// argument is used.
func checkPlaceholders(d capabilities.PromptDef, args map[string]bool, bad badFunc) error {
	used := map[string]bool{}
	for _, m := range placeholderRE.FindAllStringSubmatch(d.Text, -1) {
		if !args[m[1]] {
			return bad("text: placeholder {{%s}} names no declared argument; arguments: %s", m[1], keyList(args))
		}
		used[m[1]] = true
	}
	for _, a := range d.Arguments {
		if !used[a.Name] {
			return bad("argument %q is declared but the text never uses {{%s}}", a.Name, a.Name)
		}
	}
	return nil
}

// loadCompletions checks the completions the files declare (names unique across files)
// and gives them with each source's tool by its listed name. A source's tool must be
// read-only: completing an argument must change nothing.
func loadCompletions(files []capabilities.PromptFile, all []*capabilities.Tool, aliases capabilities.Names) (map[string][]capabilities.CompletionSource, error) {
	byName := map[string]*capabilities.Tool{}
	for _, t := range all {
		byName[t.Name] = t
	}
	out := map[string][]capabilities.CompletionSource{}
	owner := map[string]string{}
	for _, f := range files {
		for _, name := range slices.Sorted(maps.Keys(f.Completions)) {
			bad := func(format string, a ...any) error {
				return &Problem{File: f.File, Msg: fmt.Sprintf("completions: %s: ", name) + fmt.Sprintf(format, a...)}
			}
			if owner[name] != "" {
				return nil, bad("already declared in %s; completion names must be unique", owner[name])
			}
			owner[name] = f.File
			srcs := slices.Clone(f.Completions[name])
			if len(srcs) == 0 {
				return nil, bad("no sources")
			}
			for i := range srcs {
				listed, ok := aliases.Listed(srcs[i].Tool)
				switch {
				case !ok:
					return nil, bad("[%d]: unknown tool %q", i, srcs[i].Tool)
				case !byName[listed].ReadOnly:
					return nil, bad("[%d]: tool %q changes state (readOnlyHint is false); completion calls only read-only tools", i, srcs[i].Tool)
				case strings.TrimSpace(srcs[i].Values) == "":
					return nil, bad("[%d]: values: missing (the gjson path of the values in %s's answer)", i, listed)
				}
				srcs[i].Tool = listed
			}
			out[name] = srcs
		}
	}
	return out, nil
}

func boolKeys[V any](m map[string]V) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

// keyList names the keys of m in order, for a message; "none" for none.
func keyList(m map[string]bool) string {
	if len(m) == 0 {
		return "none"
	}
	return strings.Join(slices.Sorted(maps.Keys(m)), ", ")
}
