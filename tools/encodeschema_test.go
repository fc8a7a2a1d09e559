package tools

import (
	"encoding/json"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/image-mcp/image-mcp/capabilities"
)

// EncodeSchema writes the same bytes as json.Marshal, on every built-in tool's schema
// and on schemas with the characters encoding/json escapes, defaults, enums and each
// form of requireOneOf.
func TestEncodeSchema(t *testing.T) {
	all := embeddedTools(t)
	cases := map[string]*jsonschema.Schema{}
	for _, tl := range all {
		cases[tl.Name] = Schema(tl)
	}
	odd := &capabilities.Tool{Name: "odd", Args: []*capabilities.Argument{
		{Name: "a<b>&\"c\"", Type: "string", Description: "<script>&amp; \u2028\u2029 é \x01 \\ \t", Required: true, Enum: []string{"x<y", "ü"}, Default: "d&<>"},
		{Name: "n", Type: "integer", Default: 3},
		{Name: "f", Type: "number", Default: 1.5},
		{Name: "b", Type: "boolean", Default: false},
		{Name: "list", Type: "array"},
	}}
	cases["odd"] = Schema(odd)
	for _, names := range [][]string{{"n"}, {"n", "f"}, {"n", "f", "b"}} {
		odd.RequireOneOf = names
		cases["odd requireOneOf "+names[len(names)-1]] = Schema(odd)
	}
	cases["no arguments"] = Schema(&capabilities.Tool{Name: "none"})
	cases["empty subschema (true)"] = &jsonschema.Schema{Type: "object", Not: &jsonschema.Schema{}}
	cases["other field"] = &jsonschema.Schema{Type: "object", Title: "t"}
	for name, s := range cases {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		got, err := EncodeSchema(s)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
}
