package capabilities

import (
	"errors"
	"strings"
	"testing"
)

// A small valid spec; the cases below break one thing each.
const baseSpec = `naftiko: 1.0.0-alpha2
info: {label: test}
capability:
  consumes:
  - type: http
    namespace: ns
    baseUri: http://example.test
    resources:
    - name: items
      path: /items/{id}
      operations:
      - name: getitem
        method: GET
        inputParameters:
        - {name: id, in: path, type: string, required: true}
        - {name: page.limit, in: query, type: integer, description: at most this many}
        - {name: X-Auth, in: header, type: string}
  exposes:
  - type: mcp
    namespace: m
    tools:
    - name: get-item
      description: Get an item
      hints: {readOnly: true, destructive: false, idempotent: true}
      call: ns.getitem
      with: {id: tools.id, page.limit: tools.page.limit}
`

const baseCorrections = `display: Test
tools:
  get-item:
    title: Get one item
    hints: {openWorld: false}
    arguments:
      id:
        description: The item.
`

func TestLoadValid(t *testing.T) {
	c, err := Load("t.yaml", []byte(baseSpec), []byte(baseCorrections))
	if err != nil {
		t.Fatal(err)
	}
	tl := c.Tools[0]
	if tl.Name != "get-item" || tl.Title != "Get one item" || tl.Method != "GET" || tl.Path != "/items/{id}" {
		t.Errorf("tool %+v", tl)
	}
	if !tl.ReadOnly || tl.Destructive || !tl.Idempotent || tl.OpenWorld == nil || *tl.OpenWorld {
		t.Errorf("hints %v %v %v %v", tl.ReadOnly, tl.Destructive, tl.Idempotent, tl.OpenWorld)
	}
	if len(tl.Args) != 2 {
		t.Fatalf("args %d, want 2 (X-Auth is not mapped)", len(tl.Args))
	}
	if a := tl.Arg("id"); a.Description != "The item." || !a.Required || a.In != "path" {
		t.Errorf("id %+v", a)
	}
	if a := tl.Arg("page.limit"); a.Wire != "page.limit" || a.Type != "integer" || a.Description != "at most this many" {
		t.Errorf("page.limit %+v", a)
	}
	if c.Upstream != "http" || c.BaseURI != "http://example.test" || c.Display != "Test" {
		t.Errorf("capability %+v", c)
	}
	// No corrections at all is fine too.
	if _, err := Load("t.yaml", []byte(baseSpec), nil); err != nil {
		t.Error(err)
	}
}

// MCP's default destructiveHint is true: a seed write tool that says nothing is destructive;
// one that says readOnly is not.
func TestLoadDestructiveDefault(t *testing.T) {
	for _, tc := range []struct {
		hints    string
		ro, dest bool
	}{
		{"{}", false, true},
		{"{readOnly: true}", true, false},
		{"{readOnly: false}", false, true},
		{"{readOnly: false, destructive: false}", false, false},
	} {
		spec := strings.Replace(baseSpec, "{readOnly: true, destructive: false, idempotent: true}", tc.hints, 1)
		c, err := Load("t.yaml", []byte(spec), nil)
		if err != nil {
			t.Fatal(err)
		}
		if tl := c.Tools[0]; tl.ReadOnly != tc.ro || tl.Destructive != tc.dest {
			t.Errorf("hints %s: readOnly %v destructive %v, want %v %v", tc.hints, tl.ReadOnly, tl.Destructive, tc.ro, tc.dest)
		}
	}
}

const (
	tCorrections = "t.corrections.yaml"
	secondTool   = `    - name: get-item
      call: ns.getitem
      with: {id: tools.id}
`
)

