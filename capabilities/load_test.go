package capabilities

import (
	"cmp"
	"errors"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The tool names of the two seeds, in their order: the server must expose exactly these,
// by these names or the ones the corrections give them.
var (
	podmanToolNames = []string{
		"build-image", "export-multiple-images", "import-image", "list-images", "load-image",
		"prune-unused-images", "pull-images", "remove-one-more-images-storage",
		"copy-image-one-host-another", "search-images", "remove-image-local-storage",
		"report-changes-images-s-filesystem-adds", "image-exists", "export-image", "history-image",
		"inspect-image", "push-image", "resolve-image-short-name", "tag-image", "image-tree",
		"untag-image", "create-image-local-build-context", "load-image-local-path",
	}
	stackroxToolNames = []string{
		"listimages-returns-all-images", "deleteimage-removes-images-based-query",
		"invalidatescanandregistrycaches-removes-image-metadata-cache", "scanimage-scans-single-image-and",
		"getimage-returns-image-given-its", "listimages-returns-all-images-2",
	}
)

func TestEmbeddedSpecsLoad(t *testing.T) {
	caps, err := Embedded()
	if err != nil {
		t.Fatalf("the embedded specs do not load: %v", err)
	}
	if len(caps) != 2 {
		t.Fatalf("got %d capabilities, want 2", len(caps))
	}
	for i, want := range [][]string{podmanToolNames, stackroxToolNames} {
		c := caps[i]
		var got []string
		for _, tl := range c.Tools {
			got = append(got, cmp.Or(tl.Seed, tl.Name))
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s tools:\n got %v\nwant %v", c.File, got, want)
		}
		// The names also match the seed as written (independently of Load).
		raw, _ := embedded.ReadFile("specs/" + c.File)
		var spec Spec
		if err := yaml.Unmarshal(raw, &spec); err != nil {
			t.Fatal(err)
		}
		var seed []string
		for _, e := range spec.Capability.Exposes {
			if e.Type == "mcp" {
				for _, td := range e.Tools {
					seed = append(seed, td.Name)
				}
			}
		}
		if strings.Join(seed, " ") != strings.Join(got, " ") {
			t.Errorf("%s: tools %v differ from the seed's %v", c.File, got, seed)
		}
	}
	if n := len(caps[0].Tools) + len(caps[1].Tools); n != 29 {
		t.Errorf("got %d tools, want 29", n)
	}
	if caps[0].Upstream != "podman" || caps[1].Upstream != "central" {
		t.Errorf("upstreams %q, %q; want podman, central", caps[0].Upstream, caps[1].Upstream)
	}
}

// Every embedded tool has a title, a description and all four hints decided (openWorld is
// absent from the seeds, so the corrections must state it).
func TestEmbeddedToolsComplete(t *testing.T) {
	caps, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range caps {
		for _, tl := range c.Tools {
			if tl.Title == "" || tl.Title == tl.Name {
				t.Errorf("%s: no title", tl.Name)
			}
			if tl.Description == "" {
				t.Errorf("%s: no description", tl.Name)
			}
			if tl.OpenWorld == nil {
				t.Errorf("%s: openWorld not stated", tl.Name)
			}
			if tl.ReadOnly && tl.Destructive {
				t.Errorf("%s: readOnly and destructive", tl.Name)
			}
			for _, a := range tl.Args {
				if a.Role == "" && (a.In == "" || a.Wire == "") {
					t.Errorf("%s: argument %q goes nowhere", tl.Name, a.Name)
				}
			}
		}
	}
}

// Every listed name fits a client's tool name (mcp__<server>__<tool>, at most 64
// characters in the model APIs) with room to spare, and names a StackRox tool as one; a
// renamed tool is found by its seed name.
func TestListedNames(t *testing.T) {
	caps, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	all, err := AllTools(caps)
	if err != nil {
		t.Fatal(err)
	}
	names := NamesOf(all)
	renamed := 0
	for _, tl := range all {
		if len(tl.Name) > 30 {
			t.Errorf("%s: %d characters, over 30", tl.Name, len(tl.Name))
		}
		if stackrox := strings.HasPrefix(tl.Name, "stackrox-"); stackrox != (tl.Capability.Toolset == "stackrox") {
			t.Errorf("%s of toolset %s: only StackRox tools, all of them, start with stackrox-", tl.Name, tl.Capability.Toolset)
		}
		if tl.Seed != "" {
			renamed++
			if got, ok := names.Listed(tl.Seed); !ok || got != tl.Name {
				t.Errorf("seed name %s finds %q, want %s", tl.Seed, got, tl.Name)
			}
		}
		if got, _ := names.Listed(tl.Name); got != tl.Name {
			t.Errorf("%s finds %q", tl.Name, got)
		}
	}
	if renamed != 11 {
		t.Errorf("%d tools renamed, want the 11 whose seed names are cut-off sentences or StackRox's", renamed)
	}
}

// A rename must be a new, valid name, and the corrections of a renamed tool stay under
// its seed name.
func TestRenameErrors(t *testing.T) {
	spec, _ := embedded.ReadFile("specs/podman-images.yaml")
	for _, c := range []struct{ corr, want string }{
		{"tools:\n  image-tree:\n    name: list-images\n", `tool "image-tree": name: "list-images" is already the name of tool "list-images"`},
		{"tools:\n  image-tree:\n    name: tree\n  image-exists:\n    name: tree\n", `name: "tree" is already the name of tool`},
		{"tools:\n  image-tree:\n    name: 'a tree'\n", `tool "image-tree": name: "a tree" must be 1-128 characters`},
		{"tools:\n  image-tree:\n    name: layer-tree\n  layer-tree:\n    title: T\n", `tool "layer-tree": the corrections of a renamed tool are under its seed name, "image-tree"`},
	} {
		_, err := Load("podman-images.yaml", spec, []byte(c.corr))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.corr, err, c.want)
		}
	}
	// Another correction may name a renamed tool by either name.
	for _, as := range []string{"layer-tree", "image-tree"} {
		corr := "tools:\n  image-tree:\n    name: layer-tree\n  image-exists:\n    argumentsAs: " + as + "\n"
		if _, err := Load("podman-images.yaml", spec, []byte(corr)); err != nil {
			t.Errorf("argumentsAs %s: %v", as, err)
		}
	}
}

