package e2e

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/tidwall/gjson"

	"github.com/image-mcp/image-mcp/internal/fakecentral"
)

// nextPart is the JSON object a cut answer's notice ends with ("… continue with {…}"),
// nil when the answer is whole. The notice is a text block before the JSON.
func nextPart(t *testing.T, res *mcp.CallToolResult) map[string]any {
	t.Helper()
	var next map[string]any
	for _, n := range Notices(t, res) {
		if _, obj, ok := strings.Cut(n, "continue with "); ok {
			if err := json.Unmarshal([]byte(obj), &next); err != nil {
				t.Fatalf("the notice does not end with one JSON object: %q", n)
			}
		}
	}
	return next
}

// readAll follows a chain of continued calls from args and returns every part's items
// (read from the structured content by items) and the number of calls.
func readAll(t *testing.T, s *Server, tool string, args map[string]any, items func(gjson.Result) []string) ([]string, int) {
	t.Helper()
	var got []string
	call := map[string]any{}
	for k, v := range args {
		call[k] = v
	}
	for n := 1; n <= 500; n++ {
		res := s.MustSucceed(t, tool, call)
		got = append(got, items(gjson.Parse(Answer(res)))...)
		next := nextPart(t, res)
		if next == nil {
			return got, n
		}
		for k, v := range next {
			call[k] = v
		}
	}
	t.Fatalf("%s: the chain does not end after 500 calls", tool)
	return nil, 0
}

// importTiny imports n distinct tiny images (one file each) labelled label=value and
// named localhost/<value>:<i>; they are removed at the end of the test.
func importTiny(t *testing.T, n int, value string) {
	t.Helper()
	t.Cleanup(func() {
		f := url.QueryEscape(`{"label":["issue13=` + value + `"]}`)
		code, body, _ := PodmanRaw("GET", "/libpod/images/json?filters="+f, nil)
		if code != 200 {
			return
		}
		q := url.Values{"force": {"true"}}
		gjson.GetBytes(body, "#.Id").ForEach(func(_, id gjson.Result) bool {
			q.Add("images", id.String())
			return true
		})
		PodmanRaw("DELETE", "/libpod/images/remove?"+q.Encode(), nil)
	})
	work := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed error
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				var buf bytes.Buffer
				tw := tar.NewWriter(&buf)
				data := []byte(fmt.Sprintf("%s %d\n", value, i))
				tw.WriteHeader(&tar.Header{Name: "id", Mode: 0o644, Size: int64(len(data))})
				tw.Write(data)
				tw.Close()
				q := url.Values{"reference": {fmt.Sprintf("localhost/%s:%d", value, i)}, "changes": {"LABEL=issue13=" + value}}
				code, body, err := PodmanRaw("POST", "/libpod/images/import?"+q.Encode(), &buf)
				if err != nil || code != 200 {
					mu.Lock()
					failed = fmt.Errorf("import %d: %d %s %v", i, code, body, err)
					mu.Unlock()
				}
			}
		}()
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	if failed != nil {
		t.Fatal(failed)
	}
}

// list-images of a few hundred images under a small budget, read in parts with the
// offset each notice gives, is the raw listing of the same store: every image once, in
// order; with fields and filters too.
func TestContinuationListImages(t *testing.T) {
	needPodman(t)
	const n = 240
	importTiny(t, n, "issue13-page")
	filters := `{"label":["issue13=issue13-page"]}`
	code, body, err := PodmanRaw("GET", "/libpod/images/json?filters="+url.QueryEscape(filters), nil)
	if err != nil || code != 200 {
		t.Fatalf("raw listing: %d %v", code, err)
	}
	var want []string
	gjson.GetBytes(body, "#.Id").ForEach(func(_, id gjson.Result) bool {
		want = append(want, id.String())
		return true
	})
	if len(want) != n {
		t.Fatalf("raw listing has %d images, want %d", len(want), n)
	}
	ids := func(r gjson.Result) []string {
		var out []string
		r.Get("items.#.Id").ForEach(func(_, id gjson.Result) bool {
			out = append(out, id.String())
			return true
		})
		return out
	}
	s := StartServer(t, ServerOptions{Args: []string{"--max-output-bytes", "8000"}})
	for _, tc := range []struct {
		name     string
		args     map[string]any
		minCalls int
	}{
		{"whole images", map[string]any{"filters": filters}, 10},
		{"fields", map[string]any{"filters": filters, "fields": []string{"Id", "RepoTags"}}, 3},
		{"from an offset", map[string]any{"filters": filters, "fields": []string{"Id"}, "offset": 100}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, calls := readAll(t, s, "list-images", tc.args, ids)
			w := want
			if off, ok := tc.args["offset"].(int); ok {
				w = want[off:]
			}
			if !reflect.DeepEqual(got, w) {
				t.Fatalf("%d calls gave %d images; the raw listing has %d (or not in the same order)", calls, len(got), len(w))
			}
			if calls < tc.minCalls {
				t.Fatalf("%d calls: the 8000-byte budget should have cut it at least %d times", calls, tc.minCalls-1)
			}
		})
	}
	// An offset past the end is an empty list and says so.
	res := s.MustSucceed(t, "list-images", map[string]any{"filters": filters, "offset": n + 5})
	if got := ids(gjson.Parse(Answer(res))); len(got) != 0 || !strings.Contains(Text(res), "past the end") {
		t.Fatalf("offset past the end: %v %s", got, Text(res))
	}
	s.MustFail(t, "list-images", map[string]any{"offset": -1}, `"offset" must be a whole number ≥ 0`)
}