// Specs and corrections files that break one rule each: the Problem names the file, the
// tool and the field.
var loadProblems = []struct {
	name       string
	spec, corr string
	file, tool string
	field, msg string
}{
	{name: "call names no operation", spec: sub(baseSpec, "call: ns.getitem", "call: ns.nope"),
		tool: "get-item", field: "call", msg: "names no consumed operation"},
	{name: "call without namespace", spec: sub(baseSpec, "call: ns.getitem", "call: getitem"),
		tool: "get-item", field: "call", msg: "names no consumed operation"},
	{name: "duplicate tool names", spec: baseSpec + secondTool,
		tool: "get-item", field: "name", msg: "duplicate tool name"},
	{name: "unknown parameter type", spec: sub(baseSpec, "in: query, type: integer", "in: query, type: int"),
		tool: "get-item", field: "operation ns.getitem.inputParameters[page.limit].type", msg: `unknown parameter type "int"`},
	{name: "unknown in", spec: sub(baseSpec, "in: query, type: integer", "in: cookie, type: integer"),
		tool: "get-item", field: "operation ns.getitem.inputParameters[page.limit].in", msg: `unsupported location "cookie"`},
	{name: "path parameter not in path", spec: sub(baseSpec, "in: query, type: integer", "in: path, type: integer"),
		tool: "get-item", field: "operation ns.getitem.inputParameters[page.limit]", msg: "path parameter not in path"},
	{name: "path var without parameter", spec: sub(baseSpec, "path: /items/{id}", "path: /items/{id}/{sub}"),
		tool: "get-item", field: "operation ns.getitem", msg: "{sub} but no path parameter"},
	{name: "unknown method", spec: sub(baseSpec, "method: GET", "method: FETCH"),
		tool: "get-item", field: "operation ns.getitem.method", msg: `unknown HTTP method "FETCH"`},
	{name: "with value not tools.x", spec: sub(baseSpec, "page.limit: tools.page.limit", "page.limit: rest.page.limit"),
		tool: "get-item", field: "with.page.limit", msg: "must be tools.<argument>"},
	{name: "with value bare tools.", spec: sub(baseSpec, "page.limit: tools.page.limit", "page.limit: tools."),
		tool: "get-item", field: "with.page.limit", msg: "must be tools.<argument>"},
	{name: "with names a missing parameter", spec: sub(baseSpec, "page.limit: tools.page.limit", "page.limit: tools.page.limit, nope: tools.nope"),
		tool: "get-item", field: "with.nope", msg: `has no parameter "nope"`},
	{name: "required param not mapped", spec: sub(baseSpec, "with: {id: tools.id, page.limit: tools.page.limit}", "with: {page.limit: tools.page.limit}"),
		tool: "get-item", field: "with", msg: `required parameter "id"`},
	{name: "argument mapped twice", spec: sub(baseSpec, "page.limit: tools.page.limit", "page.limit: tools.id"),
		tool: "get-item", field: "with.", msg: "mapped twice"},
	{name: "bad tool name", spec: sub(baseSpec, "- name: get-item", "- name: get item"),
		tool: "get item", field: "name", msg: "1-128 characters"},
	{name: "no naftiko version", spec: sub(baseSpec, "naftiko: 1.0.0-alpha2", "naftikox: 1"),
		field: "naftiko", msg: "not a Naftiko capability"},
	{name: "not YAML", spec: "naftiko: [", msg: "not a valid YAML"},

	{name: "corrections: unknown tool", corr: "tools:\n  get-itme:\n    title: X\n",
		file: tCorrections, tool: "get-itme", msg: "no such tool"},
	{name: "corrections: unknown argument", corr: "tools:\n  get-item:\n    arguments:\n      idd: {description: x}\n",
		file: tCorrections, tool: "get-item", field: "arguments.idd", msg: "no such argument"},
	{name: "corrections: unknown role", corr: "tools:\n  get-item:\n    arguments:\n      id: {role: input-fil}\n",
		file: tCorrections, tool: "get-item", field: "arguments.id.role", msg: `unknown role "input-fil"`},
	{name: "corrections: unknown added role", corr: "tools:\n  get-item:\n    added:\n    - {name: out, type: string, role: output}\n",
		file: tCorrections, tool: "get-item", field: "added[0].role", msg: `unknown role "output"`},
	{name: "corrections: added without role", corr: "tools:\n  get-item:\n    added:\n    - {name: out, type: string}\n",
		file: tCorrections, tool: "get-item", field: "added[0].role", msg: "unknown role"},
	{name: "corrections: added twice", corr: "tools:\n  get-item:\n    added:\n    - {name: id, type: string, role: fields}\n",
		file: tCorrections, tool: "get-item", field: "added[0].name", msg: "already an argument"},
	{name: "corrections: added unknown type", corr: "tools:\n  get-item:\n    added:\n    - {name: f, type: list, role: fields}\n",
		file: tCorrections, tool: "get-item", field: "added[0].type", msg: `unknown type "list"`},
	{name: "corrections: tool minVersion not a version", corr: "tools:\n  get-item:\n    minVersion: '5.7'\n",
		file: tCorrections, tool: "get-item", field: "minVersion", msg: `"5.7" is not a version`},
	{name: "corrections: argument minVersion not a version", corr: "tools:\n  get-item:\n    arguments:\n      id: {minVersion: v5}\n",
		file: tCorrections, tool: "get-item", field: "arguments.id.minVersion", msg: `"v5" is not a version`},
	{name: "corrections: argument minVersion with a default", corr: "tools:\n  get-item:\n    arguments:\n      page.limit: {minVersion: 5.0.0, default: 3}\n",
		file: tCorrections, tool: "get-item", field: "arguments.page.limit.minVersion", msg: "always sent"},
	{name: "corrections: unknown response", corr: "tools:\n  get-item:\n    response: xml\n",
		file: tCorrections, tool: "get-item", field: "response", msg: `unknown "xml"`},
	{name: "corrections: file response without output", corr: "tools:\n  get-item:\n    response: file\n",
		file: tCorrections, tool: "get-item", field: "response", msg: "output-file"},
	{name: "corrections: confirm on a missing argument", corr: "tools:\n  get-item:\n    confirm: {argument: yes}\n",
		file: tCorrections, tool: "get-item", field: "confirm.argument", msg: "not a boolean argument"},
	{name: "corrections: unknown upstream", corr: "upstream: ftp\n",
		file: tCorrections, field: "upstream", msg: `unknown "ftp"`},
	{name: "corrections: unknown tool key", corr: "tools:\n  get-item:\n    title: X\n    titel: Y\n",
		file: tCorrections, tool: "get-item", field: "titel", msg: "field titel not found"},
	{name: "corrections: unknown argument key", corr: "tools:\n  get-item:\n    arguments:\n      id:\n        descripton: x\n",
		file: tCorrections, tool: "get-item", field: "arguments.id.descripton", msg: "field descripton not found"},
	{name: "corrections: unknown top-level key", corr: "dispaly: X\n",
		file: tCorrections, field: "dispaly", msg: "field dispaly not found"},
	{name: "corrections: offset not an integer", corr: "tools:\n  get-item:\n    added:\n    - {name: offset, type: string, role: offset}\n",
		file: tCorrections, tool: "get-item", field: "arguments.offset", msg: "needs type integer"},
	{name: "corrections: two offsets", corr: "tools:\n  get-item:\n    arguments:\n      page.limit: {role: offset}\n    added:\n    - {name: offset, type: integer, role: offset}\n",
		file: tCorrections, tool: "get-item", field: "arguments", msg: "at most one"},
	{name: "corrections: limit without an upstream offset", corr: "tools:\n  get-item:\n    arguments:\n      page.limit: {role: limit}\n",
		file: tCorrections, tool: "get-item", field: "arguments.page.limit", msg: "role limit needs"},
	{name: "corrections: argumentsAs names no tool", corr: "tools:\n  get-item:\n    argumentsAs: get-items\n",
		file: tCorrections, tool: "get-item", field: "argumentsAs", msg: "not another tool"},
	{name: "corrections: wrong value type", corr: "tools:\n  get-item:\n    hints: {readOnly: maybe}\n",
		file: tCorrections, tool: "get-item", field: "hints.readOnly", msg: "maybe"},
	{name: "corrections: a key of the wrong type", corr: "errorHints:\n  abc: x\n",
		file: tCorrections, field: "errorHints.abc", msg: "abc"},
	{name: "corrections: unknown key in a list item", corr: "tools:\n  get-item:\n    added:\n    - {name: x, type: string, colour: red}\n",
		file: tCorrections, tool: "get-item", field: "added[0].colour", msg: "field colour not found"},
}

