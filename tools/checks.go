package tools

import (
	"fmt"
	"strings"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/internal/version"
	"github.com/image-mcp/image-mcp/upstream"
)

// check runs everything that can refuse the call before anything is sent, cheapest
// first: URLs that are paths, what the upstream checks of its own, paths (a refused path
// costs nothing upstream), the upstream's version, a blank scope, paging, the person's
// confirmation, and the output file.
func (c *call) check() error {
	if err := c.checkURLs(); err != nil {
		return err
	}
	if ch, ok := c.client.(upstream.Checker); ok {
		if err := ch.Check(c.ctx, c); err != nil {
			return err
		}
	}
	if _, err := c.Allowed(); err != nil {
		return err
	}
	if err := c.checkVersion(); err != nil {
		return err
	}
	if err := checkConfirmScope(c.t, c.v); err != nil {
		return err
	}
	var err error
	if c.page, err = pageOf(c.t, c.v); err != nil {
		return err
	}
	if c.t.Destructive && !c.t.ReadOnly {
		if err := c.e.confirm.destructive(c); err != nil {
			return err
		}
	}
	if c.t.Response == capabilities.ResponseFile {
		return c.createOutput()
	}
	return nil
}

// checkURLs refuses, rule or no rule, a value that the upstream would read as a path on
// its own machine where an argument takes URLs (role url): it accepts only what the
// argument's URLPrefixes name. (Podman 4.3.1 builds from a `remote` that is a path and
// then deletes the directory above it.)
func (c *call) checkURLs() error {
	for _, a := range c.t.Args {
		if u := c.v.String(a.Name); a.Role == capabilities.RoleURL && u != "" {
			if err := a.CheckURL(c.t, u); err != nil {
				return err
			}
		}
	}
	return nil
}

// givesPath: the call gives a value to an argument that may name a path; the allowed
// directories are asked for then, and only then (a client may be asked for its roots).
func givesPath(c upstream.Call) bool {
	for _, a := range c.Tool().Args {
		if a.Role.MayNamePath() && c.Given(a.Name) {
			return true
		}
	}
	return false
}

// checkVersion holds the tool's and the given arguments' minVersion to the upstream's.
func (c *call) checkVersion() error {
	t := c.t
	vc, ok := c.client.(upstream.Versioned)
	if !ok {
		return nil
	}
	// The arguments of this call that an older upstream would silently ignore.
	var gated []*capabilities.Argument
	for _, a := range t.Args {
		if _, given := c.v[a.Name]; given && a.MinVersion != "" {
			gated = append(gated, a)
		}
	}
	if t.MinVersion == "" && len(gated) == 0 {
		return nil
	}
	have, err := vc.Version(c.ctx)
	if err != nil {
		return c.transportError(c.ctx, err)
	}
	if t.MinVersion != "" && version.Compare(have, t.MinVersion) < 0 {
		return failf("%s needs %s %s or later; the connected %s is %s. %s",
			t.Name, t.Capability.Display, t.MinVersion, t.Capability.Display, have, t.Instead)
	}
	var old []string
	for _, a := range gated {
		if version.Compare(have, a.MinVersion) < 0 {
			old = append(old, fmt.Sprintf("argument %q needs %s %s or later", a.Name, t.Capability.Display, a.MinVersion))
		}
	}
	if len(old) > 0 {
		it := "it"
		if len(old) > 1 {
			it = "them"
		}
		return failf("%s: %s; the connected %s is %s, which would ignore %s. Call again without %s, or upgrade %s.",
			t.Name, strings.Join(old, ", "), t.Capability.Display, have, it, it, t.Capability.Display)
	}
	return nil
}

// checkConfirmScope refuses an unconfirmed call whose scope is blank: for StackRox
// DeleteImages a blank query means every image.
func checkConfirmScope(t *capabilities.Tool, v Values) error {
	c := t.Confirm
	if c == nil || c.Scope == "" || v.Bool(c.Argument) {
		return nil
	}
	if !anyGiven(v, []string{c.Scope}) {
		return failf("%s: refused: %q is empty, which selects ALL %s. Give a query that selects what to delete, "+
			"or, to really act on all %s, call again with %s=true.", t.Name, c.Scope, c.Noun, c.Noun, c.Argument)
	}
	return nil
}

// createOutput checks the output file of a file answer and creates it under a temporary
// name; replacing an existing file is asked about first.
func (c *call) createOutput() error {
	a := c.t.ArgWithRole(capabilities.RoleOutputFile)
	ow := c.t.ArgWithRole(capabilities.RoleOverwrite)
	overwrite := ow != nil && c.v.Bool(ow.Name)
	var approved *existing
	if ex, exists := existingOutput(c.v.String(a.Name), c.allowed); exists && overwrite {
		if err := c.e.confirm.overwrite(c, ex); err != nil {
			return err
		}
		approved = &ex
	}
	out, err := createOutputFile(c.v.String(a.Name), overwrite, c.allowed)
	if err != nil {
		return failf("%s: argument %q: %v", c.t.Name, a.Name, err)
	}
	out.approve(approved)
	c.out = out
	return nil
}
