package e2e

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// update rewrites the golden files from what the server answers now:
//
//	go test ./e2e -run TestToolsListGolden -update
//
// then review the diff: every change in it is a change a client sees.
var update = flag.Bool("update", false, "rewrite e2e/testdata/*.golden.json from the server's answers")

const toolsListGolden = "testdata/tools-list.golden.json"

// TestToolsListGolden compares the whole tools/list answer, as it is on the wire (names,
// titles, descriptions, schemas, annotations, order), with the reviewed snapshot.
func TestToolsListGolden(t *testing.T) {
	r := StartRaw(t, ServerOptions{NoPod: true})
	var answer struct {
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(r.Request(t, "tools/list", `{}`), &answer); err != nil || answer.Result == nil {
		t.Fatalf("tools/list: no result (%v)", err)
	}
	var got bytes.Buffer
	if err := json.Indent(&got, answer.Result, "", "  "); err != nil {
		t.Fatal(err)
	}
	got.WriteByte('\n')
	if *update {
		if err := os.WriteFile(toolsListGolden, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote %s", toolsListGolden)
		return
	}
	want, err := os.ReadFile(toolsListGolden)
	if err != nil {
		t.Fatalf("%v (make it with -update)", err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		diffPath := filepath.Join(t.TempDir(), "tools-list.json")
		os.WriteFile(diffPath, got.Bytes(), 0o644)
		t.Fatalf("tools/list differs from %s (the answer is in %s; if the change is meant, run with -update and review the diff):\n%s",
			toolsListGolden, diffPath, firstDifference(want, got.Bytes()))
	}
}

// firstDifference shows the first line where two texts differ.
func firstDifference(want, got []byte) string {
	w, g := bytes.Split(want, []byte("\n")), bytes.Split(got, []byte("\n"))
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl []byte
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if !bytes.Equal(wl, gl) {
			return fmt.Sprintf("line %d:\n want %s\n  got %s", i+1, wl, gl)
		}
	}
	return "(same lines)"
}

// goldenToolNames are the tool names of the reviewed tools/list snapshot, in its order:
// what other tests compare a listing with, instead of a hard-coded count.
func goldenToolNames(t testing.TB) []string {
	t.Helper()
	b, err := os.ReadFile(toolsListGolden)
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Tools []struct {
			Name string `json:"name"`
		} `json:"tools"`
	}
	if err := json.Unmarshal(b, &list); err != nil {
		t.Fatalf("%s: %v", toolsListGolden, err)
	}
	names := make([]string, len(list.Tools))
	for i, tl := range list.Tools {
		names[i] = tl.Name
	}
	if len(names) == 0 {
		t.Fatalf("%s lists no tools", toolsListGolden)
	}
	return names
}

// sameToolNames fails the test unless names are the snapshot's tools (in any order).
func sameToolNames(t testing.TB, what string, names []string) {
	t.Helper()
	want := slices.Sorted(slices.Values(goldenToolNames(t)))
	got := slices.Sorted(slices.Values(names))
	if !slices.Equal(got, want) {
		t.Fatalf("%s lists %d tools %v, want the %d of %s: %v", what, len(got), got, len(want), toolsListGolden, want)
	}
}
