package e2e

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

// TestBusyboxScenario runs every JSON operation of the Podman tools against the real
// service, on the busybox image the harness imported, and checks each real result.
func TestBusyboxScenario(t *testing.T) {
	needPodman(t)
	s := StartServer(t, ServerOptions{})
	baseID := scenarioList(t, s)
	scenarioRead(t, s, baseID)
	scenarioTag(t, s, baseID)
	scenarioRemove(t, s)
	scenarioPrune(t, s)
	scenarioSearch(t, s)
}

// jsonRepo is the repository the scenario tags and imports under.
const jsonRepo = "localhost/e2e-json"

// scenarioList: list-images narrowed with fields, then filtered; the base image's ID.
func scenarioList(t *testing.T, s *Server) string {
	t.Helper()
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
	return baseID
}

// scenarioRead: the read-only tools on the base image.
func scenarioRead(t *testing.T, s *Server, baseID string) {
	t.Helper()
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
}

// scenarioTag: tag-image, then untag-image.
func scenarioTag(t *testing.T, s *Server, baseID string) {
	t.Helper()
	var insp struct{ Id string }
	// tag-image (201, empty body) → a clear success; list shows the tag.
	t.Cleanup(func() { removeRaw(jsonRepo + ":1") })
	res := s.MustSucceed(t, "tag-image", map[string]any{"name": baseImage, "repo": jsonRepo, "tag": "1"})
	var done struct {
		OK     bool `json:"ok"`
		Status int  `json:"status"`
	}
	Structured(t, res, &done)
	if !done.OK || done.Status != 201 || !strings.Contains(Text(res), "HTTP 201") {
		t.Errorf("tag-image: %s", Text(res))
	}
	if !imgList(t, s).hasTag(jsonRepo + ":1") {
		t.Fatalf("list-images does not show the new tag %s:1", jsonRepo)
	}
	Structured(t, s.MustSucceed(t, "inspect-image", map[string]any{"name": jsonRepo + ":1"}), &insp)
	if insp.Id != baseID {
		t.Errorf("the tag names %s, not the base image", insp.Id)
	}

	// untag-image removes it (and only it).
	s.MustSucceed(t, "untag-image", map[string]any{"name": jsonRepo + ":1", "repo": jsonRepo, "tag": "1"})
	l := imgList(t, s)
	if l.hasTag(jsonRepo + ":1") {
		t.Errorf("list-images still shows %s:1 after untag", jsonRepo)
	}
	if !l.hasTag(baseImage) || imgExists(t, s, jsonRepo+":1") {
		t.Errorf("untag removed the wrong name")
	}
}

// scenarioRemove: remove-image-local-storage and remove-one-more-images-storage.
func scenarioRemove(t *testing.T, s *Server) {
	t.Helper()
	// remove-image-local-storage deletes an image.
	rmID := importBusybox(t, jsonRepo+"-rm:1")
	t.Cleanup(func() { removeRaw(rmID) })
	var removed struct{ Deleted, Untagged []string }
	Structured(t, s.MustSucceed(t, "remove-image-local-storage", map[string]any{"name": jsonRepo + "-rm:1"}), &removed)
	if !inList(removed.Deleted, rmID) || !inList(removed.Untagged, jsonRepo+"-rm:1") {
		t.Errorf("remove-image-local-storage: %+v, want %s deleted", removed, rmID)
	}
	if imgExists(t, s, rmID) || imgList(t, s).hasID(rmID) {
		t.Errorf("%s still exists after remove", rmID)
	}

	// remove-one-more-images-storage: several images, `images` repeated in the query.
	id1, id2 := importBusybox(t, jsonRepo+"-many:1"), importBusybox(t, jsonRepo+"-many:2")
	t.Cleanup(func() { removeRaw(id1); removeRaw(id2) })
	var many struct {
		Deleted, Untagged, Errors []string
		ExitCode                  int
	}
	Structured(t, s.MustSucceed(t, "remove-one-more-images-storage", map[string]any{"images": []string{jsonRepo + "-many:1", jsonRepo + "-many:2"}}), &many)
	if !inList(many.Deleted, id1) || !inList(many.Deleted, id2) || len(many.Errors) != 0 || many.ExitCode != 0 {
		t.Errorf("remove-one-more-images-storage: %+v, want %s and %s deleted", many, id1, id2)
	}
	if imgExists(t, s, id1) || imgExists(t, s, id2) {
		t.Error("an image is left after remove-one-more-images-storage")
	}
	// Podman answers 200 when some names fail: that is an error, which still says what was removed.
	id3 := importBusybox(t, jsonRepo+"-many:3")
	t.Cleanup(func() { removeRaw(id3) })
	s.MustFail(t, "remove-one-more-images-storage", map[string]any{"images": []string{jsonRepo + "-many:3", jsonRepo + "-nope:9"}},
		"Podman reported errors", jsonRepo+"-nope:9: image not known", id3)
	if imgExists(t, s, id3) {
		t.Error("the existing image was not removed along with the missing one")
	}
}

// scenarioPrune: prune-unused-images removes a dangling image and keeps named ones.
func scenarioPrune(t *testing.T, s *Server) {
	t.Helper()
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
}

// scenarioSearch: search-images finds a repository pushed to the loopback registry.
func scenarioSearch(t *testing.T, s *Server) {
	t.Helper()
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
