package tools

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/image-mcp/image-mcp/capabilities"
)

// Filter chooses which tools are served. All its conditions must hold for a tool to be
// kept; a tool left out is neither listed nor callable.
type Filter struct {
	ReadOnly           bool     // keep only tools whose readOnlyHint is true
	DisableDestructive bool     // drop tools whose destructiveHint is true
	Toolsets           []string // keep only tools of these toolsets; empty: all
	Enabled            []string // keep only these tools; empty: all
	Disabled           []string // drop these tools
}

// Hidden maps the name of each tool left out to why, for the refusal a client gets
// when it calls it anyway.
type Hidden map[string]string

// Apply checks the filter against the tools there are (unknown toolset or tool names
// are an error that lists the valid ones) and returns the tools kept, in order, and the
// reasons for those left out.
//
// A tool is named by its listed name or its seed name (capabilities.Names).
func (f Filter) Apply(all []*capabilities.Tool) ([]*capabilities.Tool, Hidden, error) {
	var names, toolsets []string
	for _, t := range all {
		names = append(names, t.Name)
		if !slices.Contains(toolsets, t.Capability.Toolset) {
			toolsets = append(toolsets, t.Capability.Toolset)
		}
	}
	if err := known("--toolsets", "toolset", f.Toolsets, toolsets, nil); err != nil {
		return nil, nil, err
	}
	aliases := capabilities.NamesOf(all)
	var err error
	if f.Enabled, err = listedNames("--enabled-tools", f.Enabled, names, aliases); err != nil {
		return nil, nil, err
	}
	if f.Disabled, err = listedNames("--disabled-tools", f.Disabled, names, aliases); err != nil {
		return nil, nil, err
	}
	for _, n := range f.Enabled {
		if slices.Contains(f.Disabled, n) {
			return nil, nil, fmt.Errorf("tool %q is in both --enabled-tools and --disabled-tools; keep it in one", n)
		}
	}
	var kept []*capabilities.Tool
	hidden := Hidden{}
	for _, t := range all {
		if why := f.why(t); why != "" {
			hidden[t.Name] = why
			continue
		}
		kept = append(kept, t)
	}
	return kept, hidden, nil
}

// why says which setting leaves a tool out, or "" when it is kept.
func (f Filter) why(t *capabilities.Tool) string {
	switch {
	case len(f.Toolsets) > 0 && !slices.Contains(f.Toolsets, t.Capability.Toolset):
		return fmt.Sprintf("its toolset %q is not in --toolsets %s (IMAGE_MCP_TOOLSETS)", t.Capability.Toolset, strings.Join(f.Toolsets, ","))
	case len(f.Enabled) > 0 && !slices.Contains(f.Enabled, t.Name):
		return "it is not in --enabled-tools (IMAGE_MCP_ENABLED_TOOLS)"
	case slices.Contains(f.Disabled, t.Name):
		return "it is in --disabled-tools (IMAGE_MCP_DISABLED_TOOLS)"
	case f.ReadOnly && !t.ReadOnly:
		return "image-mcp runs with --read-only (IMAGE_MCP_READ_ONLY) and this tool changes state (readOnlyHint is false)"
	case f.DisableDestructive && t.Destructive:
		return "image-mcp runs with --disable-destructive (IMAGE_MCP_DISABLE_DESTRUCTIVE) and this tool is destructive (destructiveHint is true)"
	}
	return ""
}

// listedNames checks tool names given to flag and gives each as listed.
func listedNames(flag string, given, valid []string, aliases capabilities.Names) ([]string, error) {
	if err := known(flag, "tool", given, valid, aliases); err != nil {
		return nil, err
	}
	out := make([]string, len(given))
	for i, g := range given {
		out[i], _ = aliases.Listed(g)
	}
	return out, nil
}

// known checks that every given name is valid (or, with aliases, another name of a valid
// one); the error lists the valid ones.
func known(flag, what string, given, valid []string, aliases capabilities.Names) error {
	var unknown []string
	for _, g := range given {
		if _, alias := aliases.Listed(g); !alias && !slices.Contains(valid, g) {
			unknown = append(unknown, fmt.Sprintf("%q", g))
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sorted := slices.Sorted(slices.Values(valid))
	return fmt.Errorf("%s: unknown %s %s; valid %ss: %s", flag, what, strings.Join(unknown, ", "), what, strings.Join(sorted, ", "))
}

// Refuse is a receiving middleware that answers a tools/call of a filtered-out tool
// with a protocol error saying which setting hides it. Such a tool is not registered, so
// without this the client would only hear "unknown tool".
func (h Hidden) Refuse() mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			if method == "tools/call" {
				if p, ok := req.GetParams().(*mcp.CallToolParamsRaw); ok {
					if why, hidden := h[p.Name]; hidden {
						return nil, &jsonrpc.Error{
							Code:    jsonrpc.CodeInvalidParams,
							Message: fmt.Sprintf("tool %q is not available: %s. Nothing was done; use the tools in tools/list.", p.Name, why),
						}
					}
				}
			}
			return next(ctx, method, req)
		}
	}
}

// Aliases is a receiving middleware that lets a client call a renamed tool by its seed
// name: the call goes on under the listed name, so every later step (the filters'
// refusal, the confirmation bound to the call) sees one name.
func Aliases(names capabilities.Names) mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			if method == "tools/call" {
				if p, ok := req.GetParams().(*mcp.CallToolParamsRaw); ok {
					if listed, ok := names.Listed(p.Name); ok {
						p.Name = listed
					}
				}
			}
			return next(ctx, method, req)
		}
	}
}

// SplitList reads a comma-separated flag or environment value, ignoring blanks.
func SplitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
