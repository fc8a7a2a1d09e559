package capabilities

import (
	"fmt"
	"regexp"
)

// AskRule says when a destructive call asks the person first (MCP elicitation) and what
// it asks. A tool's rules are tried in order; the first whose When holds is used, and a
// call that matches none is not asked about.
type AskRule struct {
	// When names a boolean argument: the rule holds only when it is true. Empty: always.
	When string `yaml:"when"`
	// Question is shown to the person. {arg} is that argument's value (lists joined with
	// ", "), {count} the number the dry run reported.
	Question string `yaml:"question"`
	// DryRun: before asking, call the operation with the confirm rule's argument false
	// and read the count of affected items ({count}) from its answer.
	DryRun bool `yaml:"dryRun"`
}

// Placeholder matches a {name} placeholder: the variables of a resource path, and the
// {arg} and {count} of a Question.
var Placeholder = regexp.MustCompile(`\{([^{}]+)\}`)

// AskPlaceholder is Placeholder as Questions use it: checked here, filled by the engine.
var AskPlaceholder = Placeholder

// AskFor returns the rule that applies to a call with these boolean arguments, or nil.
func (t *Tool) AskFor(isTrue func(arg string) bool) *AskRule {
	for i := range t.Ask {
		r := &t.Ask[i]
		if r.When == "" || isTrue(r.When) {
			return r
		}
	}
	return nil
}

// checkAsk validates a tool's ask rules against its arguments.
func checkAsk(t *Tool, rules []AskRule, bad func(field, format string, a ...any) error) error {
	if len(rules) > 0 && (!t.Destructive || t.ReadOnly) {
		return bad("ask", "only destructive tools ask before a call (this one's hints: readOnly %v, destructive %v)", t.ReadOnly, t.Destructive)
	}
	for i, r := range rules {
		field := fmt.Sprintf("ask[%d]", i)
		if r.When != "" {
			if a := t.Arg(r.When); a == nil || a.Type != "boolean" {
				return bad(field+".when", "%q is not a boolean argument of the tool", r.When)
			}
		}
		if r.Question == "" {
			return bad(field+".question", "missing: say what will be affected")
		}
		if r.DryRun && t.Confirm == nil {
			return bad(field+".dryRun", "needs a confirm rule (confirm.argument and confirm.count) to run the dry run")
		}
		for _, m := range Placeholder.FindAllStringSubmatch(r.Question, -1) {
			name := m[1]
			switch {
			case name == "count" && r.DryRun:
			case name == "count":
				return bad(field+".question", "{count} needs dryRun: true")
			case t.Arg(name) == nil:
				return bad(field+".question", "{%s} is not an argument of the tool", name)
			}
		}
	}
	t.Ask = rules
	return nil
}
