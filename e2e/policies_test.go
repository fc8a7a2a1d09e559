package e2e

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/tidwall/gjson"

	"github.com/image-mcp/image-mcp/internal/fakecentral"
)

// What a model reads of a tool's result depends on its client (2026):
//
//	S  structuredContent's JSON when the result has one, else the text items: Claude Code,
//	   the Copilot CLI, Codex, VS Code (by reports)
//	T  the text items only: older clients
//	B  both: Copilot in JetBrains
type policy string

const (
	policyS policy = "S"
	policyT policy = "T"
	policyB policy = "B"
)

var policies = []policy{policyS, policyT, policyB}

// seenAs renders a result as a client of the policy hands it to the model: text items
// joined by a blank line, structuredContent as JSON.stringify writes it.
func seenAs(p policy, res *mcp.CallToolResult) string {
	text := strings.Join(textItems(res), "\n\n")
	structured := ""
	if res.StructuredContent != nil {
		b, _ := json.Marshal(res.StructuredContent)
		structured = string(b)
	}
	switch p {
	case policyS:
		if structured != "" {
			return structured
		}
		return text
	case policyT:
		return text
	}
	if structured == "" {
		return text
	}
	return text + "\n\n" + structured
}

// chars is the length of s as clients count it: UTF-16 code units (JavaScript's length).
func chars(s string) int { return len(utf16.Encode([]rune(s))) }

// checkSeen: under every policy the model reads each of wants exactly once and, for a
// success, the answer's JSON exactly once (not twice under B).
func checkSeen(t *testing.T, res *mcp.CallToolResult, wants ...string) {
	t.Helper()
	for _, p := range policies {
		seen := seenAs(p, res)
		for _, w := range wants {
			if n := strings.Count(seen, w); n != 1 {
				t.Errorf("policy %s: the model reads %q %d times, want once, in:\n%.1500s", p, w, n, seen)
			}
		}
		if !res.IsError {
			if n := strings.Count(seen, Answer(res)); n != 1 {
				t.Errorf("policy %s: the model reads the answer %d times, want once", p, n)
			}
		}
	}
}

// Every kind of notice image-mcp gives (a cut and its continuation, Central's full page,
// an offset past the end or not used, a dry run, a plain "done", a version refusal,
// failures inside a 2xx answer, a long error cut short, a refused confirmation, a Central
// that is not configured) reaches the model once, whatever its client forwards.
func TestNoticesUnderEveryPolicy(t *testing.T) {
	needPodman(t)
	importTiny(t, 30, "issue23-notice")
	filters := `{"label":["issue13=issue23-notice"]}`
	tagBase(t, "localhost/issue23-notice-tag", "1")
	t.Cleanup(func() { untagName("localhost/issue23-notice-tag:2") })

	small := StartServer(t, ServerOptions{Args: []string{"--max-output-bytes", "3000"}})
	plain := StartServer(t, ServerOptions{})
	deny := StartServer(t, ServerOptions{Args: []string{"--confirm-destructive", "deny"}})
	fc := StartFakeCentral(t, FakeCentralOptions{Bulk: 3000})
	central := StartServer(t, ServerOptions{NoPod: true, Env: fc.Env(adminToken)})
	centralBig := StartServer(t, ServerOptions{NoPod: true, Env: fc.Env(adminToken), Args: []string{"--max-output-bytes", "100000"}})
	noCentral := StartServer(t, ServerOptions{NoPod: true})
	bulkID := fmt.Sprintf("sha256:%064x", 0xb000000+7)
	var missing []any
	for i := range 400 {
		missing = append(missing, fmt.Sprintf("localhost/issue23-no-such-image-with-a-long-name:%d", i))
	}

	for _, tc := range []struct {
		name  string
		s     *Server
		tool  string
		args  map[string]any
		fail  bool
		wants []string
	}{
		{"cut and continue (Podman)", small, "list-images", map[string]any{"filters": filters},
			false, []string{"over the 3000-byte output budget (--max-output-bytes), and was cut: (top level): kept the first ", `continue with {"offset": `}},
		{"offset past the end", small, "list-images", map[string]any{"filters": filters, "offset": 1000},
			false, []string{"NOTE: offset=1000 is at or past the end: (top level) has 30 items."}},
		{"done", plain, "tag-image", map[string]any{"name": baseImage, "repo": "localhost/issue23-notice-tag", "tag": "2"},
			false, []string{"tag-image: done (Podman answered HTTP 201 Created)."}},
		{"version refusal", plain, "pull-images", map[string]any{"reference": "localhost/issue23-none:1", "pullProgress": true},
			true, []string{`argument "pullProgress" needs Podman 6.0.0 or later; the connected Podman is `}},
		{"failures inside a 2xx answer", plain, "remove-images", map[string]any{"images": missing[:2]},
			true, []string{"remove-images: Podman reported errors: ", "Its whole answer (what did succeed is listed there)"}},
		{"a long error cut short", plain, "remove-images", map[string]any{"images": missing},
			true, []string{"remove-images: Podman reported errors: ", "\n… [cut: the error was "}},
		{"confirmation refused", deny, "remove-image-local-storage", map[string]any{"name": "localhost/issue23-notice-tag:1"},
			true, []string{"remove-image-local-storage was not run: it needs a person's confirmation"}},
		{"cut and continue (Central)", central, "stackrox-list-images", map[string]any{},
			false, []string{"images: kept the first ", `continue with {"pagination.offset": `}},
		{"full page", centralBig, "stackrox-list-images", map[string]any{"fields": []string{"id"}},
			false, []string{"NOTE: images is a full page of 1000 items, the most one call returns; there may be more.", `continue with {"pagination.offset": 1000}`}},
		{"offset not used", central, "stackrox-get-image", map[string]any{"id": bulkID, "offset": 1},
			false, []string{"NOTE: offset=1 was not used: the answer has no list at scan.components."}},
		{"dry run", central, "stackrox-delete-images", map[string]any{"query.query": "Image:registry.example.com/bulk/app-0000"},
			false, []string{"DRY RUN: nothing was deleted. 10 images match and would be deleted. To delete them, call stackrox-delete-images again with confirm=true."}},
		{"no Central", noCentral, "stackrox-list-images", map[string]any{},
			true, []string{"no StackRox Central is configured: set ROX_ENDPOINT"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.s.Call(t, tc.tool, tc.args)
			if res.IsError != tc.fail {
				t.Fatalf("isError %v, want %v: %.600s", res.IsError, tc.fail, Text(res))
			}
			checkSeen(t, res, tc.wants...)
			if tc.fail {
				for _, p := range policies {
					if n := chars(seenAs(p, res)); n > 10_000 {
						t.Errorf("policy %s: an error of %d characters, over 10,000", p, n)
					}
				}
			}
		})
	}
	if !imageExists(t, "localhost/issue23-notice-tag:1") {
		t.Fatal("the refused removal removed the image")
	}
}

