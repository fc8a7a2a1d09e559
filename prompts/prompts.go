// Package prompts serves MCP prompts declared as data (capabilities.PromptDef): it checks
// them against the tools at start, decides which are listed under the tool filters, fills
// in their arguments and refuses a prompt that the filters hide, saying which setting
// hides it. No Go code here names a prompt or a tool.
package prompts

import (
	"context"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/image-mcp/image-mcp/capabilities"
)

// Prompt is a validated prompt and the file that declares it.
type Prompt struct {
	capabilities.PromptDef
	File string
	// Completes gives, for each argument that completes, where its values come from
	// (the tools by their listed names).
	Completes map[string][]capabilities.CompletionSource
}

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
	toolNames := map[string]bool{}
	for _, t := range all {
		toolNames[t.Name] = true
	}
	aliases := capabilities.NamesOf(all)
	completions, err := loadCompletions(files, all, aliases)
	if err != nil {
		return nil, err
	}
	owner := map[string]string{}
	var out []*Prompt
	for _, f := range files {
		for i := range f.Prompts {
			d := f.Prompts[i]
			bad := func(format string, a ...any) error {
				name := d.Name
				if name == "" {
					name = fmt.Sprintf("prompts[%d]", i)
				}
				return &Problem{File: f.File, Prompt: name, Msg: fmt.Sprintf(format, a...)}
			}
			switch {
			case !nameRE.MatchString(d.Name):
				return nil, bad("name: must be 1-128 characters of A-Z a-z 0-9 _ - .")
			case owner[d.Name] != "":
				return nil, bad("name: already a prompt of %s; prompt names must be unique", owner[d.Name])
			case strings.TrimSpace(d.Description) == "":
				return nil, bad("description: missing")
			case strings.TrimSpace(d.Text) == "":
				return nil, bad("text: missing")
			case len(d.Tools) == 0:
				return nil, bad("tools: missing; list the tools the text uses, so the prompt is hidden when one of them is")
			}
			owner[d.Name] = f.File
			// A tool may be named by its seed name; the prompt keeps the listed one.
			d.Tools = slices.Clone(d.Tools)
			for i, tn := range d.Tools {
				listed, ok := aliases.Listed(tn)
				if !ok {
					return nil, bad("tools: unknown tool %q; known tools: %s", tn, keyList(toolNames))
				}
				d.Tools[i] = listed
			}
			args := map[string]bool{}
			var completes map[string][]capabilities.CompletionSource
			for j, a := range d.Arguments {
				if a.Complete != "" {
					srcs, ok := completions[a.Complete]
					if !ok {
						return nil, bad("arguments[%d] (%s): complete: no completions %q are declared; declared: %s", j, a.Name, a.Complete, keyList(boolKeys(completions)))
					}
					if completes == nil {
						completes = map[string][]capabilities.CompletionSource{}
					}
					completes[a.Name] = srcs
				}
				switch {
				case !nameRE.MatchString(a.Name):
					return nil, bad("arguments[%d].name: must be 1-128 characters of A-Z a-z 0-9 _ - .", j)
				case args[a.Name]:
					return nil, bad("arguments[%d]: duplicate argument %q", j, a.Name)
				case strings.TrimSpace(a.Description) == "":
					return nil, bad("arguments[%d] (%s): description missing", j, a.Name)
				case a.Required && a.Default != "":
					return nil, bad("arguments[%d] (%s): a required argument cannot have a default", j, a.Name)
				}
				args[a.Name] = true
			}
			used := map[string]bool{}
			for _, m := range placeholderRE.FindAllStringSubmatch(d.Text, -1) {
				if !args[m[1]] {
					return nil, bad("text: placeholder {{%s}} names no declared argument; arguments: %s", m[1], keyList(args))
				}
				used[m[1]] = true
			}
			for _, a := range d.Arguments {
				if !used[a.Name] {
					return nil, bad("argument %q is declared but the text never uses {{%s}}", a.Name, a.Name)
				}
			}
			out = append(out, &Prompt{PromptDef: d, File: f.File, Completes: completes})
		}
	}
	return out, nil
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

// Hidden maps the name of each prompt left out to why.
type Hidden map[string]string

