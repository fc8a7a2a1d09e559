package tools

// Every quirk of the seeds listed in docs/naftiko.md, and the test that covers how the
// engine handles it. (cap: package capabilities, e2e: package e2e; others by name.)
//
// Meaning of the format
//   [x] a tool's arguments are the `with`-mapped parameters of the consumed operation
//         cap TestLoadValid (an unmapped X-Auth is no argument), TestInputSchemaSpecTools
//   [x] `with` values are `tools.<name>`; anything else is refused at start
//         cap TestLoadProblems "with value not tools.x", "with names a missing parameter"
//   [x] dotted names (pagination.limit) are flat: schema property and wire query key as is
//         TestInputSchemaSpecTools, TestBuildRequest "dotted query keys", e2e TestToolSchemas
//   [x] single-brace paths; a path parameter is exactly one escaped segment
//         TestBuildRequest "path …" cases, TestEscapeSegment, TestBuildRequestEmptyPathSegment, e2e TestPathEscape
//   [x] `in: body` + `type: object` is the JSON request body
//         TestBuildRequestJSONBody
//   [x] `in: body` + `type: string` (`upload` of load, import) is a tar file streamed from disk
//         TestBuildRequestInputFile, cap TestEmbeddedCorrections (roles)
//   [x] `mapping: $.` passes the whole body through (no `{}` as the Java engine returns)
//         TestShaperJSON "passthrough"
//   [x] hints become annotations; destructiveHint defaults to true, so it is always explicit
//         cap TestLoadDestructiveDefault, TestMCPToolAnnotations, e2e TestToolAnnotations
//   [x] openWorld is absent from the seeds: the corrections state it for every tool
//         cap TestEmbeddedToolsComplete, TestMCPToolAnnotations
//   [x] exposes' port/transport do not apply to stdio: ignored (nothing reads them)
// StackRox
//   [x] baseUri https://{central-host} is filled from ROX_ENDPOINT
//         central TestCentralBase
//   [x] Authorization value `{{env.STACKROX_API_KEY}}` gets `Bearer ` (once)
//         central TestCentralToken
//   [x] the REST expose doubles /v1: tools use the consumed paths
//         cap TestEmbeddedCorrections (getimage path)
//   [x] countimages carries ListImages' description: corrected; the tool name stays `-2`
//         cap TestEmbeddedSpecsLoad (names), TestEmbeddedCorrections (description)
//   [x] invalidatescanandregistrycaches is hinted readOnly: corrected
//         cap TestEmbeddedCorrections, e2e TestToolAnnotations
//   [x] deleteimages without confirm=true is a dry run: said plainly; a blank query refused
//         TestConfirmDryRun
//   [x] `+` in a search query must reach Central as %2B, not a space
//         upstreamhttp TestEncodeQuery
// Podman
//   [x] baseUri http://podman.io is a placeholder: the socket, with the version prefix
//         from /_ping; e2e TestPathEscape (recorded RequestURI starts /v<version>/libpod)
//   [x] binds PODMAN_API_KEY but has no auth: Podman tools work with it unset
//         podman TestKindNeedsNoBinds, e2e (the servers run with a clean environment)
//   [x] headers are tool arguments (Content-Type, X-Registry-Config, X-Registry-Auth);
//         values with CR/LF are refused
//         TestBuildRequest "header", TestCheckArguments "header …"
//   [x] tar uploads (load, import) from files; build's context from a directory
//         TestBuildRequestInputFile, cap TestEmbeddedCorrections (roles)
//   [x] streams: pull/push/build are NDJSON with failures inside a 200
//         podman TestReadNDJSON (real Podman 4.3.1 streams in podman/testdata/)
//   [x] remove of several images answers 200 with {"Errors":[...],"ExitCode":1} when some fail:
//         an isError that keeps the whole answer (errorsAt in the corrections)
//         TestReportedErrors, e2e TestBusyboxScenario (a missing name among several)
//   [x] 204/201 with empty bodies (exists, tag, untag): a clear success; exists 404 → false
//         e2e TestBusyboxScenario, TestPathEscape (exists false for odd names)
//   [x] Podman error bodies {"cause","message","response"} → isError with message and status
//         e2e TestPodmanErrorBody
//   [x] 4.3.1 answers 405 to resolve (changes does work on 4.3.1, despite older notes)
//         e2e TestVersionGate, TestBusyboxScenario (changes' real result)
//   [x] array query parameters repeat the key
//         TestBuildRequest "arrays repeat the key", upstreamhttp TestEncodeQuery, e2e TestBusyboxScenario (images)
//   [x] descriptions cut mid-word are replaced
//         cap TestEmbeddedCorrections
//   [x] debatable hints (prune, untag non-destructive; get/export readOnly): corrected
//         cap TestEmbeddedCorrections, e2e TestToolAnnotations
//   [x] localcontextdir / path are on the Podman host: minVersion 5.7.0 (the /libpod/local routes
//       are absent from every 5.6.x tag) and descriptions say so
//         cap TestEmbeddedCorrections (minVersion), e2e TestVersionGate (nothing sent but /_ping),
//         e2e TestLocalBuildAndLoad (really builds and loads on Podman 5.8, the error on 4.3.1)
//   [x] Podman ignores unknown query parameters: arguments newer than the connected Podman
//       (per-argument minVersion, from each release's handlers) are refused, not dropped
//         cap TestEmbeddedCorrections, e2e TestVersionGate, TestBuildImage (sourcedateepoch)
//   [x] "URL" arguments Podman reads as paths when they are not URLs (remote, import's url,
//       additionalbuildcontexts), and a JSON-array dockerfile 4.3.1 reads from its working
//       directory: roles url, build-contexts, context-file
//         podman TestContainerfilePaths, TestAdditionalBuildContexts, e2e TestRemoteLocalPathDeletesNothing,
//         TestImportURLLocalPath, TestAdditionalBuildContextsOutside, TestContainerfileOutsideContext

