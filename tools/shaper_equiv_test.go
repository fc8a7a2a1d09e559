package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/image-mcp/image-mcp/internal/fakecentral"
)

// The one-pass shaper keeps what the tree shaper kept: the same values, the same prefix of
// every cut list, the same notices. Only the order of an object's members (the upstream's,
// not sorted) and the escaping of strings (the upstream's, not Go's) may differ, so the
// answers are compared decoded.
func TestShaperKeepsWhatTheTreeShaperKept(t *testing.T) {
	type shapeCase struct {
		name   string
		body   []byte
		fields []string
		page   func() *page
	}
	var cases []shapeCase
	for _, f := range []string{"nodejs-centos-6.stackrox-fixture.json", "image-wordpress-ubuntu-trimmed.gateway.json",
		"get-image.synthetic.json", "list-images.json", "other-responses-and-errors.json"} {
		body, err := fakecentral.Fixture(f)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases,
			shapeCase{name: f, body: body},
			shapeCase{name: f + " with fields", body: body, fields: []string{"id", "name.fullName", "scan.components.#.name", "images"}},
		)
	}
	// A page of Central's ListImages, read in parts.
	images := make([]map[string]any, 1000)
	for i := range images {
		images[i] = map[string]any{"id": fmt.Sprintf("sha256:%064x", i), "name": fmt.Sprintf("registry.example.com/team-%d/app:%d", i%13, i),
			"created": "2024-01-02T03:04:05Z", "components": i % 300, "cves": i % 97, "fixableCves": i % 7, "priority": fmt.Sprint(i)}
	}
	list, _ := json.Marshal(map[string]any{"images": images})
	for _, offset := range []int{0, 999, 2000} {
		cases = append(cases, shapeCase{name: fmt.Sprintf("ListImages page at offset %d", offset), body: list, page: func() *page {
			return &page{Arg: "pagination.offset", List: "images", Offset: offset, LimitArg: "pagination.limit", PageSize: 1000}
		}})
	}
	cases = append(cases, shapeCase{name: "ListImages page with fields", body: list, fields: []string{"id", "cves"}, page: func() *page {
		return &page{Arg: "pagination.offset", List: "images", LimitArg: "pagination.limit", Limit: 300, PageSize: 1000}
	}})
	// Podman's answers, paged by image-mcp itself: a list, and a tree read by lines.
	podmanList, _ := json.Marshal(idList(400, 50))
	var tree strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&tree, "│   ├── ID: %012x Size: %d.%03dMB Tags: [localhost/app:%d]\n", i*7919, i%900, i%1000, i)
	}
	treeBody, _ := json.Marshal(map[string]any{"Tree": tree.String()})
	for _, offset := range []int{0, 17, 399, 500} {
		cases = append(cases,
			shapeCase{name: fmt.Sprintf("Podman list from offset %d", offset), body: podmanList,
				page: func() *page { return &page{Arg: "offset", Local: true, Offset: offset} }},
			shapeCase{name: fmt.Sprintf("image tree from line %d", offset), body: treeBody,
				page: func() *page { return &page{Arg: "offset", List: "Tree", Local: true, Offset: offset} }},
		)
	}
	cases = append(cases, shapeCase{name: "Podman list with fields", body: podmanList, fields: []string{"Id", "Size"},
		page: func() *page { return &page{Arg: "offset", Local: true, Offset: 3} }})

	for _, tc := range cases {
		for _, budget := range []int{0, 80_000, 30_000, 8_000, 2_000, 500} {
			t.Run(fmt.Sprintf("%s/budget %d", tc.name, budget), func(t *testing.T) {
				var p1, p2 *page
				if tc.page != nil {
					p1, p2 = tc.page(), tc.page()
				}
				hint := "To get less, call again with fields."
				got := shaper{maxBytes: budget}.paged(tc.body, tc.fields, hint, p1, "a note")
				want := refShaper{MaxBytes: budget}.Page(tc.body, tc.fields, hint, p2, "a note")
				// Over the budget only where the tree shaper was too: nothing left to cut.
				if g, w := len(lastText(got)), len(lastText(want)); budget > 0 && g > budget+len(`{"items":}`) && g > w {
					t.Errorf("%d bytes for a budget of %d (the tree shaper: %d)", g, budget, w)
				}
				if budget == DefaultMaxOutputBytes || budget == 0 {
					sameResult(t, got, want, false)
				} else {
					sameResult(t, got, want, true)
				}
			})
		}
	}
}