// The corrections the seeds need, checked on the loaded tools (see docs/naftiko.md).
func TestEmbeddedCorrections(t *testing.T) {
	tools := embeddedTools(t)
	count := tools["listimages-returns-all-images-2"]
	if !strings.Contains(count.Description, `{"count":N}`) || strings.Contains(count.Description, "returns all the images") {
		t.Errorf("countimages keeps ListImages' description: %q", count.Description)
	}
	if inv := tools["invalidatescanandregistrycaches-removes-image-metadata-cache"]; inv.ReadOnly {
		t.Error("invalidatescanandregistrycaches is still readOnly; it clears Central's caches")
	}
	for _, n := range []string{"prune-unused-images", "untag-image"} {
		if !tools[n].Destructive {
			t.Errorf("%s must be destructive", n)
		}
	}
	for _, n := range []string{"export-image", "export-multiple-images"} {
		if tools[n].ReadOnly {
			t.Errorf("%s writes a file; must not be readOnly", n)
		}
	}
	// The seed's REST expose doubles /v1; the tools use the consumed paths.
	if p := tools["getimage-returns-image-given-its"].Path; p != "/v1/images/{id}" {
		t.Errorf("getimage path %q", p)
	}
	// Descriptions the seed cuts mid-word are replaced.
	for tool, arg := range map[string]string{"build-image": "t", "import-image": "changes", "list-images": "filters", "prune-unused-images": "filters", "search-images": "filters"} {
		d := tools[tool].Arg(arg).Description
		if strings.HasSuffix(d, " par") || strings.HasSuffix(d, " st") || strings.HasSuffix(d, "filters:") {
			t.Errorf("%s.%s: description still cut: %q", tool, arg, d)
		}
	}
	// Tar bodies and file outputs are local files, not JSON text.
	for tool, role := range map[string]Role{"load-image": RoleInputFile, "import-image": RoleInputFile, "build-image": RoleContextDir, "export-image": RoleOutputFile, "export-multiple-images": RoleOutputFile} {
		if tools[tool].ArgWithRole(role) == nil {
			t.Errorf("%s has no %s argument", tool, role)
		}
	}
	if a := tools["import-image"].Arg("upload"); a.Required {
		t.Error("import-image upload must be optional (url is the alternative)")
	}
	for tool, resp := range map[string]ResponseKind{"image-exists": ResponseExists, "pull-images": ResponseNDJSON, "push-image": ResponseNDJSON, "build-image": ResponseNDJSON, "export-image": ResponseFile, "inspect-image": ResponseJSON} {
		if got := tools[tool].Response; got != resp {
			t.Errorf("%s response %q, want %q", tool, got, resp)
		}
	}
	for tool, v := range map[string]string{"resolve-image-short-name": "5.0.0", "create-image-local-build-context": "5.7.0", "load-image-local-path": "5.7.0", "report-changes-images-s-filesystem-adds": ""} {
		if got := tools[tool].MinVersion; got != v {
			t.Errorf("%s minVersion %q, want %q", tool, got, v)
		}
	}
	// Arguments newer than Podman 4.0, each from the first release whose handler reads it
	// (Podman's pkg/api/handlers at that tag); Podman ignores a parameter it does not know.
	for _, c := range []struct{ tool, arg, v string }{
		{"build-image", "createdannotation", "5.6.0"}, {"build-image", "sourcedateepoch", "5.6.0"},
		{"build-image", "rewritetimestamp", "5.6.0"}, {"build-image", "inheritannotations", "5.6.0"},
		{"build-image", "unsetannotation", "5.6.0"}, {"build-image", "inheritlabels", "5.5.0"},
		{"build-image", "nohosts", "5.4.0"}, {"build-image", "compatvolumes", "5.2.0"},
		{"build-image", "layerLabel", "5.0.0"}, {"build-image", "unsetlabel", "5.0.0"}, {"build-image", "volume", "5.0.0"},
		{"build-image", "timestamp", ""}, {"build-image", "t", ""},
		{"pull-images", "compatMode", "5.0.0"}, {"pull-images", "pullProgress", "6.0.0"}, {"pull-images", "tlsVerify", ""},
		{"prune-unused-images", "buildcache", "5.3.0"}, {"remove-image-local-storage", "ignore", "5.4.0"},
		{"push-image", "retry", "5.0.0"}, {"push-image", "retryDelay", "5.0.0"}, {"push-image", "compressionLevel", "5.0.0"},
		{"push-image", "forceCompressionFormat", "5.0.0"}, {"push-image", "quiet", ""},
	} {
		a := tools[c.tool].Arg(c.arg)
		if a == nil || a.MinVersion != c.v {
			t.Errorf("%s argument %s: %+v, want minVersion %q", c.tool, c.arg, a, c.v)
			continue
		}
		if c.v != "" && !strings.Contains(a.Description, "(Podman "+c.v+"+)") {
			t.Errorf("%s argument %s: the description does not name its version: %q", c.tool, c.arg, a.Description)
		}
	}
	if got := tools["remove-one-more-images-storage"].ErrorsAt; got != "Errors" {
		t.Errorf("remove-one-more-images-storage errorsAt %q: Podman reports failures inside a 200", got)
	}
	del := tools["deleteimage-removes-images-based-query"]
	if del.Confirm == nil || del.Confirm.Argument != "confirm" || del.Confirm.Scope != "query.query" {
		t.Errorf("deleteimages confirm rule %+v", del.Confirm)
	}
	// Dotted names stay flat, on the wire and as arguments.
	if a := tools["listimages-returns-all-images"].Arg("pagination.limit"); a == nil || a.Wire != "pagination.limit" || a.In != "query" || a.Type != "integer" {
		t.Errorf("pagination.limit: %+v", a)
	}
}