// Apply keeps the prompts whose tools are all served. hiddenTools maps each tool the
// filters leave out to the setting that does (tools.Hidden).
func Apply(all []*Prompt, hiddenTools map[string]string) ([]*Prompt, Hidden) {
	var kept []*Prompt
	hidden := Hidden{}
	for _, p := range all {
		why := ""
		for _, tn := range p.Tools {
			if w, ok := hiddenTools[tn]; ok {
				why = fmt.Sprintf("it uses the tool %q, which is not served: %s", tn, w)
				break
			}
		}
		if why != "" {
			hidden[p.Name] = why
			continue
		}
		kept = append(kept, p)
	}
	return kept, hidden
}

// Render fills the prompt's text with args. A required argument missing (or blank) and
// an argument the prompt does not declare are errors naming it.
func (p *Prompt) Render(args map[string]string) (string, error) {
	declared := map[string]capabilities.PromptArgDef{}
	for _, a := range p.Arguments {
		declared[a.Name] = a
	}
	var unknown []string
	for k := range args {
		if _, ok := declared[k]; !ok {
			unknown = append(unknown, fmt.Sprintf("%q", k))
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return "", fmt.Errorf("prompt %q: unknown argument %s; its arguments: %s", p.Name, strings.Join(unknown, ", "), p.argList())
	}
	values := map[string]string{}
	for _, a := range p.Arguments {
		v := strings.TrimSpace(args[a.Name])
		if v == "" && a.Required {
			return "", fmt.Errorf("prompt %q: missing required argument %q (%s)", p.Name, a.Name, a.Description)
		}
		if v == "" {
			v = a.Default
		}
		values[a.Name] = v
	}
	return placeholderRE.ReplaceAllStringFunc(p.Text, func(m string) string {
		return values[placeholderRE.FindStringSubmatch(m)[1]]
	}), nil
}

func (p *Prompt) argList() string {
	if len(p.Arguments) == 0 {
		return "none"
	}
	var names []string
	for _, a := range p.Arguments {
		n := a.Name
		if a.Required {
			n += " (required)"
		}
		names = append(names, n)
	}
	return strings.Join(names, ", ")
}

// MCP is the prompt as prompts/list shows it.
func (p *Prompt) MCP() *mcp.Prompt {
	mp := &mcp.Prompt{Name: p.Name, Title: p.Title, Description: strings.TrimSpace(p.Description)}
	for _, a := range p.Arguments {
		mp.Arguments = append(mp.Arguments, &mcp.PromptArgument{Name: a.Name, Description: a.Description, Required: a.Required})
	}
	return mp
}

// Register adds the prompts to the server; prompts/get answers one user message.
func Register(server *mcp.Server, ps []*Prompt) {
	for _, p := range ps {
		server.AddPrompt(p.MCP(), func(_ context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
			text, err := p.Render(req.Params.Arguments)
			if err != nil {
				return nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: err.Error()}
			}
			return &mcp.GetPromptResult{
				Description: strings.TrimSpace(p.Description),
				Messages:    []*mcp.PromptMessage{{Role: "user", Content: &mcp.TextContent{Text: text}}},
			}, nil
		})
	}
}

// Refuse is a receiving middleware that answers a prompts/get of a hidden prompt with a
// protocol error naming the setting that hides it (the SDK alone says "unknown prompt").
func (h Hidden) Refuse() mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			if method == "prompts/get" {
				if p, ok := req.GetParams().(*mcp.GetPromptParams); ok {
					if why, hidden := h[p.Name]; hidden {
						return nil, &jsonrpc.Error{
							Code:    jsonrpc.CodeInvalidParams,
							Message: fmt.Sprintf("prompt %q is not available: %s. Use the prompts in prompts/list.", p.Name, why),
						}
					}
				}
			}
			return next(ctx, method, req)
		}
	}
}

// WriteTable prints the prompts as served (for --list-tools): name, arguments (required
// ones marked *) and title.
func WriteTable(w io.Writer, ps []*Prompt) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROMPT\tARGUMENTS\tTITLE")
	for _, p := range ps {
		var args []string
		for _, a := range p.Arguments {
			n := a.Name
			if a.Required {
				n += "*"
			}
			args = append(args, n)
		}
		as := strings.Join(args, ",")
		if as == "" {
			as = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", p.Name, as, p.Title)
	}
	fmt.Fprintf(tw, "%d prompts\n", len(ps))
	return tw.Flush()
}

// keyList names the keys of m in order, for a message; "none" for none.
func keyList(m map[string]bool) string {
	if len(m) == 0 {
		return "none"
	}
	return strings.Join(slices.Sorted(maps.Keys(m)), ", ")
}
