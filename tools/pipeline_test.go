package tools

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/upstream"
)

// pipelineCase is a call, the upstream's answer, and what the call comes to.
type pipelineCase struct {
	name    string
	tool    string
	args    string
	answer  func(w http.ResponseWriter, r *http.Request)
	wantReq string // what reached the upstream
	isError bool
	want    []string // in the result's text
}

var pipelineCases = []pipelineCase{
	{name: "JSON answer", tool: "inspect-image", args: `{"name":"localhost/x:1"}`,
		answer:  jsonAnswer(200, `{"Id":"sha256:1","RepoTags":["localhost/x:1"]}`),
		wantReq: "GET /libpod/images/localhost%2Fx:1/json", want: []string{`"Id":"sha256:1"`}},
	{name: "exists: 204", tool: "image-exists", args: `{"name":"x"}`, answer: status(204),
		wantReq: "GET /libpod/images/x/exists", want: []string{`{"exists":true}`}},
	{name: "exists: 404", tool: "image-exists", args: `{"name":"x"}`, answer: jsonAnswer(404, `{"cause":"image not known","message":"failed to find image x: image not known","response":404}`),
		wantReq: "GET /libpod/images/x/exists", want: []string{`{"exists":false}`}},
	{name: "empty answer", tool: "tag-image", args: `{"name":"x","repo":"localhost/y","tag":"2"}`, answer: status(201),
		wantReq: "POST /libpod/images/x/tag?repo=localhost%2Fy&tag=2", want: []string{`"ok":true`, `"status":201`}},
	{name: "upstream error", tool: "inspect-image", args: `{"name":"nope"}`,
		answer:  jsonAnswer(404, `{"cause":"image not known","message":"failed to find image nope: image not known","response":404}`),
		wantReq: "GET /libpod/images/nope/json", isError: true, want: []string{"404", "failed to find image nope"}},
	{name: "not JSON", tool: "stackrox-count-images", args: `{}`, answer: func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>proxy</html>")) },
		wantReq: "GET /v1/imagescount", isError: true, want: []string{"not JSON", "<html>proxy</html>"}},
	{name: "NDJSON stream", tool: "pull-images", args: `{"reference":"localhost/x:1"}`,
		answer:  ndjson(`{"stream":"Trying to pull localhost/x:1...\n"}`, `{"images":["sha256:1"],"id":"sha256:1"}`),
		wantReq: "POST /libpod/images/pull?reference=localhost%2Fx%3A1", want: []string{"sha256:1"}},
	{name: "NDJSON stream failing after its 200", tool: "pull-images", args: `{"reference":"localhost/x:1"}`,
		answer:  ndjson(`{"stream":"Trying to pull localhost/x:1...\n"}`, `{"error":"initializing source: connection refused"}`),
		wantReq: "POST /libpod/images/pull?reference=localhost%2Fx%3A1", isError: true, want: []string{"connection refused"}},
	// Bounds on what an upstream sends (limits.go).
	{name: "answer declared over --max-answer-bytes", tool: "stackrox-count-images", args: `{}`, answer: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(300<<20))
		w.Write([]byte(`{"count":`))
	}, wantReq: "GET /v1/imagescount", isError: true, want: []string{"larger than 268435456 bytes (--max-answer-bytes", "was not read further"}},
	{name: "JSON nested ten million levels", tool: "stackrox-count-images", args: `{}`, answer: jsonAnswer(200, strings.Repeat("[", 10_000_000)),
		wantReq: "GET /v1/imagescount", isError: true, want: []string{"nested deeper than 512 levels"}},
	{name: "error body nested deep", tool: "inspect-image", args: `{"name":"x"}`, answer: jsonAnswer(500, strings.Repeat(`{"message":`, 60_000)),
		wantReq: "GET /libpod/images/x/json", isError: true, want: []string{"HTTP 500", `{"message":{"message":`}},
	{name: "redirect", tool: "stackrox-count-images", args: `{}`, answer: func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://elsewhere.example/v1/imagescount", http.StatusFound)
	}, wantReq: "GET /v1/imagescount", isError: true, want: []string{`HTTP 302 Found, a redirect to "https://elsewhere.example/v1/imagescount"`, "does not follow redirects"}},
	{name: "NDJSON line over 1 MiB", tool: "pull-images", args: `{"reference":"localhost/x:1"}`,
		answer:  ndjson(`{"stream":"Trying to pull localhost/x:1...\n"}`, `{"stream":"`+strings.Repeat("a", 2<<20)),
		wantReq: "POST /libpod/images/pull?reference=localhost%2Fx%3A1", isError: true, want: []string{"line 2 of the stream is longer than 1048576 bytes", "Trying to pull"}},
	{name: "NDJSON line nested deep", tool: "pull-images", args: `{"reference":"localhost/x:1"}`,
		answer:  ndjson(strings.Repeat("[", 100_000)),
		wantReq: "POST /libpod/images/pull?reference=localhost%2Fx%3A1", isError: true, want: []string{"line 1 of the stream is JSON nested deeper than 512 levels"}},
	{name: "bad arguments reach nothing", tool: "inspect-image", args: `{"name":"x","colour":"red"}`, isError: true,
		want: []string{`unknown argument "colour"`}},
}

