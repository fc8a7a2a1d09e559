package tools

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// structured returns a result's answer (its last text item, JSON), the same again (the
// answer as the tests read it before structuredContent was dropped), and the notes before
// it. A success carries no structuredContent: clients that forward it drop the notes.
func structured(t *testing.T, res *mcp.CallToolResult) (string, string, []string) {
	t.Helper()
	if res.IsError {
		t.Fatalf("isError: %s", resultText(res))
	}
	if res.StructuredContent != nil {
		t.Fatalf("a result with structuredContent: %v", res.StructuredContent)
	}
	var texts []string
	for _, c := range res.Content {
		texts = append(texts, c.(*mcp.TextContent).Text)
	}
	last := texts[len(texts)-1]
	if !json.Valid([]byte(last)) {
		t.Fatalf("the last text item is not JSON: %.300s", last)
	}
	return last, last, texts[:len(texts)-1]
}

// wholeSize is what the budget bounds: every text item and the separators between them.
func wholeSize(res *mcp.CallToolResult) int {
	n := 0
	for i, c := range res.Content {
		if i > 0 {
			n += itemSep
		}
		n += len(c.(*mcp.TextContent).Text)
	}
	return n
}

func TestShaperJSON(t *testing.T) {
	cases := []struct {
		name       string
		body       string
		fields     []string
		structured string // also the text: the same JSON (the MCP spec's SHOULD)
	}{
		{name: "passthrough of an object, whole body", body: `{"Id":"abc","RepoTags":["a:1"],"Size":5}`,
			structured: `{"Id":"abc","RepoTags":["a:1"],"Size":5}`},
		{name: "surrounding space trimmed", body: "\n {\"a\":1} \n", structured: `{"a":1}`},
		{name: "array wrapped as items", body: `[{"Id":"a"},{"Id":"b"}]`,
			structured: `{"items":[{"Id":"a"},{"Id":"b"}]}`},
		{name: "empty array", body: `[]`, structured: `{"items":[]}`},
		{name: "scalar wrapped as result", body: `42`, structured: `{"result":42}`},
		{name: "fields on an array", body: `[{"Id":"a","Size":1,"Labels":{"v":"1"}},{"Id":"b","Size":2}]`, fields: []string{"Id", "Labels.v"},
			structured: `{"items":[{"Id":"a","Labels.v":"1"},{"Id":"b"}]}`},
		{name: "fields on {images:[...]}", body: `{"images":[{"id":"a","name":"x","cves":3}],"total":1}`, fields: []string{"id", "cves"},
			structured: `{"images":[{"cves":3,"id":"a"}],"total":1}`},
		{name: "fields on an object without a list", body: `{"id":"a","name":"x"}`, fields: []string{"name"},
			structured: `{"name":"x"}`},
		{name: "big numbers kept exactly", body: `[{"Size":12345678901234567890}]`, fields: []string{"Size"},
			structured: `{"items":[{"Size":12345678901234567890}]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := shaper{maxBytes: DefaultMaxOutputBytes}.shapeJSON([]byte(tc.body), tc.fields, "")
			s, text, notes := structured(t, res)
			if s != tc.structured {
				t.Errorf("structured %s\nwant       %s", s, tc.structured)
			}
			if text != tc.structured {
				t.Errorf("text %s\nwant %s", text, tc.structured)
			}
			if len(notes) != 0 {
				t.Errorf("notes %v", notes)
			}
		})
	}
}

func TestShaperNotesFirst(t *testing.T) {
	res := shaper{}.shapeJSON([]byte(`{"numDeleted":2}`), nil, "", "DRY RUN: nothing was deleted.")
	_, text, notes := structured(t, res)
	if text != `{"numDeleted":2}` || !reflect.DeepEqual(notes, []string{"DRY RUN: nothing was deleted."}) {
		t.Errorf("text %s notes %v", text, notes)
	}
}

func TestShaperBudget(t *testing.T) {
	var items []string
	for i := range 1000 {
		items = append(items, fmt.Sprintf(`{"Id":"%064d","RepoTags":["localhost/image-%d:latest"],"Size":%d}`, i, i, i*1000))
	}
	list := "[" + strings.Join(items, ",") + "]"
	cases := []struct {
		name, body string
		budget     int
		listPath   string
	}{
		{"top-level array", list, 10_000, "items"},
		{"array in an object", `{"images":` + list + `,"total":1000}`, 20_000, "images"},
		{"tiny budget", list, 500, "items"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := shaper{maxBytes: tc.budget}.shapeJSON([]byte(tc.body), nil, "To get less, call again with fields.")
			s, text, notes := structured(t, res)
			if n := wholeSize(res); n > tc.budget {
				t.Errorf("the answer is %d bytes, over the budget of %d", n, tc.budget)
			}
			var v map[string]any
			if err := json.Unmarshal([]byte(s), &v); err != nil {
				t.Fatalf("structured content is not valid JSON: %v", err)
			}
			if !json.Valid([]byte(text)) {
				t.Fatalf("text is not valid JSON")
			}
			kept, _ := v[tc.listPath].([]any)
			if len(kept) == 0 || len(kept) >= 1000 {
				t.Errorf("kept %d items", len(kept))
			}
			if tc.listPath == "images" && v["total"] == nil {
				t.Error("the other members were dropped")
			}
			if len(notes) != 1 {
				t.Fatalf("notes %v, want one notice", notes)
			}
			n := notes[0]
			for _, w := range []string{"NOTE", "--max-output-bytes", fmt.Sprintf("kept the first %d of 1000 items", len(kept)), "call again with fields"} {
				if !strings.Contains(n, w) {
					t.Errorf("notice %q lacks %q", n, w)
				}
			}
		})
	}
	// A long string alone is shortened at a rune boundary, still valid JSON.
	long := `{"Tree":"` + strings.Repeat("├── ID: 48ce1759f787 Size: 1.987MB\\n", 2000) + `"}`
	res := shaper{maxBytes: 5000}.shapeJSON([]byte(long), nil, "")
	s, text, notes := structured(t, res)
	if wholeSize(res) > 5000 || !json.Valid([]byte(s)) || len(notes) != 1 || !strings.Contains(notes[0], "Tree: text shortened") {
		t.Errorf("%d bytes, notes %v", len(text), notes)
	}
	// Budget 0 means none.
	_, text, notes = structured(t, shaper{maxBytes: 0}.shapeJSON([]byte(list), nil, ""))
	if text != `{"items":`+list+`}` || len(notes) != 0 {
		t.Errorf("budget 0 cut the answer")
	}
}

// The budget bounds the whole answer: notes given before, the notice of a cut and the
// separators count; a notice of many cuts is shortened to its room.
func TestShaperBudgetCountsNotes(t *testing.T) {
	var items []string
	for i := range 1000 {
		items = append(items, fmt.Sprintf(`{"Id":"%064d"}`, i))
	}
	list := "[" + strings.Join(items, ",") + "]"
	note := "DRY RUN: " + strings.Repeat("n", 3000)
	for _, budget := range []int{6000, 10_000, DefaultMaxOutputBytes} {
		res := shaper{maxBytes: budget}.shapeJSON([]byte(list), nil, "To get less, call again with fields.", note)
		if n := wholeSize(res); n > budget {
			t.Errorf("budget %d: the answer is %d bytes", budget, n)
		}
		if _, _, notes := structured(t, res); len(notes) != 2 || notes[0] != note {
			t.Errorf("budget %d: notes %.100q", budget, notes)
		}
	}
	// Many lists, each cut: the notice names the first and how many more.
	var members []string
	for i := range 30 {
		members = append(members, fmt.Sprintf(`"list-%03d-%s":[%s]`, i, strings.Repeat("k", 150), strings.Join(items[:20], ",")))
	}
	res := shaper{maxBytes: 20_000}.shapeJSON([]byte("{"+strings.Join(members, ",")+"}"), nil, "")
	_, _, notes := structured(t, res)
	if n := wholeSize(res); n > 20_000 || len(notes) != 1 || len(notes[0]) > cutNoticeRoom || !strings.Contains(notes[0], " more.") {
		t.Fatalf("%d bytes, notice of %d bytes: %.300s…", n, len(notes[0]), notes[0])
	}
}
