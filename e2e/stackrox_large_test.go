package e2e

// Central's large answers under the output budget, its timeouts and MCP cancellation.

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func TestStackRoxLargeAnswers(t *testing.T) {
	fc := StartFakeCentral(t, FakeCentralOptions{Bulk: 5000})
	s := startRox(t, fc, fc.Env(adminToken))
	const budget = 40_000 // the default

	t.Run("GetImage of the 2.3 MB image", func(t *testing.T) {
		res := s.MustSucceed(t, roxGet, map[string]any{"id": nodejsID})
		body, notes := Answer(res), strings.Join(Notices(t, res), "\n")
		if len(body) > budget || !json.Valid([]byte(body)) {
			t.Fatalf("answer is %d bytes (budget %d), valid JSON %v", len(body), budget, json.Valid([]byte(body)))
		}
		for _, w := range []string{"cut", "scan.components", "fields"} {
			if !strings.Contains(notes, w) {
				t.Fatalf("the truncation notice does not mention %q:\n%s", w, notes)
			}
		}
		var got struct {
			ID   string
			Name struct{ FullName string }
			CVEs int
			Scan struct{ Components []json.RawMessage }
		}
		Structured(t, res, &got)
		if got.ID != nodejsID || got.Name.FullName != "quay.io/appcontainers/nodejs:latest" || got.CVEs != 885 || len(got.Scan.Components) == 0 {
			t.Fatalf("structured content lost the image's identity: id %q name %q cves %d components %d", got.ID, got.Name.FullName, got.CVEs, len(got.Scan.Components))
		}
	})
	t.Run("GetImage narrowed with fields", func(t *testing.T) {
		crit := `scan.components.#.vulns.#(severity=="CRITICAL_VULNERABILITY_SEVERITY")#.cve`
		res := s.MustSucceed(t, roxGet, map[string]any{"id": nodejsID, "fields": []any{"id", "name.fullName", crit}})
		body, notes := Answer(res), strings.Join(Notices(t, res), "\n")
		if notes != "" || len(body) > budget {
			t.Fatalf("narrowed answer still cut (%d bytes): %s", len(body), notes)
		}
		var got map[string]any
		Structured(t, res, &got)
		if got["id"] != nodejsID || got["name.fullName"] != "quay.io/appcontainers/nodejs:latest" || !strings.Contains(body, "CVE-") {
			t.Fatalf("narrowed answer: %.500s", body)
		}
	})
	t.Run("ListImages of thousands", func(t *testing.T) {
		res := s.MustSucceed(t, roxList, nil)
		body, notes := Answer(res), strings.Join(Notices(t, res), "\n")
		if len(body) > budget {
			t.Fatalf("answer is %d bytes, budget %d", len(body), budget)
		}
		for _, w := range []string{"images: kept the first", "of 1000 items", "pagination.limit", "query"} {
			if !strings.Contains(notes, w) {
				t.Fatalf("the truncation notice does not mention %q:\n%s", w, notes)
			}
		}
		var got listAnswer
		Structured(t, res, &got)
		if len(got.Images) < 100 || got.Images[0].ID == "" {
			t.Fatalf("kept only %d images", len(got.Images))
		}
		if raw := lastRequest(t, fc, "/v1/images").RawQuery; raw != "" {
			t.Fatalf("list without arguments sent %q", raw)
		}
	})
	t.Run("ListImages narrowed with fields", func(t *testing.T) {
		res := s.MustSucceed(t, roxList, map[string]any{"pagination.limit": 1000, "fields": []any{"cves"}})
		var got listAnswer
		Structured(t, res, &got)
		if len(got.Images) != 1000 {
			t.Fatalf("with fields=[cves] got %d of 1000 images", len(got.Images))
		}
	})
}

func TestStackRoxTimeoutAndCancel(t *testing.T) {
	fc := StartFakeCentral(t, FakeCentralOptions{})
	fc.Hang("/v1/images/cache/invalidate")
	fc.Hang("/v1/imagescount")
	s := startRox(t, fc, fc.Env(adminToken), "--timeout", "1s")

	t.Run("timeout", func(t *testing.T) {
		start := time.Now()
		s.MustFail(t, roxInvalidate, nil, "did not answer within 1s")
		if d := time.Since(start); d > 30*time.Second {
			t.Fatalf("the timed-out call took %s", d)
		}
		waitAbort(t, fc, "/v1/images/cache/invalidate")
	})

	t.Run("MCP cancellation", func(t *testing.T) {
		s2 := startRox(t, fc, fc.Env(adminToken))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := s2.Session.CallTool(ctx, &mcp.CallToolParams{Name: roxCount, Arguments: map[string]any{}})
			done <- err
		}()
		// Cancel once the request is at the fake (its event, not polling).
		waitHangStart(t, fc, "/v1/imagescount")
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled call returned %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the cancelled call did not return")
		}
		waitAbort(t, fc, "/v1/imagescount")
		// The server is still usable.
		s2.MustSucceed(t, roxList, map[string]any{"pagination.limit": 1})
	})
}

// waitHangStart waits until a request for path hangs at the fake (events for other
// hanging paths are passed over).
func waitHangStart(t *testing.T, fc *FakeCentral, path string) {
	t.Helper()
	for {
		select {
		case p := <-fc.HangStarts():
			if p == path {
				return
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("no request for %s reached the fake", path)
		}
	}
}

func waitAbort(t *testing.T, fc *FakeCentral, path string) {
	t.Helper()
	select {
	case p := <-fc.HangAborts():
		if p != path {
			t.Fatalf("aborted request for %s, want %s", p, path)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("the fake never saw the request for %s aborted", path)
	}
}
