package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"os"
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

// listTools returns the tools as a client sees them, and their raw JSON (to see which
// hints are on the wire, not only what the SDK decodes).
func listToolsRaw(t *testing.T, s *Server) (map[string]*mcp.Tool, map[string]map[string]any) {
	t.Helper()
	res, err := s.Session.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	tools := map[string]*mcp.Tool{}
	raw := map[string]map[string]any{}
	for _, tl := range res.Tools {
		tools[tl.Name] = tl
		b, _ := json.Marshal(tl)
		var m map[string]any
		json.Unmarshal(b, &m)
		raw[tl.Name] = m
	}
	if len(tools) != len(res.Tools) {
		t.Fatalf("tools/list: %d tools but %d names", len(res.Tools), len(tools))
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

// imgListed is the answer of list-images.
type imgListed struct {
	Items []map[string]any `json:"items"`
}

func (l imgListed) hasTag(tag string) bool {
	for _, it := range l.Items {
		tags, _ := it["RepoTags"].([]any)
		for _, x := range tags {
			if x == tag {
				return true
			}
		}
	}
	return false
}

func (l imgListed) hasID(id string) bool {
	for _, it := range l.Items {
		if it["Id"] == strings.TrimPrefix(id, "sha256:") {
			return true
		}
	}
	return false
}

func imgList(t *testing.T, s *Server) imgListed {
	t.Helper()
	var l imgListed
	Structured(t, s.MustSucceed(t, "list-images", map[string]any{"all": true, "fields": []string{"Id", "RepoTags"}}), &l)
	return l
}

func imgExists(t *testing.T, s *Server, name string) bool {
	t.Helper()
	var v struct {
		Exists *bool `json:"exists"`
	}
	res := s.MustSucceed(t, "image-exists", map[string]any{"name": name})
	Structured(t, res, &v)
	if v.Exists == nil {
		t.Fatalf("image-exists %s: %s", name, Text(res))
	}
	return *v.Exists
}

// importImage imports the busybox rootfs directly (setup, not under test); reference may be
// empty for a dangling image. It returns the image ID.
func importBusybox(t *testing.T, reference string) string {
	t.Helper()
	f := openOrFail(t, busyboxTar)
	defer f.Close()
	path := "/libpod/images/import"
	if reference != "" {
		path += "?reference=" + url.QueryEscape(reference)
	}
	code, body, err := PodmanRaw("POST", path, f)
	if err != nil || code != 200 {
		t.Fatalf("import %s: %d %s %v", reference, code, body, err)
	}
	var r struct{ Id string }
	json.Unmarshal(body, &r)
	return strings.TrimPrefix(r.Id, "sha256:")
}

// rawRemove removes an image directly, for cleanup.
func removeRaw(name string) {
	PodmanRaw("DELETE", "/libpod/images/"+url.PathEscape(name)+"?force=true", nil)
}

// TestBusyboxScenario runs every JSON operation of the Podman tools against the real
// service, on the busybox image the harness imported, and checks each real result.
func TestBusyboxScenario(t *testing.T) {
	needPodman(t)
	s := StartServer(t, ServerOptions{})
	const repo = "localhost/e2e-json"

	// list-images, narrowed with fields.
	l := imgList(t, s)
	if !l.hasTag(baseImage) {
		t.Fatalf("list-images does not show %s: %+v", baseImage, l.Items)
	}
	for _, it := range l.Items {
		for k := range it {
			if k != "Id" && k != "RepoTags" {
				t.Errorf("fields [Id RepoTags] returned %q too", k)
			}
		}
	}
	var full imgListed
	Structured(t, s.MustSucceed(t, "list-images", map[string]any{"filters": `{"reference":["` + baseImage + `"]}`}), &full)
	if len(full.Items) != 1 || full.Items[0]["Size"] == nil || full.Items[0]["Created"] == nil {
		t.Fatalf("list-images with a reference filter: %+v", full.Items)
	}
	baseID, _ := full.Items[0]["Id"].(string)

	// inspect-image.
	var insp struct {
		Id       string
		RepoTags []string
		Os       string
		Config   struct{ Cmd []string }
	}
	Structured(t, s.MustSucceed(t, "inspect-image", map[string]any{"name": baseImage}), &insp)
	if insp.Id != baseID || len(insp.RepoTags) == 0 || insp.RepoTags[0] != baseImage || insp.Os != "linux" {
		t.Errorf("inspect-image: %+v (list said Id %s)", insp, baseID)
	}
	// By ID, and by short ID.
	Structured(t, s.MustSucceed(t, "inspect-image", map[string]any{"name": baseID[:12]}), &insp)
	if insp.Id != baseID {
		t.Errorf("inspect-image by short ID: %s", insp.Id)
	}

	// image-exists: 204 → true, 404 → false (not an error).
	if !imgExists(t, s, baseImage) {
		t.Errorf("image-exists %s: false", baseImage)
	}
	if imgExists(t, s, "localhost/e2e-json-nope:1") {
		t.Error("image-exists of a missing image: true")
	}

	// history-image: the import's one layer.
	var hist struct {
		Items []struct{ Id, CreatedBy, Comment string }
	}
	Structured(t, s.MustSucceed(t, "history-image", map[string]any{"name": baseImage}), &hist)
	if len(hist.Items) != 1 || hist.Items[0].Id != baseID || !strings.Contains(hist.Items[0].CreatedBy, "ADD file:") || hist.Items[0].Comment != "imported from tarball" {
		t.Errorf("history-image: %+v", hist.Items)
	}

	// image-tree.
	var tree struct{ Tree string }
	Structured(t, s.MustSucceed(t, "image-tree", map[string]any{"name": baseImage}), &tree)
	if !strings.Contains(tree.Tree, "Image ID: "+baseID[:12]) || !strings.Contains(tree.Tree, "Image Layers") || !strings.Contains(tree.Tree, baseImage) {
		t.Errorf("image-tree: %q", tree.Tree)
	}

	// report-changes (served by 4.3.1 despite older notes): the files the layer adds.
	var changes struct {
		Items []struct {
			Path string
			Kind int
		}
	}
	Structured(t, s.MustSucceed(t, "report-changes-images-s-filesystem-adds", map[string]any{"name": baseImage}), &changes)
	added := map[string]int{}
	for _, c := range changes.Items {
		added[c.Path] = c.Kind
	}
	if k, ok := added["/bin/busybox"]; !ok || k != 1 || len(added) != 3 {
		t.Errorf("changes: %+v, want /bin, /bin/busybox, /bin/sh added (Kind 1)", changes.Items)
	}

	// resolve-image-short-name needs Podman 5: a clear error on older services, nothing sent.
	if olderThan(podmanVer, "5.0.0") {
		s.MustFail(t, "resolve-image-short-name", map[string]any{"name": "busybox"},
			"resolve-image-short-name needs Podman 5.0.0 or later; the connected Podman is "+podmanVer, "inspect-image")
	} else {
		// The search registries of the test service's registries.conf (harness), in order.
		var r struct{ Names []string }
		Structured(t, s.MustSucceed(t, "resolve-image-short-name", map[string]any{"name": "e2e-unaliased"}), &r)
		if want := []string{"registry.e2e.test/e2e-unaliased:latest", "quay.e2e.test/e2e-unaliased:latest"}; !slices.Equal(r.Names, want) {
			t.Errorf("resolve-image-short-name: %v, want %v", r.Names, want)
		}
	}

	// tag-image (201, empty body) → a clear success; list shows the tag.
	t.Cleanup(func() { removeRaw(repo + ":1") })
	res := s.MustSucceed(t, "tag-image", map[string]any{"name": baseImage, "repo": repo, "tag": "1"})
	var done struct {
		OK     bool `json:"ok"`
		Status int  `json:"status"`
	}
	Structured(t, res, &done)
	if !done.OK || done.Status != 201 || !strings.Contains(Text(res), "HTTP 201") {
		t.Errorf("tag-image: %s", Text(res))
	}
	if !imgList(t, s).hasTag(repo + ":1") {
		t.Fatalf("list-images does not show the new tag %s:1", repo)
	}
	Structured(t, s.MustSucceed(t, "inspect-image", map[string]any{"name": repo + ":1"}), &insp)
	if insp.Id != baseID {
		t.Errorf("the tag names %s, not the base image", insp.Id)
	}

	// untag-image removes it (and only it).
	s.MustSucceed(t, "untag-image", map[string]any{"name": repo + ":1", "repo": repo, "tag": "1"})
	l = imgList(t, s)
	if l.hasTag(repo + ":1") {
		t.Errorf("list-images still shows %s:1 after untag", repo)
	}
	if !l.hasTag(baseImage) || imgExists(t, s, repo+":1") {
		t.Errorf("untag removed the wrong name")
	}

	// remove-image-local-storage deletes an image.
	rmID := importBusybox(t, repo+"-rm:1")
	t.Cleanup(func() { removeRaw(rmID) })
	var removed struct{ Deleted, Untagged []string }
	Structured(t, s.MustSucceed(t, "remove-image-local-storage", map[string]any{"name": repo + "-rm:1"}), &removed)
	if !inList(removed.Deleted, rmID) || !inList(removed.Untagged, repo+"-rm:1") {
		t.Errorf("remove-image-local-storage: %+v, want %s deleted", removed, rmID)
	}
	if imgExists(t, s, rmID) || imgList(t, s).hasID(rmID) {
		t.Errorf("%s still exists after remove", rmID)
	}

	// remove-one-more-images-storage: several images, `images` repeated in the query.
	id1, id2 := importBusybox(t, repo+"-many:1"), importBusybox(t, repo+"-many:2")
	t.Cleanup(func() { removeRaw(id1); removeRaw(id2) })
	var many struct {
		Deleted, Untagged, Errors []string
		ExitCode                  int
	}
	Structured(t, s.MustSucceed(t, "remove-one-more-images-storage", map[string]any{"images": []string{repo + "-many:1", repo + "-many:2"}}), &many)
	if !inList(many.Deleted, id1) || !inList(many.Deleted, id2) || len(many.Errors) != 0 || many.ExitCode != 0 {
		t.Errorf("remove-one-more-images-storage: %+v, want %s and %s deleted", many, id1, id2)
	}
	if imgExists(t, s, id1) || imgExists(t, s, id2) {
		t.Error("an image is left after remove-one-more-images-storage")
	}
	// Podman answers 200 when some names fail: that is an error, which still says what was removed.
	id3 := importBusybox(t, repo+"-many:3")
	t.Cleanup(func() { removeRaw(id3) })
	s.MustFail(t, "remove-one-more-images-storage", map[string]any{"images": []string{repo + "-many:3", repo + "-nope:9"}},
		"Podman reported errors", repo+"-nope:9: image not known", id3)
	if imgExists(t, s, id3) {
		t.Error("the existing image was not removed along with the missing one")
	}

	// prune-unused-images removes a dangling image (imported without a name) and keeps named ones.
	dangling := importBusybox(t, "")
	t.Cleanup(func() { removeRaw(dangling) })
	if !imgExists(t, s, dangling) {
		t.Fatalf("dangling image %s not there", dangling)
	}
	var pruned struct {
		Items []struct {
			Id   string
			Size int64
		}
	}
	Structured(t, s.MustSucceed(t, "prune-unused-images", nil), &pruned)
	found := false
	for _, p := range pruned.Items {
		found = found || p.Id == dangling
	}
	if !found {
		t.Errorf("prune-unused-images: %+v, want %s removed", pruned.Items, dangling)
	}
	if imgExists(t, s, dangling) {
		t.Error("the dangling image survived prune")
	}
	if !imgExists(t, s, baseImage) {
		t.Fatal("prune removed the named base image")
	}

	// search-images finds a repository pushed to the loopback registry.
	dest := registry + "/e2e-json/busybox:1"
	code, body, err := PodmanRaw("POST", "/libpod/images/"+url.PathEscape(baseImage)+"/push?destination="+url.QueryEscape(dest)+"&tlsVerify=false", nil)
	if err != nil || code != 200 {
		t.Fatalf("push to the loopback registry: %d %s %v", code, body, err)
	}
	var found2 struct {
		Items []struct{ Index, Name string }
	}
	Structured(t, s.MustSucceed(t, "search-images", map[string]any{"term": registry + "/e2e-json", "tlsVerify": false}), &found2)
	if len(found2.Items) != 1 || found2.Items[0].Name != registry+"/e2e-json/busybox" || found2.Items[0].Index != registry {
		t.Errorf("search-images: %+v, want %s/e2e-json/busybox", found2.Items, registry)
	}
	// listTags on the repository.
	var tags struct {
		Items []struct{ Name, Tag string }
	}
	Structured(t, s.MustSucceed(t, "search-images", map[string]any{"term": registry + "/e2e-json/busybox", "tlsVerify": false, "listTags": true}), &tags)
	if len(tags.Items) != 1 || tags.Items[0].Tag != "1" {
		t.Errorf("search-images listTags: %+v", tags.Items)
	}
}

// A Podman error body becomes isError with Podman's own message and the status.
func TestPodmanErrorBody(t *testing.T) {
	needPodman(t)
	s := StartServer(t, ServerOptions{})
	s.MustFail(t, "inspect-image", map[string]any{"name": "localhost/e2e-json-missing:1"},
		"inspect-image: Podman answered HTTP 404 Not Found", "failed to find image localhost/e2e-json-missing:1", "image not known", "list-images")
	s.MustFail(t, "history-image", map[string]any{"name": "localhost/e2e-json-missing:1"}, "HTTP 404", "image not known")
	s.MustFail(t, "tag-image", map[string]any{"name": "localhost/e2e-json-missing:1", "repo": "localhost/x"}, "HTTP 404", "image not known")
	s.MustFail(t, "remove-image-local-storage", map[string]any{"name": "localhost/e2e-json-missing:1"}, "HTTP 404", "image not known")
	s.MustFail(t, "tag-image", map[string]any{"name": baseImage, "repo": "Not A Repo"}, "HTTP ", "invalid reference format")
}

func olderThan(a, b string) bool {
	var x, y [3]int
	fmt.Sscanf(a, "%d.%d.%d", &x[0], &x[1], &x[2])
	fmt.Sscanf(b, "%d.%d.%d", &y[0], &y[1], &y[2])
	for i := range x {
		if x[i] != y[i] {
			return x[i] < y[i]
		}
	}
	return false
}

func inList(list []string, s string) bool {
	for _, x := range list {
		if strings.TrimPrefix(x, "sha256:") == s || x == s {
			return true
		}
	}
	return false
}

func openOrFail(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