func notesOf(r *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range r.Content[:len(r.Content)-1] {
		b.WriteString(c.(*mcp.TextContent).Text)
	}
	return b.String()
}

func lastText(r *mcp.CallToolResult) string {
	return r.Content[len(r.Content)-1].(*mcp.TextContent).Text
}

var keptRE = regexp.MustCompile(`kept the first (\d+) of`)

// sameResult: the same notices, and the same structured content once decoded; the text is
// the structured content, byte for byte.
//
// With more: a cut list may keep more items, and a shortened string more text, than the
// tree shaper kept. It judged a value's size by an estimate (approxSize) that counts a byte
// too many for every object and list, and a small budget can feel that: it stopped an item
// (or a few bytes of text) early. Then every kept count must be at least the tree
// shaper's, and the answer cut back to what it kept must be exactly the tree shaper's.
func sameResult(t *testing.T, got, want *mcp.CallToolResult, more bool) {
	t.Helper()
	if got.IsError != want.IsError {
		t.Fatalf("isError %v, the tree shaper %v: %s", got.IsError, want.IsError, resultText(got))
	}
	if g, w := notesOf(got), notesOf(want); g != w {
		gk, wk := keptRE.FindAllStringSubmatch(g, -1), keptRE.FindAllStringSubmatch(w, -1)
		same := more && len(gk) == len(wk) && keptRE.ReplaceAllString(g, "") == keptRE.ReplaceAllString(w, "")
		for i := 0; same && i < len(gk); i++ {
			gn, _ := strconv.Atoi(gk[i][1])
			wn, _ := strconv.Atoi(wk[i][1])
			same = gn >= wn
		}
		if !same {
			t.Fatalf("notices differ:\n got  %s\n want %s", g, w)
		}
		t.Logf("kept more than the tree shaper:\n got  %s\n want %s", g, w)
	}
	if got.StructuredContent != nil || want.StructuredContent != nil {
		t.Fatal("a result with structuredContent")
	}
	decode := func(r *mcp.CallToolResult) any {
		d := json.NewDecoder(strings.NewReader(lastText(r)))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			t.Fatalf("the answer is not JSON: %v", err)
		}
		return v
	}
	g, w := decode(got), decode(want)
	if more {
		g = cutLike(g, w)
	}
	if !reflect.DeepEqual(g, w) {
		gb, _ := json.Marshal(g)
		wb, _ := json.Marshal(w)
		i := 0
		for i < min(len(gb), len(wb)) && gb[i] == wb[i] {
			i++
		}
		t.Fatalf("kept different values (%d and %d bytes), from byte %d:\n got  %.300s\n want %.300s", len(gb), len(wb), i, gb[i:], wb[i:])
	}
}

// cutLike cuts every list of got to the length of the same list in want, and every
// shortened string to the length of the same string in want when it keeps as much.
func cutLike(got, want any) any {
	switch g := got.(type) {
	case string:
		w, ok := want.(string)
		gs, gcut := strings.CutSuffix(g, "… [cut]")
		ws, wcut := strings.CutSuffix(w, "… [cut]")
		if ok && gcut && wcut && strings.HasPrefix(gs, ws) {
			return want
		}
	case map[string]any:
		if w, ok := want.(map[string]any); ok {
			for k, v := range g {
				g[k] = cutLike(v, w[k])
			}
		}
	case []any:
		if w, ok := want.([]any); ok {
			g = g[:min(len(g), len(w))]
			for i := range g {
				g[i] = cutLike(g[i], w[i])
			}
			return g
		}
	}
	return got
}

