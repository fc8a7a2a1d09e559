package e2e

// What tools/list says of each tool: titles, the four hints, input schemas.

import (
	"encoding/json"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The final title and all four hints of every tool, as the corrections files set them.
// A change here must be deliberate (and the tools table of docs/tools.md follows: TestDocsToolsTable).
var wantAnnotations = []struct {
	name, title                                  string
	readOnly, destructive, idempotent, openWorld bool
}{
	{"build-image", "Build an image", false, false, false, true},
	{"export-multiple-images", "Export images to a file", false, false, false, false},
	{"import-image", "Import a rootfs tarball", false, false, false, true},
	{"list-images", "List images", true, false, true, false},
	{"load-image", "Load images from a file", false, false, true, false},
	{"prune-unused-images", "Prune unused images", false, true, true, false},
	{"pull-images", "Pull an image", false, false, true, true},
	{"remove-images", "Remove images", false, true, true, false},
	{"copy-image-to-host", "Copy an image to another host", false, false, false, true},
	{"search-images", "Search a registry", true, false, true, true},
	{"remove-image-local-storage", "Remove an image", false, true, true, false},
	{"list-image-changes", "Show an image's filesystem changes", true, false, true, false},
	{"image-exists", "Check whether an image exists", true, false, true, false},
	{"export-image", "Export an image to a file", false, false, false, false},
	{"history-image", "Show an image's history", true, false, true, false},
	{"inspect-image", "Inspect an image", true, false, true, false},
	{"push-image", "Push an image", false, false, true, true},
	{"resolve-image-short-name", "Resolve a short image name", true, false, true, false},
	{"tag-image", "Tag an image", false, false, true, false},
	{"image-tree", "Show an image's layer tree", true, false, true, false},
	{"untag-image", "Untag an image", false, true, true, false},
	{"build-image-from-host", "Build on the Podman host", false, false, false, true},
	{"load-image-from-host", "Load from the Podman host", false, false, true, false},
	{"stackrox-list-images", "List StackRox images", true, false, true, false},
	{"stackrox-delete-images", "Delete StackRox images", false, true, true, false},
	{"stackrox-invalidate-caches", "Invalidate StackRox caches", false, false, true, false},
	{"stackrox-scan-image", "Scan an image with StackRox", false, false, false, true},
	{"stackrox-get-image", "Get a StackRox image", true, false, true, false},
	{"stackrox-count-images", "Count StackRox images", true, false, true, false},
}

// listToolsRaw returns the tools as a client sees them, and their raw JSON (to see which
// hints are on the wire, not only what the SDK decodes).
func listToolsRaw(t *testing.T, s *Server) (map[string]*mcp.Tool, map[string]map[string]any) {
	t.Helper()
	listed := listTools(t, s)
	tools := toolsByName(listed)
	raw := map[string]map[string]any{}
	for _, tl := range listed {
		b, _ := json.Marshal(tl)
		var m map[string]any
		json.Unmarshal(b, &m)
		raw[tl.Name] = m
	}
	if len(tools) != len(listed) {
		t.Fatalf("tools/list: %d tools but %d names", len(listed), len(tools))
	}
	sameToolNames(t, "tools/list", slices.Collect(maps.Keys(tools)))
	return tools, raw
}

func TestToolAnnotations(t *testing.T) {
	s := StartServer(t, ServerOptions{})
	tools, raw := listToolsRaw(t, s)
	var tableNames []string
	for _, w := range wantAnnotations {
		tableNames = append(tableNames, w.name)
	}
	sameToolNames(t, "the annotations table", tableNames)
	for _, w := range wantAnnotations {
		tl := tools[w.name]
		if tl == nil {
			t.Errorf("%s: not listed", w.name)
			continue
		}
		a := tl.Annotations
		if a == nil {
			t.Errorf("%s: no annotations", w.name)
			continue
		}
		if tl.Title != w.title || a.Title != "" { // annotations.title would only repeat it
			t.Errorf("%s: title %q / annotations.title %q, want %q", w.name, tl.Title, a.Title, w.title)
		}
		if tl.Description == "" {
			t.Errorf("%s: no description", w.name)
		}
		ann, _ := raw[w.name]["annotations"].(map[string]any)
		for k, want := range map[string]bool{"readOnlyHint": w.readOnly, "destructiveHint": w.destructive, "idempotentHint": w.idempotent, "openWorldHint": w.openWorld} {
			got, present := ann[k]
			if !present {
				t.Errorf("%s: %s is not on the wire (all four hints must be explicit)", w.name, k)
			} else if got != want {
				t.Errorf("%s: %s = %v, want %v", w.name, k, got, want)
			}
		}
	}
}

func TestToolSchemas(t *testing.T) {
	s := StartServer(t, ServerOptions{})
	_, raw := listToolsRaw(t, s)
	cases := []struct {
		tool     string
		props    []string
		required []string
	}{
		{"inspect-image", []string{"name"}, []string{"name"}},
		{"list-images", []string{"all", "fields", "filters", "offset"}, nil},
		{"tag-image", []string{"name", "repo", "tag"}, []string{"name", "repo"}},
		{"remove-images", []string{"all", "force", "ignore", "images", "lookupManifest"}, nil},
		{"search-images", []string{"filters", "limit", "listTags", "offset", "term", "tlsVerify"}, nil},
		{"stackrox-list-images", []string{"fields", "pagination.limit", "pagination.offset", "pagination.sort_option.field", "pagination.sort_option.reversed", "query"}, nil},
		{"stackrox-delete-images", []string{"confirm", "query.pagination.limit", "query.pagination.offset", "query.pagination.sort_option.field", "query.pagination.sort_option.reversed", "query.query"}, nil},
	}
	for _, tc := range cases {
		schema, _ := raw[tc.tool]["inputSchema"].(map[string]any)
		props, _ := schema["properties"].(map[string]any)
		var names []string
		for n := range props {
			names = append(names, n)
		}
		sort.Strings(names)
		if strings.Join(names, " ") != strings.Join(tc.props, " ") {
			t.Errorf("%s: properties %v, want %v", tc.tool, names, tc.props)
		}
		var req []string
		if r, ok := schema["required"].([]any); ok {
			for _, x := range r {
				req = append(req, x.(string))
			}
		}
		sort.Strings(req)
		if strings.Join(req, " ") != strings.Join(tc.required, " ") {
			t.Errorf("%s: required %v, want %v", tc.tool, req, tc.required)
		}
		if _, extra := schema["additionalProperties"]; schema["type"] != "object" || extra {
			t.Errorf("%s: schema %v", tc.tool, schema)
		}
	}
	lim := raw["stackrox-list-images"]["inputSchema"].(map[string]any)["properties"].(map[string]any)["pagination.limit"].(map[string]any)
	if lim["type"] != "integer" || lim["description"] == nil {
		t.Errorf("pagination.limit: %v", lim)
	}
}