import (
	"encoding/json"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestMCPToolAnnotations(t *testing.T) {
	// The served tools are those of the reviewed tools/list snapshot (e2e/golden_test.go).
	b, err := os.ReadFile("../e2e/testdata/tools-list.golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var golden struct{ Tools []struct{ Name string } }
	if err := json.Unmarshal(b, &golden); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, tl := range golden.Tools {
		want = append(want, tl.Name)
	}
	slices.Sort(want)
	if got := slices.Sorted(maps.Keys(specTools)); !slices.Equal(got, want) {
		t.Fatalf("tools %v, want the snapshot's %v", got, want)
	}
	for name, tl := range specTools {
		mt := mcpTool(tl, Schema(tl))
		a := mt.Annotations
		// annotations.title would repeat the title in every tools/list.
		if mt.Name != name || mt.Title == "" || a == nil || a.Title != "" {
			t.Errorf("%s: name/title %q %q %+v", name, mt.Name, mt.Title, a)
			continue
		}
		if a.DestructiveHint == nil || a.OpenWorldHint == nil {
			t.Errorf("%s: destructiveHint and openWorldHint must be explicit", name)
			continue
		}
		if a.ReadOnlyHint != tl.ReadOnly || *a.DestructiveHint != tl.Destructive || a.IdempotentHint != tl.Idempotent || *a.OpenWorldHint != *tl.OpenWorld {
			t.Errorf("%s: annotations %+v differ from the tool's hints", name, a)
		}
		// On the wire, all four hints are present even when false.
		b, _ := json.Marshal(a)
		var m map[string]any
		json.Unmarshal(b, &m)
		for _, k := range []string{"readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"} {
			if _, ok := m[k]; !ok {
				t.Errorf("%s: %s missing from %s", name, k, b)
			}
		}
	}
}

func TestConfirmDryRun(t *testing.T) {
	del := specTool(t, "deleteimage-removes-images-based-query")
	cases := []struct {
		name    string
		args    Values
		refused bool
	}{
		{"blank query, unconfirmed", Values{}, true},
		{"whitespace query, unconfirmed", Values{"query.query": "  "}, true},
		{"query, unconfirmed", Values{"query.query": "Image:old"}, false},
		{"blank query, confirmed", Values{"confirm": true}, false},
	}
	for _, tc := range cases {
		err := checkConfirmScope(del, tc.args)
		if (err != nil) != tc.refused {
			t.Errorf("%s: refused=%v, want %v", tc.name, err != nil, tc.refused)
		}
		if err != nil {
			if txt := resultText(resultOf(err)); !strings.Contains(txt, "ALL images") || !strings.Contains(txt, "confirm=true") {
				t.Errorf("%s: %s", tc.name, txt)
			}
		}
	}
	n := confirmNotice(del, Values{"query.query": "Image:old"}, []byte(`{"numDeleted": 3}`))
	if !strings.Contains(n, "DRY RUN") || !strings.Contains(n, "3 images") || !strings.Contains(n, "confirm=true") {
		t.Errorf("dry-run notice %q", n)
	}
	for _, tc := range []struct{ count, notice, question string }{
		{"0", "0 images match", "Delete 0 images matching"},
		{"1", "1 image matches and would be deleted. To delete it,", "Delete 1 image matching"},
		{"2", "2 images match and would be deleted. To delete them,", "Delete 2 images matching"},
	} {
		if n := confirmNotice(del, Values{"query.query": "Image:old"}, []byte(`{"numDeleted": `+tc.count+`}`)); !strings.Contains(n, tc.notice) {
			t.Errorf("dry-run notice %q, want %q", n, tc.notice)
		}
		if q := fillQuestion(del, del.AskFor(func(string) bool { return true }).Question, Values{"query.query": "Image:old"}, tc.count); !strings.HasPrefix(q, tc.question) {
			t.Errorf("question %q, want %q…", q, tc.question)
		}
	}
	if n := confirmNotice(del, Values{"query.query": "x", "confirm": true}, []byte(`{"numDeleted": 3}`)); n != "" {
		t.Errorf("confirmed call has a dry-run notice %q", n)
	}
	if n := confirmNotice(specTool(t, "list-images"), Values{}, []byte(`[]`)); n != "" {
		t.Errorf("a tool without a confirm rule has a notice %q", n)
	}
}

// The arguments named when an answer is cut are those the corrections give role fields,
// limit or narrow; pagination.offset is not a way to get less (the continuation notice
// gives it). Every other tool has nothing to name.
func TestNarrowHint(t *testing.T) {
	want := map[string]string{
		"stackrox-delete-images": "To get less, call again with query.pagination.limit.",
		"stackrox-get-image":     "To get less, call again with fields.",
		"list-images":            "To get less, call again with filters, fields.",
		"stackrox-list-images":   "To get less, call again with query, pagination.limit, fields.",
		"stackrox-count-images":  "To get less, call again with query, pagination.limit.",
		"prune-unused-images":    "To get less, call again with filters.",
		"search-images":          "To get less, call again with limit, filters.",
	}
	for name, tl := range specTools {
		if got := narrowHint(tl); got != want[name] {
			t.Errorf("%s: hint %q, want %q", name, got, want[name])
		}
	}
}
