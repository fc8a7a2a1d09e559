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
