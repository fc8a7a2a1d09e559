package prompts

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/image-mcp/image-mcp/capabilities"
)

// MaxCompletions is the most values one completion/complete answer holds (the MCP spec's
// limit); hasMore says when there are more.
const MaxCompletions = 100

// ValuesFunc runs a read-only tool with raw arguments and gives the strings its answer
// holds at a gjson path (tools.Engine.Values).
type ValuesFunc func(ctx context.Context, t *capabilities.Tool, args json.RawMessage, path string) ([]string, error)

// Completer answers completion/complete for the arguments of the served prompts that
// declare `complete`: the values of their sources, in order, that match what was typed.
// A source whose tool is not served, or whose upstream fails or is not there (no Podman,
// no Central), adds nothing: the answer may be empty, never an error.
type Completer struct {
	Prompts []*Prompt            // the served prompts
	Tools   []*capabilities.Tool // the served tools
	Values  ValuesFunc
	// Timeout bounds the whole answer (the tools' call timeout); 0 for none.
	Timeout time.Duration
	// Failed is told why a source gave nothing (for the log); may be nil.
	Failed func(tool string, err error)
}

// Handler is the server's completion handler.
func (c *Completer) Handler() func(context.Context, *mcp.CompleteRequest) (*mcp.CompleteResult, error) {
	prompts := map[string]*Prompt{}
	for _, p := range c.Prompts {
		prompts[p.Name] = p
	}
	tools := map[string]*capabilities.Tool{}
	for _, t := range c.Tools {
		tools[t.Name] = t
	}
	return func(ctx context.Context, req *mcp.CompleteRequest) (*mcp.CompleteResult, error) {
		empty := &mcp.CompleteResult{Completion: mcp.CompletionResultDetails{Values: []string{}}}
		ref := req.Params.Ref
		if ref == nil || ref.Type != "ref/prompt" {
			return empty, nil // image-mcp has no resources
		}
		p, ok := prompts[ref.Name]
		if !ok {
			return nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: fmt.Sprintf("completion: no prompt %q is served; use the prompts in prompts/list", ref.Name)}
		}
		arg := req.Params.Argument
		if !slices.ContainsFunc(p.Arguments, func(a capabilities.PromptArgDef) bool { return a.Name == arg.Name }) {
			return nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: fmt.Sprintf("completion: prompt %q has no argument %q; its arguments: %s", p.Name, arg.Name, p.argList())}
		}
		srcs := p.Completes[arg.Name]
		if len(srcs) == 0 {
			return empty, nil
		}
		if c.Timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, c.Timeout)
			defer cancel()
		}
		values := c.collect(ctx, srcs, tools, arg.Value)
		res := &mcp.CompleteResult{Completion: mcp.CompletionResultDetails{Values: values, Total: len(values)}}
		if len(values) > MaxCompletions {
			res.Completion.Values, res.Completion.HasMore = values[:MaxCompletions], true
		}
		return res, nil
	}
}

// collect asks every source at once and joins what they gave by the time ctx ends, in the
// sources' order, each value once.
func (c *Completer) collect(ctx context.Context, srcs []capabilities.CompletionSource, tools map[string]*capabilities.Tool, typed string) []string {
	got := make([]chan []string, len(srcs))
	for i, src := range srcs {
		got[i] = make(chan []string, 1)
		t, served := tools[src.Tool]
		if !served {
			got[i] <- nil
			continue
		}
		go func() {
			vals, err := c.Values(ctx, t, SourceArgs(src.Arguments, typed), src.Values)
			if err != nil && c.Failed != nil {
				c.Failed(t.Name, err)
			}
			got[i] <- vals
		}()
	}
	seen := map[string]bool{}
	values := []string{}
	for i := range srcs {
		var vals []string
		select {
		case vals = <-got[i]: // what has come is used, also once ctx has ended
		default:
			select {
			case vals = <-got[i]:
			case <-ctx.Done():
				if c.Failed != nil {
					c.Failed(srcs[i].Tool, ctx.Err())
				}
			}
		}
		for _, v := range vals {
			if !seen[v] && Matches(v, typed) {
				seen[v] = true
				values = append(values, v)
			}
		}
	}
	return values
}

// SourceArgs are a source's arguments for what was typed: {{value}} in a string is
// replaced by it, and such an argument is left out while nothing is typed.
func SourceArgs(args map[string]any, typed string) json.RawMessage {
	out := make(map[string]any, len(args))
	for k, v := range args {
		if s, ok := v.(string); ok && strings.Contains(s, "{{value}}") {
			if typed == "" {
				continue
			}
			v = strings.ReplaceAll(s, "{{value}}", typed)
		}
		out[k] = v
	}
	b, _ := json.Marshal(out) // strings, numbers, booleans and lists of them, from YAML
	return b
}

// Matches says whether a name is offered for what was typed: typed starts the name, or
// the part of it after any "/" (so "nginx" offers docker.io/library/nginx:1.25, as
// Central's Image search finds it), ignoring case.
func Matches(name, typed string) bool {
	name, typed = strings.ToLower(name), strings.ToLower(typed)
	for {
		if strings.HasPrefix(name, typed) {
			return true
		}
		i := strings.IndexByte(name, '/')
		if i < 0 {
			return false
		}
		name = name[i+1:]
	}
}
