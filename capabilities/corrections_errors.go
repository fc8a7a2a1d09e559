package capabilities

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// yaml.v3 reports a corrections mistake as "line 4: field titel not found in type
// capabilities.ToolCorrection": no tool, no path. correctionsProblem walks the document's
// node tree against the Go type it was decoded into to find the first key that type does
// not have, or the first value that does not fit, so the message names the file, the tool
// and the field like every other problem. into is what the decoder filled (a pointer).
func correctionsProblem(file string, data []byte, err error, into any) *Problem {
	p := &Problem{File: file, Msg: err.Error()}
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return p
	}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return p
	}
	m, ok := firstMismatch(doc.Content[0], reflect.TypeOf(into), nil)
	if !ok {
		return p
	}
	// The decoder's own message stays first (with every line it found); where the first
	// problem is, and what would be valid, follow.
	if m.unknown != "" {
		p.Tool, p.Field = splitToolPath(m.path, m.unknown)
		p.where = fmt.Sprintf("unknown key %q at %s; known keys here: %s", m.unknown, describeWhere(p.Tool, p.Field), knownKeys(m.in))
	} else {
		p.Tool, p.Field = splitToolPath(m.path, "")
		p.where = "at " + describeWhere(p.Tool, p.Field)
	}
	return p
}

// mismatch is where a document departs from its Go type: a key the struct in does not
// have (unknown), or a value at path that does not decode into its field.
type mismatch struct {
	path    []string
	unknown string
	in      reflect.Type
}

// firstMismatch walks n, in document order, against t.
func firstMismatch(n *yaml.Node, t reflect.Type, path []string) (mismatch, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Tag == "!!null" {
		return mismatch{}, false
	}
	at := func(key string) []string { return append(slices.Clone(path), key) }
	switch {
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			f, ok := yamlField(t, k.Value)
			if !ok {
				return mismatch{path: at(k.Value), unknown: k.Value, in: t}, true
			}
			if m, ok := firstMismatch(v, f.Type, at(k.Value)); ok {
				return m, true
			}
		}
		return mismatch{}, false
	case t.Kind() == reflect.Map && n.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Decode(reflect.New(t.Key()).Interface()) != nil {
				return mismatch{path: at(k.Value)}, true
			}
			if m, ok := firstMismatch(v, t.Elem(), at(k.Value)); ok {
				return m, true
			}
		}
		return mismatch{}, false
	case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		for i, c := range n.Content {
			ip := slices.Clone(path)
			if len(ip) > 0 {
				ip[len(ip)-1] = fmt.Sprintf("%s[%d]", ip[len(ip)-1], i)
			}
			if m, ok := firstMismatch(c, t.Elem(), ip); ok {
				return m, true
			}
		}
		return mismatch{}, false
	}
	// A scalar, or a shape the type does not take: let the decoder say whether it fits.
	if n.Decode(reflect.New(t).Interface()) != nil {
		return mismatch{path: path}, true
	}
	return mismatch{}, false
}

// yamlField is the field of struct t that the YAML key fills.
func yamlField(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := 0; i < t.NumField(); i++ {
		if k, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); k == key {
			return t.Field(i), true
		}
	}
	return reflect.StructField{}, false
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
func knownKeys(t reflect.Type) string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		if k, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); k != "" && k != "-" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return strings.Join(keys, ", ")
}
