package e2e

// End-to-end tests of the six StackRox tools through the built binary, against the fake
// Central of fakecentral_test.go.

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
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

func TestStackRoxWriteTools(t *testing.T) {
	fc := StartFakeCentral(t, FakeCentralOptions{})
	s := startRox(t, fc, fc.Env(adminToken))

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

func TestStackRoxToolAnnotations(t *testing.T) {
	s := StartServer(t, ServerOptions{NoPod: true})
	res, err := s.Session.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]*mcp.Tool{}
	for _, tl := range res.Tools {
		seen[tl.Name] = tl
	}
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

func TestStackRoxConnection(t *testing.T) {
	fc := StartFakeCentral(t, FakeCentralOptions{})
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte("Bearer "+adminToken+"\n"), 0o600)
	emptyFile := filepath.Join(dir, "empty")
	os.WriteFile(emptyFile, nil, 0o600)
	ep := "ROX_ENDPOINT=" + fc.Addr
	ca := "ROX_CA_CERT_FILE=" + fc.CAFile
	_, port, _ := strings.Cut(fc.Addr, ":")

	cases := []struct {
		name string
		env  []string
		args []string
		want []string // substrings of the error; none: success
	}{
		{"raw token", []string{ep, ca, "ROX_API_TOKEN=" + adminToken}, nil, nil},
		{"token already prefixed", []string{ep, ca, "ROX_API_TOKEN=Bearer " + adminToken}, nil, nil},
		{"seed's STACKROX_API_KEY", []string{ep, ca, "STACKROX_API_KEY=" + adminToken}, nil, nil},
		{"token file", []string{ep, ca, "ROX_API_TOKEN_FILE=" + tokenFile}, nil, nil},
		{"token file flag and endpoint flag", []string{ca}, []string{"--rox-endpoint", fc.Addr, "--rox-api-token-file", tokenFile}, nil},
		{"https URL endpoint", []string{"ROX_ENDPOINT=https://127.0.0.1:" + port + "/", ca, "ROX_API_TOKEN=" + adminToken}, nil, nil},
		{"server name", []string{"ROX_ENDPOINT=127.0.0.1:" + port, ca, "ROX_SERVER_NAME=central.stackrox", "ROX_API_TOKEN=" + adminToken}, nil, nil},
		{"insecure without CA", []string{ep, "ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY=true", "ROX_API_TOKEN=" + adminToken}, nil, nil},
		{"insecure flag", []string{ep, "ROX_API_TOKEN=" + adminToken}, []string{"--rox-insecure-skip-tls-verify"}, nil},
		{"no CA: refused", []string{ep, "ROX_API_TOKEN=" + adminToken}, nil, []string{"certificate", "unknown authority", "ROX_CA_CERT_FILE"}},
		{"wrong server name: refused", []string{ep, ca, "ROX_SERVER_NAME=other.example", "ROX_API_TOKEN=" + adminToken}, nil, []string{"certificate", "other.example", "ROX_SERVER_NAME"}},
		{"endpoint with a path", []string{"ROX_ENDPOINT=" + fc.Addr + "/v1", ca, "ROX_API_TOKEN=" + adminToken}, nil, []string{"ROX_ENDPOINT", "without a path"}},
		{"plain http endpoint", []string{"ROX_ENDPOINT=http://" + fc.Addr, ca, "ROX_API_TOKEN=" + adminToken}, nil, []string{"ROX_ENDPOINT", "https"}},
		{"unreadable CA file", []string{ep, "ROX_CA_CERT_FILE=" + filepath.Join(dir, "missing.pem"), "ROX_API_TOKEN=" + adminToken}, nil, []string{"ROX_CA_CERT_FILE", "missing.pem", "no such file"}},
		{"CA file without PEM", []string{ep, "ROX_CA_CERT_FILE=" + tokenFile, "ROX_API_TOKEN=" + adminToken}, nil, []string{"ROX_CA_CERT_FILE", "no PEM certificate"}},
		{"missing token", []string{ep, ca}, nil, []string{"ROX_API_TOKEN", "no StackRox API token"}},
		{"empty token file", []string{ep, ca, "ROX_API_TOKEN_FILE=" + emptyFile}, nil, []string{"ROX_API_TOKEN_FILE", "empty"}},
		{"bad insecure value", []string{ep, ca, "ROX_API_TOKEN=" + adminToken, "ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY=maybe"}, nil, []string{"ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := len(fc.Requests())
			s := startRox(t, fc, c.env, c.args...)
			if c.want != nil {
				res := s.MustFail(t, roxCount, nil, c.want...)
				if strings.Contains(Text(res), adminToken) {
					t.Fatalf("the error shows the token: %s", Text(res))
				}
				return
			}
			s.MustSucceed(t, roxCount, nil)
			reqs := fc.Requests()
			if len(reqs) != n+1 {
				t.Fatalf("want 1 request, the fake got %d", len(reqs)-n)
			}
			if h := reqs[n].Header.Values("Authorization"); len(h) != 1 || h[0] != "Bearer "+adminToken {
				t.Fatalf("Authorization sent: %q, want exactly one %q", h, "Bearer "+adminToken)
			}
		})
	}
	t.Run("token not logged", func(t *testing.T) {
		s := startRox(t, fc, []string{ep, ca, "ROX_API_TOKEN=" + adminToken}, "--log-level", "debug")
		s.MustSucceed(t, roxCount, nil)
		if strings.Contains(s.StderrText(), adminToken) {
			t.Fatal("the token is in the log")
		}
	})
}

func TestStackRoxLargeAnswers(t *testing.T) {
	fc := StartFakeCentral(t, FakeCentralOptions{Bulk: 5000})
	s := startRox(t, fc, fc.Env(adminToken))
	const budget = 40_000 // the default

	// jsonText is the result's JSON text (the last text content); notes come before it.
	jsonText := func(res *mcp.CallToolResult) (string, string) {
		var parts []string
		for _, c := range res.Content {
			parts = append(parts, c.(*mcp.TextContent).Text)
		}
		return parts[len(parts)-1], strings.Join(parts[:len(parts)-1], "\n")
	}

	t.Run("GetImage of the 2.3 MB image", func(t *testing.T) {
		res := s.MustSucceed(t, roxGet, map[string]any{"id": nodejsID})
		body, notes := jsonText(res)
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
		body, notes := jsonText(res)
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
		body, notes := jsonText(res)
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
