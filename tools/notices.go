package tools

import (
	"fmt"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/internal/clip"
)

// confirmNotice says plainly that an unconfirmed call was a dry run.
func confirmNotice(t *capabilities.Tool, v Values, body []byte) string {
	c := t.Confirm
	if c == nil || v.Bool(c.Argument) {
		return ""
	}
	n := "some"
	if r := gjson.GetBytes(body, c.Count); r.Exists() {
		n = clip.Text(r.String(), 40) // a count, from the upstream: it must not fill the answer
	}
	verb, them := "match", "them"
	if n == "1" {
		verb, them = "matches", "it"
	}
	return fmt.Sprintf("DRY RUN: nothing was deleted. %s %s and would be deleted. To delete %s, call %s again with %s=true.",
		c.Counted(n), verb, them, t.Name, c.Argument)
}

// narrowHint tells the model which arguments make a large answer smaller: those the
// corrections give role fields, limit or narrow.
func narrowHint(t *capabilities.Tool) string {
	var names []string
	for _, a := range t.Args {
		switch a.Role {
		case capabilities.RoleFields, capabilities.RoleLimit, capabilities.RoleNarrow:
			names = append(names, a.Name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return "To get less, call again with " + strings.Join(names, ", ") + "."
}

// fieldsOf is the gjson paths of the call's fields argument, if the tool has one.
func fieldsOf(t *capabilities.Tool, v Values) []string {
	var fields []string
	if a := t.ArgWithRole(capabilities.RoleFields); a != nil {
		if items, ok := v[a.Name].([]any); ok {
			for _, it := range items {
				fields = append(fields, scalarString(it))
			}
		}
	}
	return fields
}
