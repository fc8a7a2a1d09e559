package tools

import (
	"encoding/json"

	"github.com/image-mcp/image-mcp/capabilities"
)

// InputSchema builds a tool's JSON schema from its arguments, once at start. Dotted names
// (pagination.limit) stay flat property names, as the wire wants them.
func InputSchema(t *capabilities.Tool) json.RawMessage {
	props := make(map[string]any, len(t.Args))
	required := []string{}
	for _, a := range t.Args {
		p := map[string]any{"type": a.Type}
		if a.Description != "" {
			p["description"] = a.Description
		}
		if a.Type == "array" {
			p["items"] = map[string]any{"type": "string"}
		}
		if a.Default != nil {
			p["default"] = a.Default
		}
		if len(a.Enum) > 0 {
			p["enum"] = a.Enum
		}
		props[a.Name] = p
		if a.Required {
			required = append(required, a.Name)
		}
	}
	schema := map[string]any{
		"type":                 "object",
		"properties":           props,
		"additionalProperties": false,
	}
	if len(required) > 0 {
		schema["required"] = required
	}
	b, err := json.Marshal(schema)
	if err != nil {
		panic(err) // maps of strings always marshal
	}
	return b
}
