package capabilities

import "fmt"

// AllTools lists the tools of the capabilities in order. Tool names are what clients
// call, so a name two capabilities share is an error naming both files.
func AllTools(caps []*Capability) ([]*Tool, error) {
	owner := map[string]*Capability{}
	var all []*Tool
	for _, c := range caps {
		for _, t := range c.Tools {
			if first, dup := owner[t.Name]; dup {
				return nil, &Problem{File: c.File, Tool: t.Name, Field: "name",
					Msg: fmt.Sprintf("already a tool of %s (toolset %q); tool names must be unique across capabilities, rename it", first.File, first.Toolset)}
			}
			owner[t.Name] = c
			all = append(all, t)
		}
	}
	return all, nil
}