// FuzzShape: whatever JSON an upstream answers, the shaped answer is JSON, its text is its
// structured content, and it is the answer with lists cut to a prefix and long strings
// shortened, nothing else changed; without a notice of a cut, it is the whole answer.
func FuzzShape(f *testing.F) {
	f.Add([]byte(`{"images":[{"id":"a","name":"x"},{"id":"b","name":"y"}],"total":2}`), uint16(40))
	f.Add([]byte(`[{"Id":"<&>","Size":1e3},{"Id":"\u00e9\n","Tags":[true,false,null]}]`), uint16(30))
	f.Add([]byte(`{"Tree":"line 1\nline 2\nline 3\n","a":{"b":[[1,2],[3,4,5]]}}`), uint16(20))
	f.Add([]byte(`"just a string"`), uint16(5))
	f.Add([]byte(`{"images":42,"a":{"b":[1,2,3]},"Tree":"x\ny\nz\n"}`), uint16(25))
	f.Fuzz(func(t *testing.T, body []byte, budget uint16) {
		if !json.Valid(body) {
			return
		}
		var in any
		d := json.NewDecoder(bytes.NewReader(body))
		d.UseNumber()
		if d.Decode(&in) != nil {
			return
		}
		res := shaper{maxBytes: int(budget)}.paged(body, nil, "", nil)
		if res.IsError {
			t.Fatalf("isError for valid JSON: %s", resultText(res))
		}
		last := lastText(res)
		if res.StructuredContent != nil {
			t.Fatalf("a result with structuredContent: %v", res.StructuredContent)
		}
		var out any
		d = json.NewDecoder(strings.NewReader(last))
		d.UseNumber()
		if err := d.Decode(&out); err != nil {
			t.Fatalf("the answer is not JSON (%v): %s", err, last)
		}
		if m, ok := out.(map[string]any); ok && len(body) > 0 && body[bytes.IndexFunc(body, func(r rune) bool { return r > ' ' })] != '{' {
			out = m["items"]
			if _, isList := in.([]any); !isList {
				out = m["result"]
			}
		}
		cut := strings.Contains(notesOf(res), "was cut")
		if !keptPrefix(out, in, cut) {
			t.Fatalf("not a cut of the answer (cut noted: %v):\n in  %s\n out %s", cut, body, last)
		}
		// Read in parts, by image-mcp or by the upstream, at any list path and offset:
		// JSON whose text is its structured content, whatever the answer holds there.
		for _, list := range []string{"", "images", "a.b", "Tree"} {
			for _, local := range []bool{true, false} {
				p := &page{Arg: "offset", List: list, Local: local, Offset: int(budget % 7), LimitArg: "limit", PageSize: 2}
				res := shaper{maxBytes: int(budget)}.paged(body, []string{"id"}[:budget%2], "", p)
				if res.IsError {
					t.Fatalf("isError for valid JSON paged at %q: %s", list, resultText(res))
				}
				if last := lastText(res); res.StructuredContent != nil || !json.Valid([]byte(last)) {
					t.Fatalf("paged at %q: not JSON, or with structuredContent:\n%s", list, last)
				}
			}
		}
	})
}

// keptPrefix: out is in with lists cut to a prefix and strings shortened (only if cut).
func keptPrefix(out, in any, cut bool) bool {
	switch i := in.(type) {
	case map[string]any:
		o, ok := out.(map[string]any)
		if !ok || len(o) != len(i) {
			return false
		}
		for k, v := range i {
			if ov, ok := o[k]; !ok || !keptPrefix(ov, v, cut) {
				return false
			}
		}
		return true
	case []any:
		o, ok := out.([]any)
		if !ok || len(o) > len(i) || (!cut && len(o) != len(i)) {
			return false
		}
		for k := range o {
			if !keptPrefix(o[k], i[k], cut) {
				return false
			}
		}
		return true
	case string:
		o, ok := out.(string)
		if s, shortened := strings.CutSuffix(o, "… [cut]"); ok && cut && shortened && o != i {
			return strings.HasPrefix(i, s)
		}
		return ok && o == i
	}
	return reflect.DeepEqual(out, in)
}

// A paged list that is not a list (a number, an object) or is not there: the answer is
// cut as one without paging, as the tree shaper did.
func TestPageOfNoList(t *testing.T) {
	big := strings.Repeat("x", 5000)
	for _, tc := range []struct{ name, body, list string }{
		{"a number", `{"images":42,"pad":"` + big + `"}`, "images"},
		{"an object", `{"images":{"a":1},"pad":"` + big + `"}`, "images"},
		{"missing", `{"pad":"` + big + `"}`, "images"},
		{"a string at the top", `"` + big + `"`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, local := range []bool{false, true} {
				p1 := &page{Arg: "offset", List: tc.list, Local: local, Offset: 1}
				p2 := &page{Arg: "offset", List: tc.list, Local: local, Offset: 1}
				got := shaper{maxBytes: 1000}.paged([]byte(tc.body), nil, "", p1)
				want := refShaper{MaxBytes: 1000}.Page([]byte(tc.body), nil, "", p2)
				sameResult(t, got, want, true)
			}
		})
	}
}
