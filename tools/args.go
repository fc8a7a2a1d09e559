package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/internal/clip"
)

// argumentError is a bad tool argument: it reaches the model as an isError result.
type argumentError struct {
	tool string
	msg  string
}

func (e *argumentError) Error() string { return e.tool + ": " + e.msg }

// Values are checked arguments: strings, json.Number, bools, []any, map[string]any.
type Values map[string]any

// String returns a string argument, or "".
func (v Values) String(name string) string {
	s, _ := v[name].(string)
	return s
}

// Bool returns a boolean argument, or false.
func (v Values) Bool(name string) bool {
	b, _ := v[name].(bool)
	return b
}

// CheckArguments parses raw JSON arguments and checks them against the tool's input
// schema (Schema), so that what a client is told and what is refused are one rule:
// unknown arguments, types, enums, array items, required ones. requireOneOf comes from
// the tool as the schema's does, with one rule beyond JSON Schema: a blank string, an
// empty array or false is not given. A header value must not break the header. Nothing
// is sent upstream unless this passes.
func CheckArguments(t *capabilities.Tool, raw json.RawMessage) (Values, error) {
	return checkArguments(t, Schema(t), raw)
}

// checkArguments is CheckArguments against s, the tool's Schema built once (at Register)
// rather than at every call.
func checkArguments(t *capabilities.Tool, s *jsonschema.Schema, raw json.RawMessage) (Values, error) {
	bad := func(format string, a ...any) error {
		return &argumentError{tool: t.Name, msg: fmt.Sprintf(format, a...)}
	}
	vals := Values{}
	if len(bytes.TrimSpace(raw)) > 0 && !bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			return nil, bad("arguments must be a JSON object: %v", err)
		}
		for k, v := range m {
			if v != nil { // null is the same as absent
				vals[k] = v
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(vals)) {
		p := s.Properties[name]
		if p == nil {
			return nil, bad("unknown argument %q; this tool takes: %s", clip.Text(name, 100), argNames(t))
		}
		if err := checkValue(p, vals[name]); err != nil {
			return nil, bad("argument %q %s", name, err)
		}
		if a := t.Arg(name); a.In == "header" && strings.ContainsFunc(vals.String(name), notInHeader) {
			return nil, bad("argument %q must not contain line breaks or other control characters (it is sent as an HTTP header)", name)
		}
		if p.Type == "integer" {
			vals[name] = integerNumber(vals[name].(json.Number))
		}
	}
	if len(t.RequireOneOf) > 0 && !anyGiven(vals, t.RequireOneOf) {
		return nil, bad("give one of %s", strings.Join(quoted(t.RequireOneOf), ", "))
	}
	for _, name := range s.Required {
		if _, ok := vals[name]; !ok {
			return nil, bad("missing required argument %q (%s)", name, describe(t.Arg(name)))
		}
	}
	return vals, nil
}

// checkValue checks one value against its property schema: type, enum, array items.
func checkValue(p *jsonschema.Schema, v any) error {
	switch p.Type {
	case "string":
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("must be a string, got %s", jsonKind(v))
		}
		if len(p.Enum) > 0 && !slices.Contains(p.Enum, any(s)) {
			return fmt.Errorf("must be one of %s, got %q", enumList(p.Enum), s)
		}
	case "integer":
		n, ok := v.(json.Number)
		if !ok {
			return fmt.Errorf("must be an integer, got %s", jsonKind(v))
		}
		if _, err := strconv.ParseInt(n.String(), 10, 64); err != nil {
			f, ferr := n.Float64()
			if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
				return fmt.Errorf("must be an integer, got %s", n)
			}
		}
	case "number":
		n, ok := v.(json.Number)
		if !ok {
			return fmt.Errorf("must be a number, got %s", jsonKind(v))
		}
		if _, err := n.Float64(); err != nil {
			return fmt.Errorf("must be a number, got %s", n)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("must be a boolean (true or false), got %s", jsonKind(v))
		}
	case "array":
		items, ok := v.([]any)
		if !ok {
			return fmt.Errorf("must be an array of %ss, got %s", p.Items.Type, jsonKind(v))
		}
		for i, it := range items {
			if err := checkValue(p.Items, it); err != nil {
				return fmt.Errorf("item %d %w", i, err)
			}
		}
	case "object":
		if _, ok := v.(map[string]any); !ok {
			return fmt.Errorf("must be a JSON object, got %s", jsonKind(v))
		}
	}
	return nil
}

func enumList(enum []any) string {
	parts := make([]string, len(enum))
	for i, e := range enum {
		parts[i] = fmt.Sprint(e)
	}
	return strings.Join(parts, ", ")
}

// integerNumber writes a checked integer as digits: 2.0 and 1e3 are integers to JSON
// Schema, but Podman and Central parse "2" and "1000", not "2.0" and "1e3".
func integerNumber(n json.Number) json.Number {
	if _, err := strconv.ParseInt(n.String(), 10, 64); err == nil {
		return n
	}
	f, _ := n.Float64()
	return json.Number(strconv.FormatInt(int64(f), 10))
}

func jsonKind(v any) string {
	switch x := v.(type) {
	case string:
		if len(x) > 40 {
			x = x[:40] + "…"
		}
		return fmt.Sprintf("string %q", x)
	case json.Number:
		return "number " + x.String()
	case bool:
		return "boolean " + strconv.FormatBool(x)
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	default:
		return fmt.Sprintf("%T", v)
	}
}

func describe(a *capabilities.Argument) string {
	d := a.Type
	if a.Description != "" {
		d += ": " + a.Description
	}
	return d
}

func argNames(t *capabilities.Tool) string {
	if len(t.Args) == 0 {
		return "no arguments"
	}
	names := make([]string, len(t.Args))
	for i, a := range t.Args {
		names[i] = a.Name
	}
	return strings.Join(names, ", ")
}

// scalarString renders a checked scalar for a query string or header.
func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// anyGiven: a blank string, an empty array or false does not count as given — for
// Podman an empty image list with all=false still means every image.
func anyGiven(v Values, names []string) bool {
	for _, n := range names {
		switch x := v[n].(type) {
		case nil:
			continue
		case string:
			if strings.TrimSpace(x) == "" {
				continue
			}
		case []any:
			if len(x) == 0 {
				continue
			}
		case bool:
			if !x {
				continue
			}
		}
		return true
	}
	return false
}

func quoted(names []string) []string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return q
}

// notInHeader tells the characters an HTTP header value cannot hold: control characters
// but the tab (RFC 9110 field-value; Go's client refuses them before sending).
func notInHeader(r rune) bool {
	return r < ' ' && r != '\t' || r == 0x7f
}
