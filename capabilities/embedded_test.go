package capabilities

import (
	"cmp"
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
	caps := Embedded()
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
	caps := Embedded()
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
	caps := Embedded()
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

// Arguments newer than Podman 4.0, each from the first release whose handler reads it
// (Podman's pkg/api/handlers at that tag); Podman ignores a parameter it does not know.
var argumentVersions = []struct{ tool, arg, v string }{
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
}

// Each such argument carries its minVersion, and its description names the version.
func TestEmbeddedArgumentVersions(t *testing.T) {
	tools := embeddedTools(t)
	for _, c := range argumentVersions {
		a := tools[c.tool].Arg(c.arg)
		if a == nil || a.MinVersion != c.v {
			t.Errorf("%s argument %s: %+v, want minVersion %q", c.tool, c.arg, a, c.v)
			continue
		}
		if c.v != "" && !strings.Contains(a.Description, "(Podman "+c.v+"+)") {
			t.Errorf("%s argument %s: the description does not name its version: %q", c.tool, c.arg, a.Description)
		}
	}
}

// embeddedTools are the built-in tools by their listed names and, for a renamed tool,
// its seed name as well.
func embeddedTools(t *testing.T) map[string]*Tool {
	t.Helper()
	caps := Embedded()
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
