package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
)

// miniCentral answers the two StackRox calls these tests need, in Central's shapes
// (docs/stackrox.md): a list of n images and DeleteImages with its dry
// run. It is not the fake Central; it only serves what output shaping and confirmation use.
type miniCentral struct {
	*httptest.Server
	mu      sync.Mutex
	deletes []string
}

func startMiniCentral(t *testing.T, n int) *miniCentral {
	c := &miniCentral{}
	c.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") != "Bearer issue5-token" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"code":16,"message":"not authenticated"}`)
			return
		}
		switch {
		case r.Method == "GET" && r.URL.Path == "/v1/images":
			images := make([]map[string]any, n)
			for i := range images {
				images[i] = map[string]any{
					"id":   fmt.Sprintf("sha256:%064x", i),
					"name": fmt.Sprintf("quay.io/example/app-%d:1.%d", i, i), "components": 40 + i%7, "cves": i % 31, "fixableCves": i % 5,
					"created": "2024-02-14T18:10:01Z", "lastUpdated": "2024-03-01T10:00:00Z", "priority": fmt.Sprint(i + 1),
				}
			}
			json.NewEncoder(w).Encode(map[string]any{"images": images})
		case r.Method == "DELETE" && r.URL.Path == "/v1/images":
			c.mu.Lock()
			c.deletes = append(c.deletes, r.URL.RawQuery)
			c.mu.Unlock()
			json.NewEncoder(w).Encode(map[string]any{"numDeleted": 7, "dryRun": r.URL.Query().Get("confirm") != "true"})
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"code":5,"message":"not found"}`)
		}
	}))
	t.Cleanup(c.Close)
	return c
}

func (c *miniCentral) env() []string {
	return []string{"ROX_ENDPOINT=" + strings.TrimPrefix(c.URL, "https://"), "ROX_API_TOKEN=issue5-token", "ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY=true"}
}

func TestStackroxListBudgetAndFields(t *testing.T) {
	central := startMiniCentral(t, 3000)
	const list = "listimages-returns-all-images"

	s := StartServer(t, ServerOptions{Env: central.env(), Args: []string{"--max-output-bytes", "30000"}})
	res := s.MustSucceed(t, list, map[string]any{})
	text := Text(res)
	for _, w := range []string{"over the 30000-byte output budget", "images: kept the first ", " of 3000 items",
		"To get less, call again with query, pagination.limit, fields.", `continue with {"pagination.offset": `} {
		if !strings.Contains(text, w) {
			t.Fatalf("no %q in:\n%.600s", w, text)
		}
	}
	b, _ := json.Marshal(res.StructuredContent)
	if len(b) > 30000 {
		t.Fatalf("structured content %d bytes", len(b))
	}

	// fields narrows every item; what still does not fit is cut with the notice.
	s2 := StartServer(t, ServerOptions{Env: central.env()})
	res = s2.MustSucceed(t, list, map[string]any{"fields": []string{"id", "cves"}})
	var got struct{ Images []map[string]any }
	Structured(t, res, &got)
	if len(got.Images) == 0 || len(got.Images) >= 3000 || !strings.Contains(Text(res), " of 3000 items") {
		t.Fatalf("fields id,cves over budget: %d images: %.300s", len(got.Images), Text(res))
	}
	for _, im := range got.Images {
		if len(im) != 2 || im["id"] == nil || im["cves"] == nil {
			t.Fatalf("item %v", im)
		}
	}
	// Narrow enough, all 3000 fit the default budget.
	res = s2.MustSucceed(t, list, map[string]any{"fields": []string{"cves"}})
	got.Images = nil
	Structured(t, res, &got)
	if len(got.Images) != 3000 || strings.Contains(Text(res), "NOTE:") {
		t.Fatalf("fields cves: %d images: %.300s", len(got.Images), Text(res))
	}
}

func TestStackroxDeleteAsksWithCount(t *testing.T) {
	central := startMiniCentral(t, 1)
	el := &elicitor{action: "decline"}
	s := StartServer(t, ServerOptions{Env: central.env(), Client: el.options()})
	s.MustFail(t, "deleteimage-removes-images-based-query", map[string]any{"query.query": "Image:quay.io/example", "confirm": true}, "declined")
	q := el.asked()
	if len(q) != 1 || !strings.Contains(q[0], `Delete 7 images matching "Image:quay.io/example" from StackRox Central?`) {
		t.Fatalf("question %q", q)
	}
	central.mu.Lock()
	deletes := slices.Clone(central.deletes)
	central.mu.Unlock()
	if len(deletes) != 1 || !strings.Contains(deletes[0], "confirm=false") {
		t.Fatalf("want only the dry run, Central got %q", deletes)
	}
}
