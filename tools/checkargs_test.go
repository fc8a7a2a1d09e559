package tools

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/image-mcp/image-mcp/capabilities"
)

// A tool with one argument of each kind, for the type checks.
var kinds = &capabilities.Tool{Name: "kinds", Args: []*capabilities.Argument{
	{Name: "name", Type: "string", In: "path", Wire: "name", Required: true, Description: "the image"},
	{Name: "n", Type: "integer", In: "query", Wire: "n"},
	{Name: "ratio", Type: "number", In: "query", Wire: "ratio"},
	{Name: "all", Type: "boolean", In: "query", Wire: "all"},
	{Name: "refs", Type: "array", In: "query", Wire: "refs"},
	{Name: "body", Type: "object", In: "body", Wire: "body"},
	{Name: "mode", Type: "string", Enum: []string{"oci", "docker"}, In: "query", Wire: "mode"},
	{Name: "X-Auth", Type: "string", In: "header", Wire: "X-Auth"},
}}

func TestCheckArguments(t *testing.T) {
	cases := []struct {
		name string
		args string
		want []string // substrings of the error; none = success
	}{
		{"only required", `{"name":"x"}`, nil},
		{"all kinds", `{"name":"x","n":3,"ratio":0.5,"all":false,"refs":["a","b"],"body":{"k":1},"mode":"oci","X-Auth":"abc"}`, nil},
		{"null is absent", `{"name":"x","n":null,"refs":null}`, nil},
		{"null required is missing", `{"name":null}`, []string{`missing required argument "name"`, "string: the image"}},
		{"missing required", `{}`, []string{`missing required argument "name"`}},
		{"no arguments at all", ``, []string{`missing required argument "name"`}},
		{"arguments null", `null`, []string{`missing required argument "name"`}},
		{"not an object", `["x"]`, []string{"arguments must be a JSON object"}},
		{"unknown lists the valid ones", `{"name":"x","nmae":"y"}`, []string{`unknown argument "nmae"`, "this tool takes: name, n, ratio, all, refs, body, mode, X-Auth"}},
		{"string given a number", `{"name":5}`, []string{`argument "name"`, "must be a string, got number 5"}},
		{"string given an object", `{"name":{"a":1}}`, []string{`argument "name"`, "must be a string, got an object"}},
		{"integer given a string", `{"name":"x","n":"3"}`, []string{`argument "n"`, `must be an integer, got string "3"`}},
		{"integer given 1.5", `{"name":"x","n":1.5}`, []string{`argument "n"`, "must be an integer, got 1.5"}},
		{"integer given 2.0", `{"name":"x","n":2.0}`, nil},
		{"integer given 1e3", `{"name":"x","n":1e3}`, nil},
		{"integer given 1e300", `{"name":"x","n":1e300}`, []string{`argument "n"`, "must be an integer"}},
		{"integer given true", `{"name":"x","n":true}`, []string{`argument "n"`, "must be an integer, got boolean true"}},
		{"number given a string", `{"name":"x","ratio":"0.5"}`, []string{`argument "ratio"`, "must be a number"}},
		{"boolean given a string", `{"name":"x","all":"true"}`, []string{`argument "all"`, `must be a boolean (true or false), got string "true"`}},
		{"boolean given 1", `{"name":"x","all":1}`, []string{`argument "all"`, "must be a boolean"}},
		{"array given a string", `{"name":"x","refs":"a"}`, []string{`argument "refs"`, "must be an array of strings"}},
		{"array item an object", `{"name":"x","refs":["a",{"b":1}]}`, []string{`argument "refs"`, "item 1 must be a string"}},
		// The schema says an array of strings; the check is read from it.
		{"array item a number", `{"name":"x","refs":["a",1]}`, []string{`argument "refs"`, "item 1 must be a string, got number 1"}},
		{"array item a boolean", `{"name":"x","refs":[true]}`, []string{`argument "refs"`, "item 0 must be a string, got boolean true"}},
		{"object given an array", `{"name":"x","body":[1]}`, []string{`argument "body"`, "must be a JSON object, got an array"}},
		{"enum", `{"name":"x","mode":"tar"}`, []string{`argument "mode"`, `must be one of oci, docker, got "tar"`}},
		{"header with CR/LF", `{"name":"x","X-Auth":"a\r\nX-Evil: 1"}`, []string{`argument "X-Auth"`, "line breaks"}},
		{"header with LF", `{"name":"x","X-Auth":"a\nb"}`, []string{`argument "X-Auth"`, "line breaks"}},
		{"header with NUL", `{"name":"x","X-Auth":"a\u0000b"}`, []string{`argument "X-Auth"`, "line breaks"}},
		{"header with a control character", `{"name":"x","X-Auth":"e30=\u0001"}`, []string{`argument "X-Auth"`, "control characters"}},
		{"header with DEL", `{"name":"x","X-Auth":"e30=\u007f"}`, []string{`argument "X-Auth"`, "control characters"}},
		{"header with a tab and non-ASCII", `{"name":"x","X-Auth":"a\tb é"}`, nil},
		{"line breaks fine outside headers", `{"name":"x\ny"}`, nil},
		{"long string is clipped in the message", `{"name":"x","n":"` + strings.Repeat("z", 200) + `"}`, []string{"must be an integer", "…"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := CheckArguments(kinds, json.RawMessage(tc.args))
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if _, ok := v["name"]; !ok {
					t.Errorf("values %v lack name", v)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted %s, want an error", tc.args)
			}
			var ae *argumentError
			if !errors.As(err, &ae) || ae.tool != "kinds" {
				t.Errorf("error %T %v is not an argumentError of the tool", err, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if len(err.Error()) > 400 {
				t.Errorf("error is %d bytes long", len(err.Error()))
			}
		})
	}
}

// Values keep their JSON kinds; null arguments are dropped; integers are sent as integers.
func TestCheckArgumentsValues(t *testing.T) {
	v, err := CheckArguments(kinds, json.RawMessage(`{"name":"x","n":2.0,"ratio":0.25,"all":true,"refs":["a"],"body":{"k":"v"},"mode":null}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := v["mode"]; ok {
		t.Error("null mode kept")
	}
	if v.String("name") != "x" || !v.Bool("all") || v.Bool("name") {
		t.Errorf("values %v", v)
	}
	// 2.0 is an integer by JSON Schema; it must reach the wire as "2", not "2.0".
	if n, ok := v["n"].(json.Number); !ok || n.String() != "2" {
		t.Errorf("n = %#v, want json.Number 2", v["n"])
	}
	if r := v["ratio"].(json.Number); r.String() != "0.25" {
		t.Errorf("ratio %v", r)
	}
	v, err = CheckArguments(kinds, json.RawMessage(`{"name":"x","n":1e3}`))
	if err != nil || v["n"].(json.Number).String() != "1000" {
		t.Errorf("1e3 → %v %v, want 1000", v["n"], err)
	}
}

// Real tools: the checks go by the spec's parameters and the corrections.
func TestCheckArgumentsSpecTools(t *testing.T) {
	cases := []struct {
		tool, args string
		want       string
	}{
		{"inspect-image", `{"name":"localhost/x:1"}`, ""},
		{"inspect-image", `{}`, `missing required argument "name"`},
		{"inspect-image", `{"name":"x","all":true}`, `unknown argument "all"; this tool takes: name`},
		{"invalidatescanandregistrycaches-removes-image-metadata-cache", `{"x":1}`, `unknown argument "x"; this tool takes: no arguments`},
		{"tag-image", `{"name":"x"}`, `missing required argument "repo"`},
		{"listimages-returns-all-images", `{"pagination.limit":"10"}`, `argument "pagination.limit" must be an integer`},
		{"listimages-returns-all-images", `{"pagination.limit":10,"pagination.sort_option.reversed":true}`, ""},
		{"remove-one-more-images-storage", `{"images":"a"}`, `argument "images" must be an array`},
		{"pull-images", `{"reference":"x","X-Registry-Auth":"e30=\r\nHost: evil"}`, `argument "X-Registry-Auth" must not contain line breaks`},
		{"scanimage-scans-single-image-and", `{"body":"imageName=x"}`, `argument "body" must be a JSON object`},
		{"list-images", `{"fields":["Id",{"x":1}]}`, `argument "fields" item 1 must be a string`},
		{"export-image", `{"name":"x"}`, `missing required argument "output"`},
		// requireOneOf: blank, empty or false is not given (Podman would remove every image).
		{"remove-one-more-images-storage", `{}`, `give one of "images", "all"`},
		{"remove-one-more-images-storage", `{"images":[]}`, `give one of "images", "all"`},
		{"remove-one-more-images-storage", `{"images":[],"all":false}`, `give one of "images", "all"`},
		{"remove-one-more-images-storage", `{"images":["a"]}`, ""},
		{"remove-one-more-images-storage", `{"all":true}`, ""},
		{"build-image", `{"context":"  ","remote":""}`, `give one of "context", "remote"`},
	}
	for _, tc := range cases {
		_, err := CheckArguments(specTool(t, tc.tool), json.RawMessage(tc.args))
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s %s: %v", tc.tool, tc.args, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s %s: got %v, want %q", tc.tool, tc.args, err, tc.want)
		}
	}
}
