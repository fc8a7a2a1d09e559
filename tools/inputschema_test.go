package tools

import (
	"encoding/json"
	"reflect"
	"sort"
	"testing"

	"github.com/image-mcp/image-mcp/capabilities"
)

type schemaDoc struct {
	Type                 string                    `json:"type"`
	Properties           map[string]map[string]any `json:"properties"`
	Required             []string                  `json:"required"`
	AdditionalProperties *bool                     `json:"additionalProperties"`
}

func schemaOf(t *testing.T, tl *capabilities.Tool) schemaDoc {
	t.Helper()
	var s schemaDoc
	if err := json.Unmarshal(schemaJSON(t, tl), &s); err != nil {
		t.Fatalf("%s: schema is not JSON: %v", tl.Name, err)
	}
	return s
}

// schemaJSON is the input schema as clients get it.
func schemaJSON(t *testing.T, tl *capabilities.Tool) []byte {
	t.Helper()
	b, err := json.Marshal(Schema(tl))
	if err != nil {
		t.Fatalf("%s: %v", tl.Name, err)
	}
	return b
}

func TestInputSchema(t *testing.T) {
	custom := &capabilities.Tool{Name: "t", Args: []*capabilities.Argument{
		{Name: "name", Type: "string", Description: "the name", Required: true, In: "path", Wire: "name"},
		{Name: "n", Type: "integer", In: "query", Wire: "n"},
		{Name: "ratio", Type: "number", In: "query", Wire: "ratio"},
		{Name: "all", Type: "boolean", In: "query", Wire: "all"},
		{Name: "refs", Type: "array", In: "query", Wire: "refs"},
		{Name: "body", Type: "object", In: "body", Wire: "body"},
		{Name: "mode", Type: "string", Enum: []string{"a", "b"}, In: "query", Wire: "mode"},
	}}
	s := schemaOf(t, custom)
	// No additionalProperties: CheckArguments refuses unknown arguments by name, and
	// the schema would repeat it in every tools/list.
	if s.Type != "object" || s.AdditionalProperties != nil {
		t.Errorf("type %q additionalProperties %v; want object, none", s.Type, s.AdditionalProperties)
	}
	if !reflect.DeepEqual(s.Required, []string{"name"}) {
		t.Errorf("required %v", s.Required)
	}
	for name, want := range map[string]string{"name": "string", "n": "integer", "ratio": "number", "all": "boolean", "refs": "array", "body": "object", "mode": "string"} {
		if got := s.Properties[name]["type"]; got != want {
			t.Errorf("%s: type %v, want %s", name, got, want)
		}
	}
	if d := s.Properties["name"]["description"]; d != "the name" {
		t.Errorf("description %v", d)
	}
	if _, ok := s.Properties["n"]["description"]; ok {
		t.Error("an argument without description gets an empty one")
	}
	if it, _ := s.Properties["refs"]["items"].(map[string]any); it["type"] != "string" {
		t.Errorf("array items %v", s.Properties["refs"]["items"])
	}
	if e := s.Properties["mode"]["enum"]; !reflect.DeepEqual(e, []any{"a", "b"}) {
		t.Errorf("enum %v", e)
	}
	// No required arguments: no "required" key at all (an empty list is noise).
	if raw := schemaJSON(t, &capabilities.Tool{Name: "x"}); string(raw) != `{"type":"object","properties":{}}` {
		t.Errorf("empty schema %s", raw)
	}
}

// The schemas of real tools: dotted names kept as they are, required as the spec and the
// corrections say, local (role) arguments included.
func TestInputSchemaSpecTools(t *testing.T) {
	cases := []struct {
		tool     string
		props    []string
		required []string
	}{
		{"listimages-returns-all-images", []string{"fields", "pagination.limit", "pagination.offset", "pagination.sort_option.field", "pagination.sort_option.reversed", "query"}, nil},
		{"deleteimage-removes-images-based-query", []string{"confirm", "query.pagination.limit", "query.pagination.offset", "query.pagination.sort_option.field", "query.pagination.sort_option.reversed", "query.query"}, nil},
		{"inspect-image", []string{"name"}, []string{"name"}},
		{"tag-image", []string{"name", "repo", "tag"}, []string{"name", "repo"}},
		{"remove-one-more-images-storage", []string{"all", "force", "ignore", "images", "lookupManifest"}, nil},
		{"list-images", []string{"all", "fields", "filters", "offset"}, nil},
		{"export-image", []string{"compress", "format", "name", "output", "overwrite"}, []string{"name", "output"}},
		{"scanimage-scans-single-image-and", []string{"body"}, []string{"body"}},
		{"invalidatescanandregistrycaches-removes-image-metadata-cache", []string{}, nil},
	}
	for _, tc := range cases {
		s := schemaOf(t, specTool(t, tc.tool))
		var props []string
		for p := range s.Properties {
			props = append(props, p)
		}
		sort.Strings(props)
		sort.Strings(s.Required)
		if !reflect.DeepEqual(append([]string{}, props...), append([]string{}, tc.props...)) {
			t.Errorf("%s: properties %v, want %v", tc.tool, props, tc.props)
		}
		if !reflect.DeepEqual(s.Required, tc.required) {
			t.Errorf("%s: required %v, want %v", tc.tool, s.Required, tc.required)
		}
	}
	if typ := schemaOf(t, specTool(t, "listimages-returns-all-images")).Properties["pagination.limit"]["type"]; typ != "integer" {
		t.Errorf("pagination.limit type %v", typ)
	}
	if typ := schemaOf(t, specTool(t, "remove-one-more-images-storage")).Properties["images"]["type"]; typ != "array" {
		t.Errorf("images type %v", typ)
	}
}

