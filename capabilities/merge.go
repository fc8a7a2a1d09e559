package capabilities

import "fmt"

// AllTools lists the tools of the capabilities in order. Tool names are what clients
// call, so a name two capabilities share (listed or seed) is an error naming both files.
func AllTools(caps []*Capability) ([]*Tool, error) {
	owner := map[string]*Capability{}
	var all []*Tool
	for _, c := range caps {
		for _, t := range c.Tools {
			for _, n := range []string{t.Name, t.Seed} {
				if n == "" {
					continue
				}
				if first, dup := owner[n]; dup {
					return nil, &Problem{File: c.File, Tool: n, Field: "name",
						Msg: fmt.Sprintf("already a tool of %s (toolset %q); tool names must be unique across capabilities, rename it", first.File, first.Toolset)}
				}
				owner[n] = c
			}
			all = append(all, t)
		}
	}
	return all, nil
}

// Names maps every name a tool is called by, listed or seed, to its listed name.
type Names map[string]string

// NamesOf gives the names of the tools.
func NamesOf(all []*Tool) Names {
	n := make(Names, len(all))
	for _, t := range all {
		n[t.Name] = t.Name
		if t.Seed != "" {
			n[t.Seed] = t.Name
		}
	}
	return n
}

// Listed is the listed name of the tool called name; false when no tool is.
func (n Names) Listed(name string) (string, bool) {
	l, ok := n[name]
	return l, ok
}