// On the fake Central: ListImages is continued with Central's own pagination.offset (also
// past its 1000-a-call page), and one image's components with the engine's offset.
func TestContinuationStackrox(t *testing.T) {
	fc := StartFakeCentral(t, FakeCentralOptions{Bulk: 2500})
	want := fc.ImageIDs()
	s := StartServer(t, ServerOptions{NoPod: true, Env: fc.Env(readToken), Args: []string{"--max-output-bytes", "40000"}})
	images := func(r gjson.Result) []string {
		var out []string
		r.Get("images.#.id").ForEach(func(_, id gjson.Result) bool {
			out = append(out, id.String())
			return true
		})
		return out
	}
	for _, tc := range []struct {
		name string
		args map[string]any
		want []string
	}{
		{"every image", map[string]any{}, want},
		{"fields", map[string]any{"fields": []string{"id", "name"}}, want},
		{"a limit", map[string]any{"pagination.limit": 700, "pagination.offset": 50}, want[50:750]},
		{"a query", map[string]any{"query": "Image:registry.example.com/bulk/app-01"}, want[len(want)-2500+1000 : len(want)-2500+2000]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, calls := readAll(t, s, "listimages-returns-all-images", tc.args, images)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("%d calls gave %d images, want %d (every one once, in order)", calls, len(got), len(tc.want))
			}
			if calls < 3 {
				t.Fatalf("%d calls: the budget should have cut it", calls)
			}
		})
	}

	// A StackRox image's components, with the engine's offset.
	fixture, err := fakecentral.Fixture(fakecentral.FixtureNodejs)
	if err != nil {
		t.Fatal(err)
	}
	id := gjson.GetBytes(fixture, "id").String()
	var wantComp []string
	gjson.GetBytes(fixture, "scan.components").ForEach(func(_, c gjson.Result) bool {
		wantComp = append(wantComp, c.Get("name").String()+" "+c.Get("version").String())
		return true
	})
	comps := func(r gjson.Result) []string {
		var out []string
		r.Get("scan.components").ForEach(func(_, c gjson.Result) bool {
			out = append(out, c.Get("name").String()+" "+c.Get("version").String())
			return true
		})
		if r.Get("id").String() != id {
			t.Fatalf("a part lost the image's id: %.200s", r.Raw)
		}
		return out
	}
	got, calls := readAll(t, s, "getimage-returns-image-given-its", map[string]any{"id": id}, comps)
	if !reflect.DeepEqual(got, wantComp) || calls < 3 {
		t.Fatalf("%d calls gave %d components, want %d (every one once, in order)", calls, len(got), len(wantComp))
	}
}

// image-tree's text answer is read on by lines: the parts joined are the whole tree. (An
// image of its own: the base image's tags, which other tests add, make one long line.)
func TestContinuationImageTree(t *testing.T) {
	needPodman(t)
	importTiny(t, 1, "issue13-tree")
	const img = "localhost/issue13-tree:0"
	whole := StartServer(t, ServerOptions{}).MustSucceed(t, "image-tree", map[string]any{"name": img})
	want := gjson.Parse(Answer(whole)).Get("Tree").String()
	if strings.Count(want, "\n") < 3 {
		t.Fatalf("the tree has too few lines to page: %q", want)
	}
	s := StartServer(t, ServerOptions{Args: []string{"--max-output-bytes", "120"}})
	var got strings.Builder
	_, calls := readAll(t, s, "image-tree", map[string]any{"name": img}, func(r gjson.Result) []string {
		got.WriteString(r.Get("Tree").String())
		return nil
	})
	if got.String() != want || calls < 2 {
		t.Fatalf("%d calls gave %q\nwant %q", calls, got.String(), want)
	}
}
