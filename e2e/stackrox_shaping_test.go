package e2e

import (
	"strings"
	"testing"
)

// ListImages over more images than one page: Central answers at most 1000 per call
// (docs/stackrox.md), so a page of 1000 is what the output budget has to shape.
func TestStackroxListBudgetAndFields(t *testing.T) {
	central := StartFakeCentral(t, FakeCentralOptions{Bulk: 3000})
	const list = "listimages-returns-all-images"

	s := StartServer(t, ServerOptions{Env: central.Env(readToken), Args: []string{"--max-output-bytes", "30000"}})
	res := s.MustSucceed(t, list, map[string]any{})
	text := Text(res)
	for _, w := range []string{"over the 30000-byte output budget", "images: kept the first ", " of 1000 items",
		"To get less, call again with query, pagination.limit, fields.", `continue with {"pagination.offset": `} {
		if !strings.Contains(text, w) {
			t.Fatalf("no %q in:\n%.600s", w, text)
		}
	}
	if n := len(Text(res)); n > 30000 {
		t.Fatalf("the answer is %d bytes, over the 30000-byte budget", n)
	}

	// fields narrows every item; what still does not fit is cut with the notice. (The
	// generated images all have a scan, so every one has cves.)
	bulk := "Image:registry.example.com/bulk"
	s2 := StartServer(t, ServerOptions{Env: central.Env(readToken), Args: []string{"--max-output-bytes", "40000"}})
	res = s2.MustSucceed(t, list, map[string]any{"query": bulk, "fields": []string{"id", "cves"}})
	var got struct{ Images []map[string]any }
	Structured(t, res, &got)
	if len(got.Images) == 0 || len(got.Images) >= 1000 || !strings.Contains(Text(res), " of 1000 items") {
		t.Fatalf("fields id,cves over budget: %d images: %.300s", len(got.Images), Text(res))
	}
	for _, im := range got.Images {
		if len(im) != 2 || im["id"] == nil || im["cves"] == nil {
			t.Fatalf("item %v", im)
		}
	}
	// Narrow enough, the whole page fits the same budget; what is left is the note that a
	// full page may have more after it.
	res = s2.MustSucceed(t, list, map[string]any{"query": bulk, "fields": []string{"cves"}})
	got.Images = nil
	Structured(t, res, &got)
	if len(got.Images) != 1000 || strings.Contains(Text(res), "output budget") || !strings.Contains(Text(res), "a full page of 1000 items") {
		t.Fatalf("fields cves: %d images: %.300s", len(got.Images), Text(res))
	}
}

func TestStackroxDeleteAsksWithCount(t *testing.T) {
	central := StartFakeCentral(t, FakeCentralOptions{Bulk: 7})
	before := central.ImageCount()
	el := &elicitor{action: "decline"}
	s := StartServer(t, ServerOptions{Env: central.Env(adminToken), Client: el.options()})
	s.MustFail(t, "deleteimage-removes-images-based-query", map[string]any{"query.query": "Image:registry.example.com/bulk", "confirm": true}, "declined")
	q := el.asked()
	if len(q) != 1 || !strings.Contains(q[0], `Delete 7 images matching "Image:registry.example.com/bulk" from StackRox Central?`) {
		t.Fatalf("question %q", q)
	}
	var deletes []string
	for _, r := range central.Requests() {
		if r.Method == "DELETE" {
			deletes = append(deletes, r.RawQuery)
		}
	}
	if len(deletes) != 1 || !strings.Contains(deletes[0], "confirm=false") {
		t.Fatalf("want only the dry run, Central got %q", deletes)
	}
	if n := central.ImageCount(); n != before {
		t.Fatalf("Central holds %d images after a declined delete, %d before", n, before)
	}
}