var continueRE = regexp.MustCompile(`continue with (\{[^\n]*\})`)

// readAsPolicyS follows a chain of continued calls as a model of a policy S client does:
// from what it reads alone, the JSON answer and the arguments a notice says to continue
// with. It returns what items gives of every part, and the number of calls.
func readAsPolicyS(t *testing.T, s *Server, tool string, args map[string]any, items func(gjson.Result) []string) ([]string, int) {
	t.Helper()
	call := map[string]any{}
	for k, v := range args {
		call[k] = v
	}
	var got []string
	for n := 1; n <= 100; n++ {
		seen := seenAs(policyS, s.MustSucceed(t, tool, call))
		var answers []string
		for _, block := range strings.Split(seen, "\n\n") {
			if gjson.Valid(block) && strings.HasPrefix(block, "{") {
				answers = append(answers, block)
			}
		}
		if len(answers) != 1 {
			t.Fatalf("call %d: the model reads %d JSON answers in:\n%.800s", n, len(answers), seen)
		}
		got = append(got, items(gjson.Parse(answers[0]))...)
		m := continueRE.FindAllStringSubmatch(seen, -1)
		if len(m) == 0 {
			return got, n
		}
		var next map[string]any
		if len(m) != 1 || json.Unmarshal([]byte(m[0][1]), &next) != nil {
			t.Fatalf("call %d: the model cannot tell how to read on: %q", n, m)
		}
		for k, v := range next {
			call[k] = v
		}
	}
	t.Fatalf("%s: the chain does not end after 100 calls", tool)
	return nil, 0
}

// The two continuation chains, followed by a model that reads what a policy S client
// hands it and nothing else: every item once, in order.
func TestContinuationUnderPolicyS(t *testing.T) {
	t.Run("podman list-images", func(t *testing.T) {
		needPodman(t)
		const n = 61
		importTiny(t, n, "issue23-chain")
		filters := `{"label":["issue13=issue23-chain"]}`
		code, body, err := PodmanRaw("GET", "/libpod/images/json?filters="+url.QueryEscape(filters), nil)
		if err != nil || code != 200 {
			t.Fatalf("raw listing: %d %v", code, err)
		}
		want := gjson.GetBytes(body, "#.Id")
		s := StartServer(t, ServerOptions{Args: []string{"--max-output-bytes", "3000"}})
		got, calls := readAsPolicyS(t, s, "list-images", map[string]any{"filters": filters}, func(r gjson.Result) []string {
			var ids []string
			for _, id := range r.Get("items.#.Id").Array() {
				ids = append(ids, id.String())
			}
			return ids
		})
		var w []string
		for _, id := range want.Array() {
			w = append(w, id.String())
		}
		if len(w) != n || !reflect.DeepEqual(got, w) || calls < 3 {
			t.Fatalf("%d calls read %d images, the store has %d (every one once, in order)", calls, len(got), len(w))
		}
		t.Logf("%d images in %d calls", len(got), calls)
	})
	t.Run("stackrox list", func(t *testing.T) {
		fc := StartFakeCentral(t, FakeCentralOptions{Bulk: 2500})
		want := fc.ImageIDs()
		s := StartServer(t, ServerOptions{NoPod: true, Env: fc.Env(readToken)})
		got, calls := readAsPolicyS(t, s, "stackrox-list-images", map[string]any{}, func(r gjson.Result) []string {
			var ids []string
			for _, id := range r.Get("images.#.id").Array() {
				ids = append(ids, id.String())
			}
			return ids
		})
		if !reflect.DeepEqual(got, want) || calls < 4 {
			t.Fatalf("%d calls read %d images, Central has %d (every one once, in order)", calls, len(got), len(want))
		}
		t.Logf("%d images in %d calls", len(got), calls)
	})
}

