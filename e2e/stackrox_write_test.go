package e2e

// The StackRox tools that change Central: scan, cache invalidation and delete (a dry run
// unless confirmed), under each token role.

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestStackRoxWriteTools(t *testing.T) {
	fc := StartFakeCentral(t, FakeCentralOptions{})
	s := startRox(t, fc, fc.Env(adminToken))
	roxScanSubtests(t, s, fc)
	roxDeleteSubtests(t, s, fc)
	t.Run("a read-only token cannot scan", func(t *testing.T) {
		r := startRox(t, fc, fc.Env(readToken))
		r.MustFail(t, roxScan, map[string]any{"body": map[string]any{"imageName": "nginx"}},
			`not authorized: "READ_WRITE_ACCESS" for "Image"`, "HTTP 403", "role")
		r.MustFail(t, roxDelete, map[string]any{"query.query": "Image:x", "confirm": true}, "HTTP 403")
		r.MustFail(t, roxInvalidate, nil, "HTTP 403")
	})
	t.Run("a bad token", func(t *testing.T) {
		r := startRox(t, fc, fc.Env("not-a-token"))
		r.MustFail(t, roxList, nil, "token validation failed", "HTTP 401", "ROX_API_TOKEN")
	})
}

// roxScanSubtests: scan-image sends its body as JSON and reports Central's errors;
// invalidate-caches is a GET.
func roxScanSubtests(t *testing.T, s *Server, fc *FakeCentral) {
	t.Run("scan", func(t *testing.T) {
		var got struct{ ID string }
		Structured(t, s.MustSucceed(t, roxScan, map[string]any{"body": map[string]any{"imageName": "docker.io/library/nginx:1.21.6", "force": true}}), &got)
		if got.ID != nginx121ID {
			t.Fatalf("scan answered %+v", got)
		}
		req := lastRequest(t, fc, "/v1/images/scan")
		if req.Method != "POST" || req.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("scan sent %s with Content-Type %q", req.Method, req.Header.Get("Content-Type"))
		}
		var body map[string]any
		if err := json.Unmarshal(req.Body, &body); err != nil || body["imageName"] != "docker.io/library/nginx:1.21.6" || body["force"] != true {
			t.Fatalf("scan body %s (%v)", req.Body, err)
		}
	})
	t.Run("scan 400", func(t *testing.T) {
		s.MustFail(t, roxScan, map[string]any{"body": map[string]any{"imageName": ""}}, "image name must be specified: invalid arguments", "HTTP 400")
	})
	t.Run("scan that fails", func(t *testing.T) {
		s.MustFail(t, roxScan, map[string]any{"body": map[string]any{"imageName": "nginx:bad"}}, "scan could not be completed for image nginx:bad", "HTTP 500")
	})
	t.Run("invalidate", func(t *testing.T) {
		s.MustSucceed(t, roxInvalidate, nil)
		if m := lastRequest(t, fc, "/v1/images/cache/invalidate").Method; m != "GET" {
			t.Fatalf("invalidate sent %s", m)
		}
	})
}

// roxDeleteSubtests: delete-images is a dry run unless confirmed, and refuses a blank
// scope without sending anything.
func roxDeleteSubtests(t *testing.T, s *Server, fc *FakeCentral) {
	t.Run("delete without confirm is a dry run", func(t *testing.T) {
		before := fc.ImageCount()
		res := s.MustSucceed(t, roxDelete, map[string]any{"query.query": "Image:docker.io/library/nginx"})
		if txt := Text(res); !strings.Contains(txt, "DRY RUN") || !strings.Contains(txt, "2 images") || !strings.Contains(txt, "confirm=true") {
			t.Fatalf("dry run result does not say so plainly:\n%s", txt)
		}
		if fc.ImageCount() != before {
			t.Fatalf("a dry run deleted images: %d → %d", before, fc.ImageCount())
		}
		if raw := lastRequest(t, fc, "/v1/images").RawQuery; strings.Contains(raw, "confirm=true") || !strings.Contains(raw, "query.query=Image%3Adocker.io%2Flibrary%2Fnginx") {
			t.Fatalf("dry run sent %q", raw)
		}
	})
	for _, args := range []map[string]any{
		{},
		{"query.query": ""},
		{"query.query": "   "},
		{"query.query": "", "confirm": false},
		{"query.pagination.limit": 5},
	} {
		t.Run("delete refuses a blank scope", func(t *testing.T) {
			n := len(fc.Requests())
			s.MustFail(t, roxDelete, args, "refused", "ALL images", "confirm=true")
			if len(fc.Requests()) != n {
				t.Fatalf("a refused delete (%v) still sent a request", args)
			}
		})
	}
	t.Run("delete with confirm deletes", func(t *testing.T) {
		before := fc.ImageCount()
		var got struct {
			NumDeleted int
			DryRun     bool
		}
		res := s.MustSucceed(t, roxDelete, map[string]any{"query.query": "Image:docker.io/library/nginx+Image Tag:1.25", "confirm": true})
		Structured(t, res, &got)
		if got.NumDeleted != 1 || got.DryRun || fc.ImageCount() != before-1 {
			t.Fatalf("delete answered %+v; images %d → %d", got, before, fc.ImageCount())
		}
		if strings.Contains(Text(res), "DRY RUN") {
			t.Fatalf("a confirmed delete says dry run: %s", Text(res))
		}
	})
	t.Run("delete of all images when confirmed", func(t *testing.T) {
		var got struct{ NumDeleted int }
		before := fc.ImageCount()
		Structured(t, s.MustSucceed(t, roxDelete, map[string]any{"query.query": "", "confirm": true}), &got)
		if got.NumDeleted != before || fc.ImageCount() != 0 {
			t.Fatalf("deleted %d of %d; %d left", got.NumDeleted, before, fc.ImageCount())
		}
	})
}
