package tools

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// continuation is the JSON object a cut answer's notice ends with, nil when there is none.
func continuation(t *testing.T, res *mcp.CallToolResult) map[string]int {
	t.Helper()
	for _, c := range res.Content[:len(res.Content)-1] {
		n := c.(*mcp.TextContent).Text
		_, obj, ok := strings.Cut(n, "continue with ")
		if !ok {
			continue
		}
		var next map[string]int
		if err := json.Unmarshal([]byte(obj), &next); err != nil {
			t.Fatalf("the notice does not end with a JSON object: %q", n)
		}
		return next
	}
	return nil
}

// follow reads every part of an answer: call(offset, limit) answers one part.
func follow(t *testing.T, call func(offset, limit int) *mcp.CallToolResult, items func(string) []string) []string {
	t.Helper()
	var got []string
	offset, limit := 0, 0
	for range 1000 {
		res := call(offset, limit)
		s, text, _ := structured(t, res)
		if s != text {
			t.Fatalf("text %.200s\nis not the structured content %.200s", text, s)
		}
		got = append(got, items(s)...)
		next := continuation(t, res)
		if next == nil {
			return got
		}
		var ok bool
		if offset, ok = next["offset"]; !ok {
			offset = next["pagination.offset"]
		}
		limit = next["pagination.limit"]
	}
	t.Fatal("the chain does not end")
	return nil
}

func idList(n int, pad int) []any {
	l := make([]any, n)
	for i := range l {
		l[i] = map[string]any{"Id": fmt.Sprintf("img-%04d", i), "Size": i, "Pad": strings.Repeat("x", pad+i%37)}
	}
	return l
}

func wantIDs(n int) []string {
	w := make([]string, n)
	for i := range w {
		w[i] = fmt.Sprintf("img-%04d", i)
	}
	return w
}

func TestPageChain(t *testing.T) {
	ids := func(path ...string) func(string) []string {
		return func(s string) []string {
			var v any
			json.Unmarshal([]byte(s), &v)
			for _, p := range path {
				v = v.(map[string]any)[p]
			}
			var out []string
			for _, it := range v.([]any) {
				out = append(out, it.(map[string]any)["Id"].(string))
			}
			return out
		}
	}
	list, _ := json.Marshal(idList(300, 40))
	nested, _ := json.Marshal(map[string]any{"id": "sha256:x", "scan": map[string]any{"components": idList(300, 60)}, "name": "app"})
	cases := []struct {
		name   string
		body   []byte
		page   page
		fields []string
		budget int
		items  func(string) []string
	}{
		{"top-level list", list, page{Arg: "offset", Local: true}, nil, 3000, ids("items")},
		{"top-level list with fields", list, page{Arg: "offset", Local: true}, []string{"Id"}, 1000, ids("items")},
		{"nested list", nested, page{Arg: "offset", List: "scan.components", Local: true}, nil, 4000, ids("scan", "components")},
		{"nested list with fields", nested, page{Arg: "offset", List: "scan.components", Local: true}, []string{"id", "scan.components"}, 4000, ids("scan.components")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			got := follow(t, func(offset, _ int) *mcp.CallToolResult {
				calls++
				p := tc.page
				p.Offset = offset
				res := shaper{maxBytes: tc.budget}.paged(tc.body, tc.fields, "", &p)
				if text := res.Content[len(res.Content)-1].(*mcp.TextContent).Text; len(text) > tc.budget {
					t.Fatalf("offset %d: %d bytes, over the %d budget", offset, len(text), tc.budget)
				}
				return res
			}, tc.items)
			if !reflect.DeepEqual(got, wantIDs(300)) {
				t.Fatalf("%d items in %d calls: %v", len(got), calls, got)
			}
			if calls < 3 {
				t.Fatalf("%d calls: the budget should have cut it", calls)
			}
		})
	}
}

// A text answer ({"Tree": "..."}) is paged by lines.
func TestPageLines(t *testing.T) {
	var b strings.Builder
	for i := range 500 {
		fmt.Fprintf(&b, "├── ID: %04d Size: 1.987MB\n", i)
	}
	body, _ := json.Marshal(map[string]any{"Tree": b.String()})
	var got strings.Builder
	follow(t, func(offset, _ int) *mcp.CallToolResult {
		return shaper{maxBytes: 2000}.paged(body, nil, "", &page{Arg: "offset", List: "Tree", Local: true, Offset: offset})
	}, func(s string) []string {
		var v struct{ Tree string }
		json.Unmarshal([]byte(s), &v)
		got.WriteString(v.Tree)
		return nil
	})
	if got.String() != b.String() {
		t.Fatalf("the parts joined are not the tree: %d of %d bytes", got.Len(), b.Len())
	}
}

// An upstream that pages itself (Central: at most 1000 a call) is followed with its own
// arguments, also past a full page that fitted, and with a limit the chain ends there.
func TestPageUpstream(t *testing.T) {
	all := idList(2500, 0)
	upstream := func(offset, limit int) []byte {
		if limit <= 0 || limit > 1000 {
			limit = 1000
		}
		end := min(offset+limit, len(all))
		b, _ := json.Marshal(map[string]any{"images": all[min(offset, end):end]})
		return b
	}
	images := func(s string) []string {
		var v struct{ Images []struct{ Id string } }
		json.Unmarshal([]byte(s), &v)
		var out []string
		for _, it := range v.Images {
			out = append(out, it.Id)
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		budget int
		limit  int
		want   int
	}{
		{"cut pages", 20_000, 0, 2500},
		{"pages that fit", 1 << 20, 0, 2500},
		{"a limit", 5000, 700, 700},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first := true
			got := follow(t, func(offset, limit int) *mcp.CallToolResult {
				if first {
					limit, first = tc.limit, false
				}
				p := &page{Arg: "pagination.offset", List: "images", Offset: offset, LimitArg: "pagination.limit", Limit: limit, PageSize: 1000}
				return shaper{maxBytes: tc.budget}.paged(upstream(offset, limit), nil, "", p)
			}, images)
			if !reflect.DeepEqual(got, wantIDs(tc.want)) {
				t.Fatalf("%d items, want %d", len(got), tc.want)
			}
		})
	}
}

func TestPageNotices(t *testing.T) {
	list, _ := json.Marshal(idList(10, 0))
	res := shaper{maxBytes: 80_000}.paged(list, nil, "", &page{Arg: "offset", Local: true, Offset: 20})
	s, _, notes := structured(t, res)
	if s != `{"items":[]}` || len(notes) != 1 || !strings.Contains(notes[0], "offset=20 is at or past the end: (top level) has 10 items") {
		t.Errorf("past the end: %s %v", s, notes)
	}
	res = shaper{maxBytes: 200}.paged(list, nil, "To get less, call again with fields.", &page{Arg: "offset", Local: true, Offset: 2})
	_, _, notes = structured(t, res)
	if len(notes) != 1 || !strings.Contains(notes[0], "(top level): kept items 3–") || !strings.Contains(notes[0], "of 10; ") && !strings.Contains(notes[0], "of 10.") ||
		!strings.Contains(notes[0], "fields. To read on") || !strings.HasSuffix(notes[0], `}`) {
		t.Errorf("notice %v", notes)
	} else {
		t.Log(notes[0])
	}
}
