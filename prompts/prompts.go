// Package prompts serves MCP prompts declared as data (capabilities.PromptDef): it checks
// them against the tools at start, decides which are listed under the tool filters, fills
// in their arguments and refuses a prompt that the filters hide, saying which setting
// hides it. No Go code here names a prompt or a tool.
package prompts

import (
	"context"
	"fmt"
	"io"
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
