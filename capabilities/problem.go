package capabilities

import (
	"fmt"
	"strings"
)

// Problem is a spec or corrections file that cannot be used.
type Problem struct {
	File  string
	Tool  string
	Field string
	Msg   string

	call  string // the operation a problem of the consumes block is about
	where string // for YAML decoding problems: where, said after the decoder's own message
}

func (p *Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Tool != "" && p.call == "" && p.where == "" {
		fmt.Fprintf(&b, ": tool %q", p.Tool)
	}
	if p.Field != "" && p.where == "" {
		fmt.Fprintf(&b, ": %s", p.Field)
	}
	b.WriteString(": ")
	b.WriteString(p.Msg)
	switch {
	case p.where != "":
		fmt.Fprintf(&b, " (%s)", p.where)
	case p.call != "" && strings.Contains(p.Tool, ", "):
		fmt.Fprintf(&b, " (tools %s call it)", p.Tool)
	case p.call != "" && p.Tool != "":
		fmt.Fprintf(&b, " (tool %q calls it)", p.Tool)
	}
	return b.String()
}
