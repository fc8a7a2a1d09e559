package tools

import (
	"encoding/json"
	"testing"

	"github.com/image-mcp/image-mcp/capabilities"
)

// The generated schemas are exactly what the specs give, one for each built-in tool:
// `go generate ./tools` after any spec or corrections edit.
func TestListedSchemasMatchSpecs(t *testing.T) {
	caps, err := capabilities.ParseEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range caps {
		for _, tl := range c.Tools {
			n++
			want, err := json.Marshal(Schema(tl))
			if err != nil {
				t.Fatal(err)
			}
			if got := builtinSchemas[tl.Name]; got != string(want) {
				t.Errorf("%s: the generated schema differs from the spec's: run `go generate ./tools`\n got  %.200s\n want %.200s", tl.Name, got, want)
			}
		}
	}
	if len(builtinSchemas) != n {
		t.Errorf("%d generated schemas for %d built-in tools: run `go generate ./tools`", len(builtinSchemas), n)
	}
}

// Only a built-in tool is listed with its generated schema: a --capability file's tool of
// the same name is listed with its own.
func TestListedSchemaOfBuiltinsOnly(t *testing.T) {
	caps := capabilities.Embedded()
	builtin := caps[0].Tools[0]
	extraCap := *builtin.Capability
	extraCap.Builtin = false
	extra := *builtin
	extra.Capability = &extraCap
	extra.Args = extra.Args[:1] // not the built-in tool's arguments
	for _, tc := range []struct {
		name string
		tool *capabilities.Tool
	}{
		{"built-in", builtin},
		{"same name, from a file", &extra},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := json.Marshal(Schema(tc.tool))
			if err != nil {
				t.Fatal(err)
			}
			got, _ := listedSchema(tc.tool).(json.RawMessage)
			if string(got) != string(want) {
				t.Errorf("listed %.200s\nwant   %.200s", got, want)
			}
		})
	}
}