// With the default budget, the biggest answers stay inline in Claude Code (at most 40,000
// characters, whatever the client forwards): a StackRox image with a 1.7 MB scan, a full
// page of Central's list, and a list of 60 local images.
func TestDefaultAnswersStayInline(t *testing.T) {
	fixture, err := fakecentral.Fixture(fakecentral.FixtureNodejs)
	if err != nil {
		t.Fatal(err)
	}
	fc := StartFakeCentral(t, FakeCentralOptions{Bulk: 3000})
	central := StartServer(t, ServerOptions{NoPod: true, Env: fc.Env(readToken)})
	cases := []struct {
		name string
		call func() *mcp.CallToolResult
	}{
		{"stackrox-get-image of the scan fixture", func() *mcp.CallToolResult {
			return central.MustSucceed(t, "stackrox-get-image", map[string]any{"id": gjson.GetBytes(fixture, "id").String()})
		}},
		{"stackrox-list-images, a full page", func() *mcp.CallToolResult {
			return central.MustSucceed(t, "stackrox-list-images", map[string]any{})
		}},
		{"list-images of 60 images", func() *mcp.CallToolResult {
			needPodman(t)
			importTiny(t, 60, "issue23-inline")
			return StartServer(t, ServerOptions{}).MustSucceed(t, "list-images", map[string]any{"filters": `{"label":["issue13=issue23-inline"]}`})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.call()
			var sizes []string
			for _, p := range policies {
				n := chars(seenAs(p, res))
				sizes = append(sizes, fmt.Sprintf("%s %d", p, n))
				if n > 40_000 {
					t.Errorf("policy %s: %d characters, over 40,000", p, n)
				}
			}
			t.Logf("characters the model reads: %s", strings.Join(sizes, ", "))
		})
	}
	t.Logf("the scan fixture is %d bytes (%d compact)", len(fixture), len(gjson.Get(string(fixture), "@ugly").Raw))
}

// A budget raised above the default is declared on every tool, so Claude Code keeps its
// answers inline; the default declares nothing; a budget no tool may declare, or none,
// stops the start.
func TestRaisedBudgetDeclared(t *testing.T) {
	listMeta := func(args ...string) map[string]any {
		t.Helper()
		s := StartServer(t, ServerOptions{NoPod: true, Args: args})
		out := map[string]any{}
		for _, tl := range listTools(t, s) {
			out[tl.Name] = tl.Meta["anthropic/maxResultSizeChars"]
		}
		return out
	}
	for name, v := range listMeta() {
		if v != nil {
			t.Errorf("%s declares %v with the default budget", name, v)
		}
	}
	raised := listMeta("--max-output-bytes", "200000")
	if len(raised) != 29 {
		t.Errorf("%d tools listed", len(raised))
	}
	for name, v := range raised {
		if v != float64(200000) {
			t.Errorf("%s declares %v, want 200000", name, v)
		}
	}
	// The biggest answer there is fits what is declared, under every policy.
	fixture, err := fakecentral.Fixture(fakecentral.FixtureNodejs)
	if err != nil {
		t.Fatal(err)
	}
	fc := StartFakeCentral(t, FakeCentralOptions{})
	s := StartServer(t, ServerOptions{NoPod: true, Env: fc.Env(readToken), Args: []string{"--max-output-bytes", "200000"}})
	res := s.MustSucceed(t, "stackrox-get-image", map[string]any{"id": gjson.GetBytes(fixture, "id").String()})
	for _, p := range policies {
		if n := chars(seenAs(p, res)); n > 200_000 || n <= 40_000 {
			t.Errorf("policy %s: %d characters; the budget is 200,000", p, n)
		}
	}
	for _, bad := range []string{"500001", "0"} {
		out, code := runBinary(t, nil, "--max-output-bytes", bad)
		if code != 2 || !strings.Contains(out, `--max-output-bytes "`+bad+`": want a number of bytes from 1 to 500000`) || !strings.Contains(out, "anthropic/maxResultSizeChars") {
			t.Errorf("--max-output-bytes %s: exit %d\n%s", bad, code, out)
		}
	}
}
