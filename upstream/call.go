package upstream

import (
	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/internal/allowdirs"
)

// Call is the tool call a step works for, as the engine holds it.
type Call interface {
	// Tool is the tool called.
	Tool() *capabilities.Tool
	// Arg is the checked value of an argument and whether it was given: a string,
	// json.Number, bool, []any or map[string]any.
	Arg(name string) (any, bool)
	// Given says whether the call gives an argument a value that counts: a blank
	// string, an empty array or false does not.
	Given(name string) bool
	// Allowed gives the directories local paths must be inside (none: any path, or the
	// call gives no argument that may name a path, and nothing is asked). Asking may end
	// the call (the client is asked for its roots, or gave none that can be used): return
	// that error as it is.
	Allowed() (allowdirs.Dirs, error)
}