func TestLoadProblems(t *testing.T) {
	for _, tc := range loadProblems {
		t.Run(tc.name, func(t *testing.T) {
			spec := tc.spec
			if spec == "" {
				spec = baseSpec
			}
			_, err := Load("t.yaml", []byte(spec), []byte(tc.corr))
			if err == nil {
				t.Fatal("loaded; want a problem")
			}
			var p *Problem
			if !errors.As(err, &p) {
				t.Fatalf("error %T %v is not a *Problem", err, err)
			}
			wantFile := tc.file
			if wantFile == "" {
				wantFile = "t.yaml"
			}
			if p.File != wantFile || p.Tool != tc.tool || !strings.HasPrefix(p.Field, tc.field) || !strings.Contains(p.Msg, tc.msg) {
				t.Errorf("got  file=%q tool=%q field=%q msg=%q\nwant file=%q tool=%q field=%q… msg~%q", p.File, p.Tool, p.Field, p.Msg, wantFile, tc.tool, tc.field, tc.msg)
			}
			// The message a person reads names all three.
			s := err.Error()
			for _, part := range []string{wantFile, tc.tool, tc.field} {
				if !strings.Contains(s, part) {
					t.Errorf("%q does not name %q", s, part)
				}
			}
		})
	}
}

func sub(s, old, new string) string {
	if !strings.Contains(s, old) {
		panic("test spec has no " + old)
	}
	return strings.Replace(s, old, new, 1)
}

