package e2e

// End-to-end tests of the six StackRox tools through the built binary, against the fake
// Central of fakecentral_test.go.

import (
	"encoding/json"
	"strings"
	"testing"
)

const (
	roxList       = "stackrox-list-images"
	roxCount      = "stackrox-count-images"
	roxGet        = "stackrox-get-image"
	roxScan       = "stackrox-scan-image"
	roxDelete     = "stackrox-delete-images"
	roxInvalidate = "stackrox-invalidate-caches"

	nginx121ID = "sha256:2bcabc23b45489fb0885d69a06ba1d648aeda973fae7bb981bafbb884165e514"
	nodejsID   = "sha256:185023b6c9780f23a3aeca06e2be1560b532d2deebeadfecfb669c574b25daba"
)

func startRox(t *testing.T, fc *FakeCentral, env []string, args ...string) *Server {
	t.Helper()
	return StartServer(t, ServerOptions{NoPod: true, Env: env, Args: args})
}

// lastRequest is the last request the fake received for path.
func lastRequest(t *testing.T, fc *FakeCentral, path string) RecordedRequest {
	t.Helper()
	reqs := fc.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		if reqs[i].Path == path {
			return reqs[i]
		}
	}
	t.Fatalf("the fake Central got no request for %s (got %d requests)", path, len(reqs))
	return RecordedRequest{}
}

type listAnswer struct {
	Images []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"images"`
}

func TestStackRoxReadTools(t *testing.T) {
	fc := StartFakeCentral(t, FakeCentralOptions{})
	s := startRox(t, fc, fc.Env(adminToken))

	t.Run("list", func(t *testing.T) {
		var got listAnswer
		Structured(t, s.MustSucceed(t, roxList, map[string]any{"query": "Image:docker.io/library/nginx"}), &got)
		if len(got.Images) != 2 {
			t.Fatalf("got %d images, want the 2 nginx images: %+v", len(got.Images), got)
		}
	})
	t.Run("plus is AND and travels as %2B", func(t *testing.T) {
		var got listAnswer
		res := s.MustSucceed(t, roxList, map[string]any{"query": "Image:docker.io/library/nginx+Image Tag:1.25"})
		Structured(t, res, &got)
		if len(got.Images) != 1 || got.Images[0].Name != "docker.io/library/nginx:1.25" {
			t.Fatalf("got %+v, want only docker.io/library/nginx:1.25", got)
		}
		raw := lastRequest(t, fc, "/v1/images").RawQuery
		if !strings.Contains(raw, "%2B") || strings.Contains(raw, "+") {
			t.Fatalf("raw query %q: the + of the search must be sent as %%2B", raw)
		}
		if !strings.Contains(raw, "Image%20Tag") {
			t.Fatalf("raw query %q: a space should travel as %%20", raw)
		}
	})
	t.Run("pagination and sort under the spec's snake_case names", func(t *testing.T) {
		var got listAnswer
		res := s.MustSucceed(t, roxList, map[string]any{"pagination.limit": 1, "pagination.offset": 1,
			"pagination.sort_option.field": "Image", "pagination.sort_option.reversed": true})
		Structured(t, res, &got)
		// Names descending: quay.io/…/wordpress, quay.io/…/nodejs, docker.io/…; offset 1 → nodejs.
		if len(got.Images) != 1 || got.Images[0].ID != nodejsID {
			t.Fatalf("got %+v, want just the nodejs image", got)
		}
		raw := lastRequest(t, fc, "/v1/images").RawQuery
		if !strings.Contains(raw, "pagination.sort_option.reversed=true") || !strings.Contains(raw, "pagination.limit=1") {
			t.Fatalf("raw query %q", raw)
		}
	})
	t.Run("count", func(t *testing.T) {
		var got struct{ Count int }
		Structured(t, s.MustSucceed(t, roxCount, map[string]any{"query": "Severity:CRITICAL"}), &got)
		if got.Count != 2 {
			t.Fatalf("count of images with a critical CVE = %d, want 2", got.Count)
		}
		Structured(t, s.MustSucceed(t, roxCount, nil), &got)
		if got.Count != 4 {
			t.Fatalf("count of all = %d, want 4", got.Count)
		}
	})
	t.Run("get", func(t *testing.T) {
		var got struct {
			ID   string
			Name struct{ FullName string }
			Scan struct{ Components []json.RawMessage }
		}
		Structured(t, s.MustSucceed(t, roxGet, map[string]any{"id": nginx121ID}), &got)
		if got.ID != nginx121ID || got.Name.FullName != "docker.io/library/nginx:1.21.6" || len(got.Scan.Components) != 3 {
			t.Fatalf("got %+v", got)
		}
		if p := lastRequest(t, fc, "/v1/images/"+nginx121ID).Method; p != "GET" {
			t.Fatalf("method %s", p)
		}
	})
	t.Run("get 404", func(t *testing.T) {
		s.MustFail(t, roxGet, map[string]any{"id": "abc"}, `image with id "sha256:abc" does not exist: not found`, "HTTP 404")
	})
	t.Run("get escapes the id as one segment", func(t *testing.T) {
		s.MustFail(t, roxGet, map[string]any{"id": "../imagescount"}, "HTTP 404")
		lastRequest(t, fc, "/v1/images/..%2Fimagescount")
	})
	t.Run("a read-only token lists", func(t *testing.T) {
		r := startRox(t, fc, fc.Env(readToken))
		r.MustSucceed(t, roxCount, nil)
	})
}

func TestStackRoxToolAnnotations(t *testing.T) {
	s := StartServer(t, ServerOptions{NoPod: true})
	seen := toolsByName(listTools(t, s))
	for _, name := range []string{roxList, roxCount, roxGet, roxScan, roxDelete, roxInvalidate} {
		if seen[name] == nil {
			t.Fatalf("tool %s is not listed", name)
		}
	}
	if a := seen[roxInvalidate].Annotations; a.ReadOnlyHint {
		t.Errorf("%s is listed read-only, but it changes Central's state", roxInvalidate)
	}
	if a := seen[roxDelete].Annotations; a.ReadOnlyHint || a.DestructiveHint == nil || !*a.DestructiveHint {
		t.Errorf("%s must be destructive and not read-only: %+v", roxDelete, a)
	}
	for _, name := range []string{roxList, roxCount, roxGet} {
		if !seen[name].Annotations.ReadOnlyHint {
			t.Errorf("%s should be read-only", name)
		}
	}
	if d := seen[roxCount].Description; !strings.Contains(d, "Count") || strings.Contains(d, "returns all the images") {
		t.Errorf("count tool description is the seed's copy of ListImages: %q", d)
	}
	// Unconfigured: every StackRox tool says what to set.
	s.MustFail(t, roxList, nil, "ROX_ENDPOINT", "ROX_API_TOKEN")
}
