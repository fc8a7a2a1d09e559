package e2e

import (
	"testing"
)

// Podman 4.3.1 removes EVERY image when remove-many gets no image names, whatever `all`
// says. Such calls are refused before anything is sent; the base image must survive.
func TestRemoveManyNeedsImagesOrAll(t *testing.T) {
	needPodman(t)
	s := StartServer(t, ServerOptions{})
	for _, args := range []map[string]any{
		nil,
		{"images": []any{}},
		{"all": false},
		{"images": []any{}, "all": false, "force": true},
	} {
		s.MustFail(t, "remove-one-more-images-storage", args, `give one of "images", "all"`)
	}
	if code, body, err := PodmanRaw("GET", "/libpod/images/"+baseImage+"/exists", nil); err != nil || code != 204 {
		t.Fatalf("the base image is gone after refused calls: %d %s %v", code, body, err)
	}

	// With names, the call goes through and removes just those.
	if code, body, err := PodmanRaw("POST", "/libpod/images/"+baseImage+"/tag?repo=localhost/remove-scope&tag=1", nil); err != nil || code != 201 {
		t.Fatalf("tag: %d %s %v", code, body, err)
	}
	res := s.MustSucceed(t, "remove-one-more-images-storage", map[string]any{"images": []any{"localhost/remove-scope:1"}})
	var out struct{ Untagged []string }
	Structured(t, res, &out)
	if len(out.Untagged) != 1 || out.Untagged[0] != "localhost/remove-scope:1" {
		t.Fatalf("untagged %v, want just localhost/remove-scope:1: %s", out.Untagged, Text(res))
	}
	if code, _, _ := PodmanRaw("GET", "/libpod/images/"+baseImage+"/exists", nil); code != 204 {
		t.Fatal("the base image went with the named one")
	}
}