// The branches of one call (check → request → send → read → shape) through its handler,
// against an httptest upstream answering as the API would, one row per branch.
func TestPipelineBranches(t *testing.T) {
	for _, tc := range pipelineCases {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var got []string
			api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				got = append(got, r.Method+" "+r.URL.RequestURI())
				mu.Unlock()
				tc.answer(w, r)
			}))
			defer api.Close()
			isError, text := callAPI(t, api.URL, specTool(t, tc.tool), tc.args)
			api.Close() // every handler has returned
			mu.Lock()
			defer mu.Unlock()
			if tc.wantReq == "" && len(got) != 0 || tc.wantReq != "" && (len(got) != 1 || got[0] != tc.wantReq) {
				t.Fatalf("upstream got %q, want %q", got, tc.wantReq)
			}
			if isError != tc.isError {
				t.Fatalf("isError %v, want %v: %s", isError, tc.isError, text)
			}
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("result lacks %q:\n%s", w, text)
				}
			}
		})
	}
}

// callAPI calls the tool as a client would (a bad argument is the result the model
// would see) with an engine whose upstream is base.
func callAPI(t *testing.T, base string, tl *capabilities.Tool, args string) (isError bool, text string) {
	t.Helper()
	e := New(Config{
		Tools:          []*capabilities.Tool{tl},
		Kinds:          kindsOf(httpClient(t, base)),
		MaxOutputBytes: 80000,
		Timeout:        time.Minute,
		Log:            zerolog.Nop(),
	})
	res := callTool(t, e, tl, callRequest(tl, args, false, "", ""))
	return res.IsError, resultText(res)
}

func jsonAnswer(code int, body string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		w.Write([]byte(body))
	}
}

func status(code int) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) }
}

func ndjson(lines ...string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-json-stream")
		for _, l := range lines {
			fmt.Fprintln(w, l)
		}
	}
}

// The calls that end before or without an answer: no upstream, an upstream that is gone,
// one slower than the timeout.
func TestPipelineWithoutAnAnswer(t *testing.T) {
	count := toolAt(t, "GET", "/v1/imagescount")
	gone := httptest.NewServer(http.NotFoundHandler())
	goneURL := gone.URL
	gone.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer slow.Close()
	for _, tc := range []struct {
		name    string
		kinds   upstream.Kinds
		timeout time.Duration
		want    []string
	}{
		{name: "not configured", kinds: kindsAnswering(fixedKind{err: errors.New("StackRox Central is not configured: set ROX_ENDPOINT")}),
			want: []string{count.Name, "set ROX_ENDPOINT"}},
		{name: "no such kind", kinds: upstream.Kinds{}, want: []string{count.Name, `no upstream of kind "central" is registered`}},
		{name: "upstream gone", kinds: kindsOf(httpClient(t, goneURL)), want: []string{count.Name, "connection refused"}},
		{name: "timeout", kinds: kindsOf(httpClient(t, slow.URL)), timeout: 50 * time.Millisecond, want: []string{count.Name, "did not answer within 50ms"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := New(Config{Tools: []*capabilities.Tool{count}, Kinds: tc.kinds, Timeout: tc.timeout, Log: zerolog.Nop()})
			res := callTool(t, e, count, callRequest(count, `{}`, false, "", ""))
			if !res.IsError {
				t.Fatalf("want an isError: %s", resultText(res))
			}
			for _, w := range tc.want {
				if !strings.Contains(resultText(res), w) {
					t.Errorf("result lacks %q: %s", w, resultText(res))
				}
			}
		})
	}
}

// A big answer (256 KiB or more), JSON or not, is reported to Config.BigAnswer once read;
// a small one is not. It is shaped the same either way: checked, compacted, cut.
func TestBigAnswerReported(t *testing.T) {
	inspect := toolAt(t, "GET", "/libpod/images/{name}/json")
	big := `{"Id":"sha256:1","Labels":{"a":"` + strings.Repeat("x ", 200_000) + `"}}`
	for _, tc := range []struct {
		name, body string
		reported   bool
		isError    bool
		want       string
	}{
		{"small", `{"Id":"sha256:1"}`, false, false, `"Id":"sha256:1"`},
		{"big", big, true, false, "Labels.a: text shortened"},
		{"big, pretty-printed", strings.ReplaceAll(big, `,"Labels"`, ",\n    \"Labels\""), true, false, "Labels.a: text shortened"},
		{"big, not JSON", big[:len(big)-1], true, true, "not JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := httptest.NewServer(http.HandlerFunc(jsonAnswer(200, tc.body)))
			defer api.Close()
			reported := 0
			e := New(Config{
				Tools:          []*capabilities.Tool{inspect},
				Kinds:          kindsOf(httpClient(t, api.URL)),
				MaxOutputBytes: 80000,
				Log:            zerolog.Nop(),
				BigAnswer:      func() { reported++ },
			})
			res := callTool(t, e, inspect, callRequest(inspect, `{"name":"x"}`, false, "", ""))
			if text := resultText(res); res.IsError != tc.isError || !strings.Contains(text, tc.want) {
				t.Fatalf("isError %v, want %v; %q not in %.300s", res.IsError, tc.isError, tc.want, text)
			}
			if (reported == 1) != tc.reported || reported > 1 {
				t.Fatalf("reported %d times, want %v", reported, tc.reported)
			}
		})
	}
}