// requireOneOf is in the schema as if/then, never as a top-level anyOf, oneOf or allOf
// (Anthropic's API refuses those, and with them every request listing the tool); the
// schema says what CheckArguments says, short of blank values not counting as given.
func TestInputSchemaRequireOneOf(t *testing.T) {
	caps := capabilities.Embedded()
	withRule := 0
	for _, c := range caps {
		for _, tl := range c.Tools {
			var top map[string]json.RawMessage
			if err := json.Unmarshal(schemaJSON(t, tl), &top); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"anyOf", "oneOf", "allOf"} {
				if _, ok := top[k]; ok {
					t.Errorf("%s: %s at the top level of the input schema", tl.Name, k)
				}
			}
			if len(tl.RequireOneOf) > 0 {
				withRule++
			}
		}
	}
	if withRule == 0 {
		t.Fatal("no embedded tool has requireOneOf; the test checks nothing")
	}

	for _, names := range [][]string{{"a"}, {"a", "b"}, {"a", "b", "c"}} {
		tl := &capabilities.Tool{Name: "t", RequireOneOf: names, Args: []*capabilities.Argument{
			{Name: "a", Type: "string"}, {Name: "b", Type: "string"}, {Name: "c", Type: "string"}, {Name: "d", Type: "string"},
		}}
		resolved, err := Schema(tl).Resolve(nil)
		if err != nil {
			t.Fatalf("%v: %v", names, err)
		}
		for _, args := range []map[string]any{{}, {"a": "x"}, {"b": "x"}, {"c": "x"}, {"d": "x"}, {"a": "x", "c": "x"}} {
			schemaOK := resolved.Validate(args) == nil
			raw, _ := json.Marshal(args)
			_, checkErr := CheckArguments(tl, raw)
			if schemaOK != (checkErr == nil) {
				t.Errorf("requireOneOf %v, arguments %s: schema accepts %v, CheckArguments says %v", names, raw, schemaOK, checkErr)
			}
		}
	}
}

// The schema and CheckArguments agree on every argument of every embedded tool: a value
// the schema accepts passes the check, and one it refuses is refused (required and
// requireOneOf aside, which TestInputSchemaRequireOneOf covers).
func TestInputSchemaAgreesWithCheck(t *testing.T) {
	caps := capabilities.Embedded()
	values := []any{"x", "oci", 3, 1.5, true, []any{"a"}, []any{1}, []any{"a", true}, map[string]any{"k": []any{"v"}}}
	for _, c := range caps {
		for _, tl := range c.Tools {
			s := Schema(tl)
			s.Required, s.If, s.Then = nil, nil, nil
			resolved, err := s.Resolve(nil)
			if err != nil {
				t.Fatalf("%s: %v", tl.Name, err)
			}
			bare := *tl
			bare.RequireOneOf = nil
			bare.Args = nil
			for _, a := range tl.Args {
				na := *a
				na.Required = false
				bare.Args = append(bare.Args, &na)
			}
			for _, a := range tl.Args {
				for _, v := range values {
					if s, ok := v.(string); ok && len(a.Enum) > 0 {
						v = a.Enum[0] + s[:0]
					}
					args := map[string]any{a.Name: v}
					raw, _ := json.Marshal(args)
					var generic map[string]any
					json.Unmarshal(raw, &generic)
					schemaOK := resolved.Validate(generic) == nil
					_, checkErr := CheckArguments(&bare, raw)
					if schemaOK != (checkErr == nil) {
						t.Errorf("%s %s=%s: schema accepts %v, CheckArguments says %v", tl.Name, a.Name, raw, schemaOK, checkErr)
					}
				}
			}
		}
	}
}
