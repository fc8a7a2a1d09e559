package capabilities

import (
	"cmp"
	"fmt"
	"regexp"
	"strings"
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

// AskFor returns the rule that applies to a call with these boolean arguments, or nil
// when the call needs no yes. Every call of a destructive tool needs one, except the dry
// run of a tool with a confirm rule (its argument false: nothing is changed): a call no
// rule of the tool matches gets DefaultAsk. The hint decides, not a list of tools.
func (t *Tool) AskFor(isTrue func(arg string) bool) *AskRule {
	if !t.Destructive || t.ReadOnly || (t.Confirm != nil && !isTrue(t.Confirm.Argument)) {
		return nil
	}
	for i := range t.Ask {
		r := &t.Ask[i]
		if r.When == "" || isTrue(r.When) {
			return r
		}
	}
	return t.DefaultAsk()
}

// DefaultAsk is the question for a destructive call no ask rule of its tool matches:
// the tool's title and description (the arguments are shown with every question), and
// the dry run's count when the tool has a confirm rule.
func (t *Tool) DefaultAsk() *AskRule {
	// Braces in a description are text, not placeholders.
	desc := strings.NewReplacer("{", "(", "}", ")").Replace(t.Description)
	q := fmt.Sprintf("Run %q? %s", cmp.Or(t.Title, t.Name), desc)
	r := &AskRule{Question: strings.TrimSpace(q)}
	if t.Confirm != nil {
		r.DryRun = true
		r.Question += " It affects {count} " + t.Confirm.Noun + "."
	}
	return r
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
