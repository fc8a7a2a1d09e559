package e2e

import (
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
)

// manyTags makes an image of its own with n+1 names (repo:0 … repo:n) and removes it
// with all its names at the end.
func manyTags(t *testing.T, repo string, n int) {
	t.Helper()
	f, err := os.Open(busyboxTar)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	code, body, err := PodmanRaw("POST", "/libpod/images/import?reference="+url.QueryEscape(repo+":0"), f)
	if err != nil || code != 200 {
		t.Fatalf("import: %d %s %v", code, body, err)
	}
	t.Cleanup(func() { PodmanRaw("DELETE", "/libpod/images/"+url.PathEscape(repo+":0")+"?force=true", nil) })
	for i := 1; i <= n; i++ {
		code, body, err := PodmanRaw("POST", "/libpod/images/"+url.PathEscape(repo+":0")+"/tag?repo="+url.QueryEscape(repo)+"&tag="+fmt.Sprint(i), nil)
		if err != nil || code/100 != 2 {
			t.Fatalf("tag %d: %d %s %v", i, code, body, err)
		}
	}
}

func TestBudgetAndFieldsOnManyTags(t *testing.T) {
	needPodman(t)
	const repo = "localhost/issue5-manytags"
	manyTags(t, repo, 300)
	filter := map[string]any{"filters": `{"reference":["` + repo + `"]}`}

	// Unshaped, the one image carries all 301 names.
	s := StartServer(t, ServerOptions{})
	var full struct{ Items []map[string]any }
	Structured(t, s.MustSucceed(t, "list-images", filter), &full)
	if len(full.Items) != 1 || len(full.Items[0]["RepoTags"].([]any)) != 301 {
		t.Fatalf("want one image with 301 tags, got %d images", len(full.Items))
	}

	// A small budget cuts the lists, keeps valid JSON and says how to narrow the call.
	small := StartServer(t, ServerOptions{Args: []string{"--max-output-bytes", "4000"}})
	res := small.MustSucceed(t, "list-images", filter)
	text := Text(res)
	for _, w := range []string{"over the 4000-byte output budget (--max-output-bytes), and was cut: ", "of 301 items", "To get less, call again with filters, fields."} {
		if !strings.Contains(text, w) {
			t.Fatalf("no %q in:\n%.800s", w, text)
		}
	}
	if n := len(Text(res)); n > 4000 {
		t.Fatalf("the answer is %d bytes, over the 4000-byte budget", n)
	}
	var cut struct{ Items []map[string]any }
	Structured(t, res, &cut)
	if n := len(cut.Items[0]["RepoTags"].([]any)); n == 0 || n >= 301 {
		t.Fatalf("kept %d of 301 tags", n)
	}

	// fields keeps only what is asked for, on every item.
	res = s.MustSucceed(t, "list-images", map[string]any{"filters": filter["filters"], "fields": []string{"Id", "RepoTags", "Size"}})
	var narrow struct{ Items []map[string]any }
	Structured(t, res, &narrow)
	if len(narrow.Items) != 1 || len(narrow.Items[0]) != 3 || len(narrow.Items[0]["RepoTags"].([]any)) != 301 || narrow.Items[0]["Id"] != full.Items[0]["Id"] {
		t.Fatalf("fields Id,RepoTags,Size: %.300v", narrow.Items)
	}
	// fields and the budget together: the narrowed answer is cut too, with the notice.
	res = small.MustSucceed(t, "list-images", map[string]any{"filters": filter["filters"], "fields": []string{"Id", "RepoTags"}})
	if !strings.Contains(Text(res), "RepoTags: kept the first ") {
		t.Fatalf("fields over budget: %.600s", Text(res))
	}
}
