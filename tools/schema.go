package tools

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/image-mcp/image-mcp/capabilities"
)

// listed_schemas.go holds the built-in tools' listed schemas; TestListedSchemasMatchSpecs
// fails when they differ from what the specs give, until `go generate ./tools` is run.
//go:generate go run ./internal/listedschemas

// Schema builds a tool's input schema from its arguments: for tools/list (encoded, see
// listedSchema), and for CheckArguments, which reads its checks from it. Dotted names
// (pagination.limit) stay flat property names, as the wire wants them.
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