// description: "" drops a seed's description; argumentsAs drops those another tool
// already gives; an added offset without one gets the engine's.
func TestLoadDescriptionsDropped(t *testing.T) {
	second := `    - name: get-item-2
      call: ns.getitem
      with: {id: tools.id, page.limit: tools.page.limit}
`
	for _, tc := range []struct{ name, corr, tool, arg, want string }{
		{"seed kept", "", "get-item", "page.limit", "at most this many"},
		{"dropped", "tools:\n  get-item:\n    arguments:\n      page.limit: {description: \"\"}\n", "get-item", "page.limit", ""},
		{"argumentsAs", "tools:\n  get-item-2:\n    argumentsAs: get-item\n", "get-item-2", "page.limit", ""},
		{"argumentsAs keeps a correction", "tools:\n  get-item-2:\n    argumentsAs: get-item\n    arguments:\n      page.limit: {description: two}\n", "get-item-2", "page.limit", "two"},
		{"offset default", "tools:\n  get-item:\n    added:\n    - {name: offset, type: integer, role: offset}\n", "get-item", "offset", "Items to skip"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load("t.yaml", []byte(baseSpec+second), []byte(tc.corr))
			if err != nil {
				t.Fatal(err)
			}
			for _, tl := range c.Tools {
				if tl.Name != tc.tool {
					continue
				}
				if a := tl.Arg(tc.arg); a == nil || !strings.HasPrefix(a.Description, tc.want) || (tc.want == "" && a.Description != "") {
					t.Errorf("%s.%s: description %+v, want %q", tc.tool, tc.arg, a, tc.want)
				}
			}
		})
	}
}
