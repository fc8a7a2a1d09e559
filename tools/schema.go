package tools

import (
	"encoding/json"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/image-mcp/image-mcp/capabilities"
)

// Schema builds a tool's input schema from its arguments, once at start. Dotted names
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
			p.Description += PathNote
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
	return s
}
