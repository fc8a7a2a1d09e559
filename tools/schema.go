package tools

import (
	"bytes"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/image-mcp/image-mcp/capabilities"
)

// listed_schemas.go holds the built-in tools' listed schemas; TestListedSchemasMatchSpecs
// fails when they differ from what the specs give, until `go generate ./tools` is run.
//go:generate go run ./internal/listedschemas

// Schema builds a tool's input schema from its arguments: for tools/list, and for
// CheckArguments, which reads its checks from it (cheap next to a call). Dotted names
// (pagination.limit) stay flat property names, as the wire wants them. It is a typed
// schema because the go-sdk re-encodes any other form once per tool at registration.
func Schema(t *capabilities.Tool) *jsonschema.Schema {
	s := &jsonschema.Schema{
		Type:       "object",
		Properties: make(map[string]*jsonschema.Schema, len(t.Args)),
		// No additionalProperties: false: an unknown argument gets a clear error anyway
		// (CheckArguments), and tools/list is paid in every conversation.
	}
	for _, a := range t.Args {
		p := &jsonschema.Schema{Type: a.Type, Description: a.Description}
		if a.Role.NamesPath() {
			p.Description = strings.TrimSpace(p.Description + pathNote)
		}
		if a.Type == "array" {
			p.Items = &jsonschema.Schema{Type: "string"}
		}
		if a.Default != nil {
			b, err := json.Marshal(a.Default)
			if err == nil {
				p.Default = b
			}
		}
		for _, e := range a.Enum {
			p.Enum = append(p.Enum, e)
		}
		s.Properties[a.Name] = p
		if a.Required {
			s.Required = append(s.Required, a.Name)
		}
	}
	switch {
	case len(t.RequireOneOf) == 1 && !slices.Contains(s.Required, t.RequireOneOf[0]):
		s.Required = append(s.Required, t.RequireOneOf[0])
	case len(t.RequireOneOf) > 1:
		s.If, s.Then = requireOneOf(t.RequireOneOf)
	}
	return s
}

// requireOneOf says "at least one of names" (two or more) as "if none but the last is given, the last
// is required". Not the plainer anyOf of required: Anthropic's API refuses a tool whose
// input schema has anyOf, oneOf or allOf at the top level, and with it every request
// that lists the tool. CheckArguments adds that a blank string, an empty array or false
// does not count as given.
func requireOneOf(names []string) (ifNone, then *jsonschema.Schema) {
	last := len(names) - 1
	given := &jsonschema.Schema{Required: names[:1]}
	if last > 1 {
		given = &jsonschema.Schema{}
		for _, n := range names[:last] {
			given.AnyOf = append(given.AnyOf, &jsonschema.Schema{Required: []string{n}})
		}
	}
	return &jsonschema.Schema{Not: given}, &jsonschema.Schema{Required: names[last:]}
}

// EncodeSchema writes what json.Marshal(s) writes for the schemas Schema builds (type,
// properties in name order, items, description, default, enum, required, anyOf, not, if,
// then), without its reflection: encoding the typed schemas was most of the tools/list
// answer's time. TestEncodeSchema compares the two on every tool; a field it does not
// know makes it fall back to json.Marshal.
func EncodeSchema(s *jsonschema.Schema) (json.RawMessage, error) {
	if !encodable(s) {
		return json.Marshal(s)
	}
	var b []byte
	return appendSchema(b, s), nil
}

// encodable tells whether s and its subschemas set only the fields appendSchema writes.
func encodable(s *jsonschema.Schema) bool {
	if s == nil {
		return true
	}
	c := *s
	c.Type, c.Properties, c.Items, c.Description, c.Default, c.Enum, c.Required, c.AnyOf, c.Not, c.If, c.Then =
		"", nil, nil, "", nil, nil, nil, nil, nil, nil, nil
	if !reflect.ValueOf(c).IsZero() || s.Type == "" && len(s.Properties) == 0 && s.Items == nil && s.Description == "" &&
		s.Default == nil && s.Enum == nil && s.Required == nil && s.AnyOf == nil && s.Not == nil && s.If == nil && s.Then == nil {
		return false // another field, or the empty schema (which encodes as true)
	}
	for _, p := range s.Properties {
		if p == nil || !encodable(p) {
			return false
		}
	}
	for _, a := range s.AnyOf {
		if a == nil || !encodable(a) {
			return false
		}
	}
	for _, e := range s.Enum {
		if _, ok := e.(string); !ok {
			return false
		}
	}
	return encodable(s.Items) && encodable(s.Not) && encodable(s.If) && encodable(s.Then)
}

func appendSchema(b []byte, s *jsonschema.Schema) []byte {
	b = append(b, '{')
	field := func(name string) {
		if b[len(b)-1] != '{' {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, `":`...)
	}
	if s.Type != "" {
		field("type")
		b = appendString(b, s.Type)
	}
	if s.Properties != nil {
		field("properties")
		b = append(b, '{')
		for i, name := range slices.Sorted(maps.Keys(s.Properties)) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, name)
			b = append(b, ':')
			b = appendSchema(b, s.Properties[name])
		}
		b = append(b, '}')
	}
	if s.Items != nil {
		field("items")
		b = appendSchema(b, s.Items)
	}
	if s.Description != "" {
		field("description")
		b = appendString(b, s.Description)
	}
	if len(s.Default) > 0 {
		field("default")
		var buf bytes.Buffer
		if json.Compact(&buf, s.Default) == nil {
			b = append(b, buf.Bytes()...)
		}
	}
	if len(s.Enum) > 0 {
		field("enum")
		b = appendStrings(b, s.Enum)
	}
	if len(s.Required) > 0 {
		field("required")
		b = appendStrings(b, s.Required)
	}
	if len(s.AnyOf) > 0 {
		field("anyOf")
		b = append(b, '[')
		for i, a := range s.AnyOf {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendSchema(b, a)
		}
		b = append(b, ']')
	}
	for _, sub := range []struct {
		name string
		s    *jsonschema.Schema
	}{{"not", s.Not}, {"if", s.If}, {"then", s.Then}} {
		if sub.s != nil {
			field(sub.name)
			b = appendSchema(b, sub.s)
		}
	}
	return append(b, '}')
}

func appendStrings[T any](b []byte, list []T) []byte {
	b = append(b, '[')
	for i, v := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, any(v).(string))
	}
	return append(b, ']')
}

// appendString encodes as encoding/json does (HTML characters escaped too): printable
// ASCII that needs no escape as it is, anything else through json.Marshal.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			enc, _ := json.Marshal(s)
			return append(b, enc...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
