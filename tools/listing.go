package tools

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/image-mcp/image-mcp/capabilities"
)

// WriteToolTable prints the tools as served: name, toolset, the four hints, the upstream
// operation and the seed's name of a renamed tool (still accepted), one line each (for
// --list-tools).
func WriteToolTable(w io.Writer, ts []*capabilities.Tool) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTOOLSET\tREAD-ONLY\tDESTRUCTIVE\tIDEMPOTENT\tOPEN-WORLD\tMETHOD\tPATH\tSEED-NAME")
	for _, t := range ts {
		open := "-"
		if t.OpenWorld != nil {
			open = yesNo(*t.OpenWorld)
		}
		seed := "-"
		if t.Seed != "" {
			seed = t.Seed
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Name, t.Capability.Toolset,
			yesNo(t.ReadOnly), yesNo(t.Destructive), yesNo(t.Idempotent), open, t.Method, t.Path, seed)
	}
	fmt.Fprintf(tw, "%d tools\n", len(ts))
	return tw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
