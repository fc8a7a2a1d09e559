package e2e

// Setting up and checking images in the test Podman, directly or through the tools.

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
)

// imgListed is the answer of list-images.
type imgListed struct {
	Items []map[string]any `json:"items"`
}

// hasTag: some listed image has the name tag.
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

// hasID: some listed image has the ID id (with or without sha256:).
func (l imgListed) hasID(id string) bool {
	for _, it := range l.Items {
		if it["Id"] == strings.TrimPrefix(id, "sha256:") {
			return true
		}
	}
	return false
}

// imgList lists every image with its ID and names, through list-images.
func imgList(t *testing.T, s *Server) imgListed {
	t.Helper()
	var l imgListed
	Structured(t, s.MustSucceed(t, "list-images", map[string]any{"all": true, "fields": []string{"Id", "RepoTags"}}), &l)
	return l
}

// imgExists asks image-exists whether name exists.
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

// importBusybox imports the busybox rootfs directly (setup, not under test); reference may be
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

// removeRaw removes an image directly, for cleanup.
func removeRaw(name string) {
	PodmanRaw("DELETE", "/libpod/images/"+url.PathEscape(name)+"?force=true", nil)
}

// olderThan compares two versions a.b.c.
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

// inList: s is in list, with or without a sha256: prefix.
func inList(list []string, s string) bool {
	for _, x := range list {
		if strings.TrimPrefix(x, "sha256:") == s || x == s {
			return true
		}
	}
	return false
}

// openOrFail opens a file or fails the test.
func openOrFail(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// inspectID is the image ID Podman reports for name, or "" when it has no such image.
func inspectID(t *testing.T, name string) string {
	t.Helper()
	code, body, err := PodmanRaw("GET", "/libpod/images/"+url.PathEscape(name)+"/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	if code == 404 {
		return ""
	}
	var v struct{ Id string }
	if err := json.Unmarshal(body, &v); err != nil || code != 200 {
		t.Fatalf("inspect %s: %d %s", name, code, body)
	}
	return strings.TrimPrefix(v.Id, "sha256:")
}

// removeImage removes an image by name, ignoring "not there".
func removeImage(t *testing.T, name string) {
	t.Helper()
	code, body, err := PodmanRaw("DELETE", "/libpod/images/"+url.PathEscape(name)+"?force=true", nil)
	if err != nil || (code != 200 && code != 404) {
		t.Fatalf("remove %s: %d %s %v", name, code, body, err)
	}
}

// tagImage adds repo:tag to an image.
func tagImage(t *testing.T, name, repo, tag string) {
	t.Helper()
	code, body, err := PodmanRaw("POST", "/libpod/images/"+url.PathEscape(name)+"/tag?repo="+url.QueryEscape(repo)+"&tag="+tag, nil)
	if err != nil || code != 201 {
		t.Fatalf("tag %s: %d %s %v", name, code, body, err)
	}
}

// tagBase gives the base image one more name, repo:tag.
func tagBase(t *testing.T, repo, tag string) string {
	t.Helper()
	code, body, err := PodmanRaw("POST", "/libpod/images/"+url.PathEscape(baseImage)+"/tag?repo="+url.QueryEscape(repo)+"&tag="+url.QueryEscape(tag), nil)
	if err != nil || code/100 != 2 {
		t.Fatalf("tag %s:%s: %d %s %v", repo, tag, code, body, err)
	}
	name := repo + ":" + tag
	t.Cleanup(func() { untagName(name) })
	return name
}

// untagName removes one name of an image directly, for cleanup.
func untagName(name string) {
	repo, tag, _ := strings.Cut(name, ":")
	PodmanRaw("POST", "/libpod/images/"+url.PathEscape(name)+"/untag?repo="+url.QueryEscape(repo)+"&tag="+url.QueryEscape(tag), nil)
}

// imageExists asks the test Podman directly whether name exists.
func imageExists(t *testing.T, name string) bool {
	t.Helper()
	code, body, err := PodmanRaw("GET", "/libpod/images/"+url.PathEscape(name)+"/exists", nil)
	if err != nil || (code != 204 && code != 404) {
		t.Fatalf("exists %s: %d %s %v", name, code, body, err)
	}
	return code == 204
}
