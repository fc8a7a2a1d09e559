package capabilities

import (
	"fmt"
	"slices"
	"strings"

	"github.com/image-mcp/image-mcp/internal/clip"
)

// NotAURLError is a value given where an argument takes only URLs (roles url and
// build-contexts) that the upstream would read as a path on its own machine instead.
type NotAURLError struct {
	Tool  *Tool
	Arg   *Argument
	Value string
}

func (e *NotAURLError) Error() string {
	t, a, shown := e.Tool, e.Arg, clip.Text(e.Value, 200)
	msg := fmt.Sprintf("%s: argument %q takes a URL that %s downloads, starting with %s; %q is not one, and %s would read it as a path on its own machine, "+
		"outside any allowed directory. Nothing was sent.", t.Name, a.Name, t.Capability.Display, strings.Join(a.URLPrefixes, ", "), shown, t.Capability.Display)
	if a.FilesArg != "" {
		msg += fmt.Sprintf(" For files on this machine use %q.", a.FilesArg)
	}
	return msg
}

// CheckURL refuses, with a *NotAURLError, a value of a that does not start with one of
// its URLPrefixes.
func (a *Argument) CheckURL(t *Tool, value string) error {
	if slices.ContainsFunc(a.URLPrefixes, func(p string) bool { return strings.HasPrefix(value, p) }) {
		return nil
	}
	return &NotAURLError{Tool: t, Arg: a, Value: value}
}
