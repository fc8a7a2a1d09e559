package tools

import (
	"context"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/internal/allowdirs"
	"github.com/image-mcp/image-mcp/upstream"
)

// call is one checked call on its way: what the steps after the checks need.
type call struct {
	t       *capabilities.Tool
	v       Values
	req     *mcp.CallToolRequest
	client  upstream.Client
	allowed allowdirs.Dirs // the directories path arguments must be inside
	// containerfiles are those a build reads in the context it sends as a tar, which
	// the tar holds to the context (nil: no rule, or no such build)
	containerfiles []string
	page           *Page       // which part of a long answer
	out            *OutputFile // where a file answer goes; nil for other kinds
}

// check runs everything that can refuse a call before anything is sent, cheapest
// first: URLs that are paths and paths (a refused path costs nothing upstream), the
// upstream's version, a blank scope, paging, the person's confirmation, and the output
// file.
func (e *Engine) check(ctx context.Context, req *mcp.CallToolRequest, client upstream.Client, t *capabilities.Tool, v Values) (*call, *mcp.CallToolResult) {
	c := &call{t: t, v: v, req: req, client: client}
	if res := checkURLs(t, v); res != nil {
		return nil, res
	}
	if hasPathArgs(t, v) {
		var res *mcp.CallToolResult
		if c.allowed, res = e.Paths.allowedFor(ctx, req); res != nil {
			return nil, res
		}
		if c.containerfiles, res = checkHostPaths(ctx, t, v, c.allowed, client); res != nil {
			return nil, res
		}
	}
	if res := e.checkVersion(ctx, client, t, v); res != nil {
		return nil, res
	}
	if res := checkConfirmScope(t, v); res != nil {
		return nil, res
	}
	var err error
	if c.page, err = pageOf(t, v); err != nil {
		return nil, errorResult("%v", err)
	}
	if e.Confirm != nil && t.Destructive && !t.ReadOnly {
		if res := e.Confirm(ctx, req, t, v); res != nil {
			return nil, res
		}
	}
	if t.Response == capabilities.ResponseFile {
		a := t.ArgWithRole(capabilities.RoleOutputFile)
		ow := t.ArgWithRole(capabilities.RoleOverwrite)
		overwrite := ow != nil && v.Bool(ow.Name)
		var approved *Existing
		if ex, exists := ExistingOutput(v.String(a.Name), c.allowed); exists && overwrite {
			if res := e.confirmOverwrite(ctx, req, t, v, ex); res != nil {
				return nil, res
			}
			approved = &ex
		}
		if c.out, err = CreateOutputFile(v.String(a.Name), overwrite, c.allowed); err != nil {
			return nil, errorResult("%s: argument %q: %v", t.Name, a.Name, err)
		}
		c.out.approve(approved)
	}
	return c, nil
}

// confirmOverwrite asks the ConfirmOverwrite hook, if any, whether ex may be replaced.
func (e *Engine) confirmOverwrite(ctx context.Context, req *mcp.CallToolRequest, t *capabilities.Tool, v Values, ex Existing) *mcp.CallToolResult {
	if e.ConfirmOverwrite == nil {
		return nil
	}
	return e.ConfirmOverwrite(ctx, req, t, v, ex)
}

func (e *Engine) checkVersion(ctx context.Context, client upstream.Client, t *capabilities.Tool, v Values) *mcp.CallToolResult {
	vc, ok := client.(upstream.Versioned)
	if !ok {
		return nil
	}
	// The arguments of this call that an older upstream would silently ignore.
	var gated []*capabilities.Argument
	for _, a := range t.Args {
		if _, given := v[a.Name]; given && a.MinVersion != "" {
			gated = append(gated, a)
		}
	}
	if t.MinVersion == "" && len(gated) == 0 {
		return nil
	}
	have, err := vc.Version(ctx)
	if err != nil {
		return e.transportError(ctx, t, err)
	}
	if t.MinVersion != "" && upstream.CompareVersions(have, t.MinVersion) < 0 {
		return errorResult("%s needs %s %s or later; the connected %s is %s. %s",
			t.Name, t.Capability.Display, t.MinVersion, t.Capability.Display, have, t.Instead)
	}
	var old []string
	for _, a := range gated {
		if upstream.CompareVersions(have, a.MinVersion) < 0 {
			old = append(old, fmt.Sprintf("argument %q needs %s %s or later", a.Name, t.Capability.Display, a.MinVersion))
		}
	}
	if len(old) > 0 {
		it := "it"
		if len(old) > 1 {
			it = "them"
		}
		return errorResult("%s: %s; the connected %s is %s, which would ignore %s. Call again without %s, or upgrade %s.",
			t.Name, strings.Join(old, ", "), t.Capability.Display, have, it, it, t.Capability.Display)
	}
	return nil
}

// checkConfirmScope refuses an unconfirmed call whose scope is blank: for StackRox
// DeleteImages a blank query means every image.
func checkConfirmScope(t *capabilities.Tool, v Values) *mcp.CallToolResult {
	c := t.Confirm
	if c == nil || c.Scope == "" || v.Bool(c.Argument) {
		return nil
	}
	if !anyGiven(v, []string{c.Scope}) {
		return errorResult("%s: refused: %q is empty, which selects ALL %s. Give a query that selects what to delete, "+
			"or, to really act on all %s, call again with %s=true.", t.Name, c.Scope, c.Noun, c.Noun, c.Argument)
	}
	return nil
}
