package capabilities

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// yaml.v3 reports a corrections mistake as "line 4: field titel not found in type
// capabilities.ToolCorrection": no tool, no path. correctionsProblem finds both in the
// document, so the message names the file, the tool and the field like every other problem.
var (
	yamlLineRE    = regexp.MustCompile(`^line (\d+): (.*)$`)
	yamlUnknownRE = regexp.MustCompile(`^field (\S+) not found in type \S+\.(\w+)$`)
	yamlValueRE   = regexp.MustCompile("`([^`]*)`")
)

func correctionsProblem(file string, data []byte, err error) *Problem {
	p := &Problem{File: file, Msg: err.Error()}
	var te *yaml.TypeError
	if !errors.As(err, &te) || len(te.Errors) == 0 {
		return p
	}
	m := yamlLineRE.FindStringSubmatch(te.Errors[0])
	if m == nil {
		return p
	}
	line, _ := strconv.Atoi(m[1])
	detail := m[2]
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil {
		return p
	}
	// The decoder's own message stays first (with every line it found); where the first
	// problem is, and what would be valid, follow.
	if u := yamlUnknownRE.FindStringSubmatch(detail); u != nil {
		path := findKey(&doc, nil, line, func(k, _ *yaml.Node) bool { return k.Value == u[1] })
		p.Tool, p.Field = splitToolPath(path, u[1])
		p.where = fmt.Sprintf("unknown key %q at %s; known keys here: %s", u[1], describeWhere(p.Tool, p.Field), knownKeys(u[2]))
	} else {
		val := ""
		if v := yamlValueRE.FindStringSubmatch(detail); v != nil {
			val = v[1]
		}
		path := findKey(&doc, nil, line, func(_, v *yaml.Node) bool { return val == "" || v.Value == val })
		p.Tool, p.Field = splitToolPath(path, "")
		p.where = "at " + describeWhere(p.Tool, p.Field)
	}
	return p
}

func describeWhere(tool, field string) string {
	switch {
	case tool != "" && field != "":
		return fmt.Sprintf("tool %q, %s", tool, field)
	case tool != "":
		return fmt.Sprintf("tool %q", tool)
	case field != "":
		return field
	}
	return "the top level"
}

// findKey returns the key path of the first mapping entry on line that match accepts.
func findKey(n *yaml.Node, path []string, line int, match func(k, v *yaml.Node) bool) []string {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if p := findKey(c, path, line, match); p != nil {
				return p
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			kp := append(append([]string(nil), path...), k.Value)
			if k.Line == line && match(k, v) {
				return kp
			}
			if p := findKey(v, kp, line, match); p != nil {
				return p
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if len(path) > 0 {
				ip := append(append([]string(nil), path[:len(path)-1]...), fmt.Sprintf("%s[%d]", path[len(path)-1], i))
				if p := findKey(c, ip, line, match); p != nil {
					return p
				}
			}
		}
	}
	return nil
}

// splitToolPath turns tools.<name>.a.b into the tool and the field a.b.
func splitToolPath(path []string, fallback string) (tool, field string) {
	if len(path) == 0 {
		return "", fallback
	}
	if len(path) >= 2 && path[0] == "tools" {
		return path[1], strings.Join(path[2:], ".")
	}
	return "", strings.Join(path, ".")
}

// knownKeys lists the YAML keys of a corrections type, for the message.
func knownKeys(typeName string) string {
	for _, v := range []any{Corrections{}, ToolCorrection{}, ArgumentCorrection{}, ArgumentDef{}, ConfirmRule{}, Hints{}, PromptDef{}, PromptArgDef{}} {
		t := reflect.TypeOf(v)
		if t.Name() != typeName {
			continue
		}
		var keys []string
		for i := 0; i < t.NumField(); i++ {
			if k, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); k != "" && k != "-" {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		return strings.Join(keys, ", ")
	}
	return "see capabilities/corrections.go"
}