// embeddedTools are the built-in tools by their listed names and, for a renamed tool,
// its seed name as well.
func embeddedTools(t *testing.T) map[string]*Tool {
	t.Helper()
	caps, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]*Tool{}
	for _, c := range caps {
		for _, tl := range c.Tools {
			m[tl.Name] = tl
			if tl.Seed != "" {
				m[tl.Seed] = tl
			}
		}
	}
	return m
}

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

func TestLoadProblems(t *testing.T) {
	const cfile = "t.corrections.yaml"
	secondTool := `    - name: get-item
      call: ns.getitem
      with: {id: tools.id}
`
	cases := []struct {
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
			file: cfile, tool: "get-itme", msg: "no such tool"},
		{name: "corrections: unknown argument", corr: "tools:\n  get-item:\n    arguments:\n      idd: {description: x}\n",
			file: cfile, tool: "get-item", field: "arguments.idd", msg: "no such argument"},
		{name: "corrections: unknown role", corr: "tools:\n  get-item:\n    arguments:\n      id: {role: input-fil}\n",
			file: cfile, tool: "get-item", field: "arguments.id.role", msg: `unknown role "input-fil"`},
		{name: "corrections: unknown added role", corr: "tools:\n  get-item:\n    added:\n    - {name: out, type: string, role: output}\n",
			file: cfile, tool: "get-item", field: "added[0].role", msg: `unknown role "output"`},
		{name: "corrections: added without role", corr: "tools:\n  get-item:\n    added:\n    - {name: out, type: string}\n",
			file: cfile, tool: "get-item", field: "added[0].role", msg: "unknown role"},
		{name: "corrections: added twice", corr: "tools:\n  get-item:\n    added:\n    - {name: id, type: string, role: fields}\n",
			file: cfile, tool: "get-item", field: "added[0].name", msg: "already an argument"},
		{name: "corrections: added unknown type", corr: "tools:\n  get-item:\n    added:\n    - {name: f, type: list, role: fields}\n",
			file: cfile, tool: "get-item", field: "added[0].type", msg: `unknown type "list"`},
		{name: "corrections: tool minVersion not a version", corr: "tools:\n  get-item:\n    minVersion: '5.7'\n",
			file: cfile, tool: "get-item", field: "minVersion", msg: `"5.7" is not a version`},
		{name: "corrections: argument minVersion not a version", corr: "tools:\n  get-item:\n    arguments:\n      id: {minVersion: v5}\n",
			file: cfile, tool: "get-item", field: "arguments.id.minVersion", msg: `"v5" is not a version`},
		{name: "corrections: argument minVersion with a default", corr: "tools:\n  get-item:\n    arguments:\n      page.limit: {minVersion: 5.0.0, default: 3}\n",
			file: cfile, tool: "get-item", field: "arguments.page.limit.minVersion", msg: "always sent"},
		{name: "corrections: unknown response", corr: "tools:\n  get-item:\n    response: xml\n",
			file: cfile, tool: "get-item", field: "response", msg: `unknown "xml"`},
		{name: "corrections: file response without output", corr: "tools:\n  get-item:\n    response: file\n",
			file: cfile, tool: "get-item", field: "response", msg: "output-file"},
		{name: "corrections: confirm on a missing argument", corr: "tools:\n  get-item:\n    confirm: {argument: yes}\n",
			file: cfile, tool: "get-item", field: "confirm.argument", msg: "not a boolean argument"},
		{name: "corrections: unknown upstream", corr: "upstream: ftp\n",
			file: cfile, field: "upstream", msg: `unknown "ftp"`},
		{name: "corrections: unknown tool key", corr: "tools:\n  get-item:\n    title: X\n    titel: Y\n",
			file: cfile, tool: "get-item", field: "titel", msg: "field titel not found"},
		{name: "corrections: unknown argument key", corr: "tools:\n  get-item:\n    arguments:\n      id:\n        descripton: x\n",
			file: cfile, tool: "get-item", field: "arguments.id.descripton", msg: "field descripton not found"},
		{name: "corrections: unknown top-level key", corr: "dispaly: X\n",
			file: cfile, field: "dispaly", msg: "field dispaly not found"},
		{name: "corrections: offset not an integer", corr: "tools:\n  get-item:\n    added:\n    - {name: offset, type: string, role: offset}\n",
			file: cfile, tool: "get-item", field: "arguments.offset", msg: "needs type integer"},
		{name: "corrections: two offsets", corr: "tools:\n  get-item:\n    arguments:\n      page.limit: {role: offset}\n    added:\n    - {name: offset, type: integer, role: offset}\n",
			file: cfile, tool: "get-item", field: "arguments", msg: "at most one"},
		{name: "corrections: limit without an upstream offset", corr: "tools:\n  get-item:\n    arguments:\n      page.limit: {role: limit}\n",
			file: cfile, tool: "get-item", field: "arguments.page.limit", msg: "role limit needs"},
		{name: "corrections: argumentsAs names no tool", corr: "tools:\n  get-item:\n    argumentsAs: get-items\n",
			file: cfile, tool: "get-item", field: "argumentsAs", msg: "not another tool"},
		{name: "corrections: wrong value type", corr: "tools:\n  get-item:\n    hints: {readOnly: maybe}\n",
			file: cfile, tool: "get-item", field: "hints.readOnly", msg: "maybe"},
		{name: "corrections: a key of the wrong type", corr: "errorHints:\n  abc: x\n",
			file: cfile, field: "errorHints.abc", msg: "abc"},
		{name: "corrections: unknown key in a list item", corr: "tools:\n  get-item:\n    added:\n    - {name: x, type: string, colour: red}\n",
			file: cfile, tool: "get-item", field: "added[0].colour", msg: "field colour not found"},
	}
	for _, tc := range cases {
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
