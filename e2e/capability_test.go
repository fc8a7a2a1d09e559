package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

const notesToken = "notes-secret-key"

// notesAPI is the upstream of e2e/testdata/notes.yaml: it checks the key header, echoes
// what it got, serves a large list, and counts or deletes by query.
type notesAPI struct {
	*httptest.Server
	mu       sync.Mutex
	requests []string // method, escaped path and query of every authorised request
}

func startNotesAPI(t *testing.T, items int) *notesAPI {
	api := &notesAPI{}
	api.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("X-Api-Key") != notesToken {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"message":"the API key is not valid"}`)
			return
		}
		api.mu.Lock()
		api.requests = append(api.requests, r.Method+" "+r.URL.RequestURI())
		api.mu.Unlock()
		switch {
		case r.Method == "GET" && strings.HasPrefix(r.URL.EscapedPath(), "/v1/notes/"):
			json.NewEncoder(w).Encode(map[string]any{"id": r.URL.Path[len("/v1/notes/"):], "rawPath": r.URL.EscapedPath(), "verbose": r.URL.Query().Get("verbose")})
		case r.Method == "GET" && r.URL.Path == "/v1/notes":
			notes := make([]map[string]any, items)
			for i := range notes {
				notes[i] = map[string]any{"id": fmt.Sprintf("n-%04d", i), "name": fmt.Sprintf("note %d", i), "size": i * 10,
					"tags": []string{"a", "b", "c"}, "body": strings.Repeat("lorem ipsum ", 8)}
			}
			json.NewEncoder(w).Encode(map[string]any{"query": r.URL.Query().Get("query"), "notes": notes})
		case r.Method == "DELETE" && r.URL.Path == "/v1/notes":
			json.NewEncoder(w).Encode(map[string]any{"numDeleted": 42, "dryRun": r.URL.Query().Get("confirm") != "true"})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(api.Close)
	return api
}

func (a *notesAPI) seen() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.requests)
}

func notesEnv(api *notesAPI) []string {
	return []string{"NOTES_TEST_URL=" + api.URL, "NOTES_TEST_TOKEN=" + notesToken}
}

const notesFile = "testdata/notes.yaml"

func TestCapabilityFileHappyPath(t *testing.T) {
	api := startNotesAPI(t, 3)
	s := StartServer(t, ServerOptions{NoPod: true, Args: []string{"--capability", notesFile}, Env: notesEnv(api)})
	names := listedTools(t, s)
	if len(names) != 32 || !slices.Contains(names, "get-note") || !slices.Contains(names, "list-notes") || !slices.Contains(names, "delete-notes") {
		t.Fatalf("tools/list with the capability: %v", names)
	}

	// A path parameter is one escaped segment; query and header auth travel.
	res := s.MustSucceed(t, "get-note", map[string]any{"id": "a/b c", "verbose": true})
	var got struct{ ID, RawPath, Verbose string }
	Structured(t, res, &got)
	if got.ID != "a/b c" || got.RawPath != "/v1/notes/a%2Fb%20c" || got.Verbose != "true" {
		t.Fatalf("the API got %+v", got)
	}
	res = s.MustSucceed(t, "list-notes", map[string]any{"query": "tag:old+x", "limit": 5})
	var list struct {
		Query string
		Notes []map[string]any
	}
	Structured(t, res, &list)
	if list.Query != "tag:old+x" || len(list.Notes) != 3 {
		t.Fatalf("list-notes: %+v", list)
	}
	if seen := api.seen(); !slices.Contains(seen, "GET /v1/notes?limit=5&query=tag%3Aold%2Bx") {
		t.Fatalf("the API saw %q", seen)
	}
	// Argument checking is the same as for built-in tools.
	s.MustFail(t, "get-note", map[string]any{}, `missing required argument "id"`)
	s.MustFail(t, "get-note", map[string]any{"id": "x", "colour": "red"}, `unknown argument "colour"`)

	// The toolset filter knows the capability's toolset.
	s2 := StartServer(t, ServerOptions{NoPod: true, Args: []string{"--capability", notesFile, "--toolsets", "notes"}, Env: notesEnv(api)})
	if got := listedTools(t, s2); !slices.Equal(got, []string{"delete-notes", "get-note", "list-notes"}) {
		t.Fatalf("--toolsets notes: %v", got)
	}
	out, code := runBinary(t, notesEnv(api), "--capability", notesFile, "--toolsets=notes", "--read-only", "--list-tools")
	if code != 0 || !strings.Contains(out, "get-note") || !strings.Contains(out, "GET     /v1/notes/{id}") || strings.Contains(out, "delete-notes") || !strings.Contains(out, "2 tools") {
		t.Fatalf("--list-tools (exit %d):\n%s", code, out)
	}
	// The environment variable names the files too.
	s3 := StartServer(t, ServerOptions{NoPod: true, Env: append(notesEnv(api), "IMAGE_MCP_CAPABILITIES="+notesFile)})
	s3.MustSucceed(t, "get-note", map[string]any{"id": "1"})
}

func TestCapabilityFileAuthErrors(t *testing.T) {
	api := startNotesAPI(t, 1)
	for _, tc := range []struct {
		name string
		env  []string
		want []string
	}{
		{name: "wrong-key", env: []string{"NOTES_TEST_URL=" + api.URL, "NOTES_TEST_TOKEN=wrong"},
			want: []string{"get-note: Notes API answered HTTP 401 Unauthorized: the API key is not valid", "Set NOTES_TEST_TOKEN"}},
		{name: "no-key", env: []string{"NOTES_TEST_URL=" + api.URL},
			want: []string{"needs the environment variable NOTES_TEST_TOKEN (its authentication value)"}},
		{name: "no-url", env: []string{"NOTES_TEST_TOKEN=" + notesToken},
			want: []string{"needs the environment variable NOTES_TEST_URL (its baseUri)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := StartServer(t, ServerOptions{NoPod: true, Args: []string{"--capability", notesFile}, Env: tc.env})
			res := s.MustFail(t, "get-note", map[string]any{"id": "1"}, tc.want...)
			if strings.Contains(Text(res), notesToken) || strings.Contains(s.StderrText(), notesToken) {
				t.Fatal("the key leaked into the output or the log")
			}
		})
	}
}

// A StackRox-like large list from the capability's API: the byte budget and `fields`.
func TestCapabilityLargeListBudgetAndFields(t *testing.T) {
	api := startNotesAPI(t, 2000)
	s := StartServer(t, ServerOptions{NoPod: true, Args: []string{"--capability", notesFile, "--max-output-bytes", "20000"}, Env: notesEnv(api)})
	res := s.MustSucceed(t, "list-notes", map[string]any{})
	text := Text(res)
	for _, w := range []string{"over the 20000-byte output budget (--max-output-bytes)", "notes: kept the first ", " of 2000 items", "To get less, call again with query, limit, fields."} {
		if !strings.Contains(text, w) {
			t.Fatalf("no %q in the notice:\n%.600s", w, text)
		}
	}
	var list struct{ Notes []map[string]any }
	Structured(t, res, &list)
	if n := len(Text(res)); len(list.Notes) == 0 || len(list.Notes) >= 2000 || n > 20000 {
		t.Fatalf("kept %d notes in %d bytes", len(list.Notes), n)
	}

	s2 := StartServer(t, ServerOptions{NoPod: true, Args: []string{"--capability", notesFile, "--max-output-bytes", "80000"}, Env: notesEnv(api)})
	res = s2.MustSucceed(t, "list-notes", map[string]any{"fields": []string{"id", "size"}})
	list.Notes = nil
	Structured(t, res, &list)
	if len(list.Notes) != 2000 {
		t.Fatalf("fields: %d notes", len(list.Notes))
	}
	for _, n := range list.Notes {
		if len(n) != 2 || n["id"] == nil || n["size"] == nil {
			t.Fatalf("fields id,size: item %v", n)
		}
	}
	if strings.Contains(Text(res), "NOTE:") {
		t.Fatal("a narrowed list that fits was cut")
	}
}

// The ask rule with a dry run, declared in notes.corrections.yaml: the question carries
// the count the dry run reported.
func TestCapabilityConfirmWithDryRunCount(t *testing.T) {
	for _, action := range []string{"accept", "decline"} {
		t.Run(action, func(t *testing.T) {
			api := startNotesAPI(t, 1)
			el := &elicitor{action: action}
			s := StartServer(t, ServerOptions{NoPod: true, Args: []string{"--capability", notesFile}, Env: notesEnv(api), Client: el.options()})
			res := s.Call(t, "delete-notes", map[string]any{"query": "tag:old", "confirm": true})
			q := el.asked()
			if len(q) != 1 || !strings.Contains(q[0], `Delete 42 notes matching "tag:old" from the Notes API?`) {
				t.Fatalf("question %q", q)
			}
			seen := api.seen()
			if len(seen) == 0 || seen[0] != "DELETE /v1/notes?confirm=false&query=tag%3Aold" {
				t.Fatalf("no dry run first: %q", seen)
			}
			confirmed := slices.Contains(seen, "DELETE /v1/notes?confirm=true&query=tag%3Aold")
			switch action {
			case "accept":
				if res.IsError || !confirmed {
					t.Fatalf("accepted delete: isError=%v, requests %q: %s", res.IsError, seen, Text(res))
				}
			case "decline":
				if !res.IsError || confirmed || !strings.Contains(Text(res), "declined") {
					t.Fatalf("declined delete: isError=%v, requests %q: %s", res.IsError, seen, Text(res))
				}
			}
			// A dry run (confirm false) asks nothing.
			s.MustSucceed(t, "delete-notes", map[string]any{"query": "tag:old"})
			if len(el.asked()) != 1 {
				t.Fatal("a dry run asked for confirmation")
			}
		})
	}
}

func TestCapabilityFileValidationErrors(t *testing.T) {
	spec, err := os.ReadFile(notesFile)
	if err != nil {
		t.Fatal(err)
	}
	corr, err := os.ReadFile("testdata/notes.corrections.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range validationCases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s, c := string(spec), string(corr)
			if tc.specOld != "" {
				if !strings.Contains(s, tc.specOld) {
					t.Fatalf("notes.yaml has no %q", tc.specOld)
				}
				s = strings.Replace(s, tc.specOld, tc.specN, 1)
			}
			if tc.corrOld != "" {
				if !strings.Contains(c, tc.corrOld) {
					t.Fatalf("notes.corrections.yaml has no %q", tc.corrOld)
				}
				c = strings.Replace(c, tc.corrOld, tc.corrN, 1)
			}
			path := filepath.Join(dir, "notes.yaml")
			os.WriteFile(path, []byte(s), 0o644)
			os.WriteFile(filepath.Join(dir, "notes.corrections.yaml"), []byte(c), 0o644)
			out, code := runBinary(t, nil, "--capability", path)
			want := filepath.Join(dir, "notes") + tc.want
			if code != 2 || !strings.HasPrefix(out, "image-mcp: ") || !strings.Contains(out, want) {
				t.Fatalf("exit %d, want 2 and %q in:\n%s", code, want, out)
			}
		})
	}
	t.Run("missing-file", func(t *testing.T) {
		out, code := runBinary(t, nil, "--capability", "/nonexistent/x.yaml")
		if code != 2 || !strings.Contains(out, "image-mcp: --capability /nonexistent/x.yaml: capability file: open /nonexistent/x.yaml: no such file or directory") {
			t.Fatalf("exit %d:\n%s", code, out)
		}
	})
}

// validationCase breaks notes.yaml or its corrections with one replacement; want follows
// "<dir>/notes" in the error that stops the start.
type validationCase struct {
	name           string
	specOld, specN string // replace in notes.yaml
	corrOld, corrN string // replace in notes.corrections.yaml
	want           string // after "<dir>/notes"
}

// validationCases: each mistake in a capability file or its corrections, and its message.
var validationCases = []validationCase{
	{name: "not-yaml", specOld: "naftiko: 1.0.0-alpha2", specN: "naftiko: [", want: ".yaml: not a valid YAML capability"},
	{name: "not-naftiko", specOld: "naftiko: 1.0.0-alpha2", specN: "", want: ".yaml: naftiko: missing: not a Naftiko capability"},
	{name: "bad-method", specOld: "method: DELETE", specN: "method: ERASE", want: `.yaml: operation notes.deletenotes.method: unknown HTTP method "ERASE"`},
	{name: "bad-type", specOld: "type: boolean\n          description: Include", specN: "type: bool\n          description: Include",
		want: `.yaml: operation notes.getnote.inputParameters[verbose].type: unknown parameter type "bool"`},
	{name: "bad-in", specOld: "in: query\n          type: integer", specN: "in: cookie\n          type: integer",
		want: `.yaml: operation notes.listnotes.inputParameters[limit].in: unsupported location "cookie"`},
	{name: "path-param-missing", specOld: "path: /v1/notes/{id}", specN: "path: /v1/notes/{noteId}",
		want: `.yaml: operation notes.getnote.inputParameters[id]: path parameter not in path "/v1/notes/{noteId}"`},
	{name: "call-unknown", specOld: "call: notes.getnote", specN: "call: notes.fetchnote",
		want: `.yaml: tool "get-note": call: "notes.fetchnote" names no consumed operation`},
	{name: "with-unknown-param", specOld: "verbose: tools.verbose", specN: "verbose: tools.verbose\n        colour: tools.colour",
		want: `.yaml: tool "get-note": with.colour: notes.getnote has no parameter "colour"`},
	{name: "required-not-mapped", specOld: "        id: tools.id\n", specN: "",
		want: `.yaml: tool "get-note": with: required parameter "id" of notes.getnote is not mapped`},
	{name: "duplicate-tool", specOld: "name: list-notes", specN: "name: get-note", want: `.yaml: tool "get-note": name: duplicate tool name`},
	{name: "bad-tool-name", specOld: "name: list-notes", specN: "name: list notes", want: `.yaml: tool "list notes": name: must be 1-128 characters`},
	{name: "no-mcp-tools", specOld: "type: mcp", specN: "type: rest", want: ".yaml: capability.exposes: no `type: mcp` adapter with tools"},
	{name: "collides-with-built-in", specOld: "name: get-note", specN: "name: list-images",
		want: `.yaml: tool "list-images": name: already a tool of podman-images.yaml (toolset "podman"); tool names must be unique across capabilities, rename it`},
	{name: "corrections-unknown-field", corrOld: "toolset: notes", corrN: "toolset: notes\ncolour: red",
		want: ".corrections.yaml: yaml: unmarshal errors:\n  line 4: field colour not found"},
	{name: "corrections-unknown-tool", corrOld: "  list-notes:", corrN: "  list-all-notes:",
		want: `.corrections.yaml: tool "list-all-notes": no such tool in`},
	{name: "corrections-bad-upstream", corrOld: "upstream: http", corrN: "upstream: ftp",
		want: `.corrections.yaml: upstream: unknown "ftp" (want podman, central or http)`},
	{name: "corrections-bad-role", corrOld: "role: fields", corrN: "role: sparkle",
		want: `.corrections.yaml: tool "list-notes": added[0].role: unknown role "sparkle"`},
	{name: "ask-not-destructive", specOld: "hints: {readOnly: false, destructive: true, idempotent: true}", specN: "hints: {readOnly: false, destructive: false, idempotent: true}",
		want: `.corrections.yaml: tool "delete-notes": ask: only destructive tools ask before a call (this one's hints: readOnly false, destructive false)`},
	{name: "ask-bad-when", corrOld: "- when: confirm", corrN: "- when: query",
		want: `.corrections.yaml: tool "delete-notes": ask[0].when: "query" is not a boolean argument of the tool`},
	{name: "ask-bad-placeholder", corrOld: `matching "{query}"`, corrN: `matching "{filter}"`,
		want: `.corrections.yaml: tool "delete-notes": ask[0].question: {filter} is not an argument of the tool`},
	{name: "ask-count-without-dry-run", corrOld: "dryRun: true", corrN: "dryRun: false",
		want: `.corrections.yaml: tool "delete-notes": ask[0].question: {count} needs dryRun: true`},
	{name: "ask-no-question", corrOld: `      question: 'Delete {count} notes matching "{query}" from the Notes API?'`, corrN: "",
		want: `.corrections.yaml: tool "delete-notes": ask[0].question: missing: say what will be affected`},
}
