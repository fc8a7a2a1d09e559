package main

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/image-mcp/image-mcp/capabilities"
)

// The tables of the user docs that are checked against the loaded capabilities, so they
// cannot drift: the tools (docs/tools.md) and the Podman versions (docs/podman.md).

// The tools table lists every tool, in order, with the seed's name of a renamed one, its
// toolset and the hints the server really announces.
func TestDocsToolsTable(t *testing.T) {
	table := markedTable(t, "docs/tools.md", "tools-table")
	var rows [][]string
	for _, line := range strings.Split(strings.TrimSpace(table), "\n") {
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		rows = append(rows, cells)
	}
	header := "tool|seed name|toolset|what it does|readOnly|destructive|idempotent|openWorld"
	if len(rows) < 2 || strings.Join(rows[0], "|") != header {
		t.Fatalf("table header %v, want %s", rows[0], header)
	}
	rows = rows[2:]

	caps := capabilities.Embedded()
	announced := goldenAnnotations(t)
	yn := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	var want [][]string
	for _, c := range caps {
		for _, tl := range c.Tools {
			a, ok := announced[tl.Name]
			if !ok {
				t.Errorf("%s is not in the golden tools/list", tl.Name)
				continue
			}
			seed := ""
			if tl.Seed != "" {
				seed = "`" + tl.Seed + "`"
			}
			want = append(want, []string{"`" + tl.Name + "`", seed, c.Toolset, "", yn(a.ReadOnlyHint), yn(a.DestructiveHint), yn(a.IdempotentHint), yn(a.OpenWorldHint)})
		}
	}
	if len(rows) != len(want) {
		t.Errorf("the table has %d rows; the server has %d tools", len(rows), len(want))
	}
	for i := 0; i < len(rows) && i < len(want); i++ {
		got, w := rows[i], want[i]
		if len(got) != 8 {
			t.Errorf("row %d has %d cells: %v", i+1, len(got), got)
			continue
		}
		if got[3] == "" {
			t.Errorf("row %d (%s): no description", i+1, got[0])
		}
		got[3] = ""
		if strings.Join(got, "|") != strings.Join(w, "|") {
			t.Errorf("row %d:\n got %v\nwant %v", i+1, got, w)
		}
	}
}

// The Podman versions table holds exactly the corrections' minVersion rules, tool-wide
// and per argument, each in the row of its version.
func TestDocsVersionsTable(t *testing.T) {
	table := markedTable(t, "docs/podman.md", "versions-table")
	got := map[string]string{} // version → its row's text
	for _, line := range strings.Split(strings.TrimSpace(table), "\n")[2:] {
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		if len(cells) != 2 {
			t.Fatalf("row %q: want 2 cells", line)
		}
		got[strings.TrimSpace(cells[0])] = cells[1]
	}
	caps := capabilities.Embedded()
	seen := map[string]bool{}
	// A tool's rules are the segment of the row from its name to the next tool's.
	segment := func(row, tool string) (string, bool) {
		_, after, ok := strings.Cut(row, "`"+tool+"`")
		seg, _, _ := strings.Cut(after, ";")
		return seg, ok
	}
	for _, c := range caps {
		for _, tl := range c.Tools {
			if tl.MinVersion != "" {
				seen[tl.MinVersion] = true
				if _, ok := segment(got[tl.MinVersion], tl.Name); !ok {
					t.Errorf("%s needs %s: not in that row of the versions table (docs/podman.md)", tl.Name, tl.MinVersion)
				}
			}
			for _, a := range tl.Args {
				if a.MinVersion == "" {
					continue
				}
				seen[a.MinVersion] = true
				seg, ok := segment(got[a.MinVersion], tl.Name)
				if !ok || !slices.Contains(strings.FieldsFunc(seg, func(r rune) bool { return r == ',' || r == ' ' }), a.Name) {
					t.Errorf("%s %s needs %s: not in that row of the versions table (docs/podman.md)", tl.Name, a.Name, a.MinVersion)
				}
			}
		}
	}
	for v := range got {
		if !seen[v] {
			t.Errorf("the versions table (docs/podman.md) has a row %s, but no rule needs it", v)
		}
	}
}

// markedTable is the text of file between <!-- name:start --> and <!-- name:end -->.
func markedTable(t *testing.T, file, name string) string {
	t.Helper()
	doc, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "<!-- "+name+":start -->")
	table, _, ok2 := strings.Cut(rest, "<!-- "+name+":end -->")
	if !ok || !ok2 {
		t.Fatalf("%s has no %s markers", file, name)
	}
	return table
}

// hints are a tool's four annotations as tools/list gives them.
type hints struct {
	ReadOnlyHint, DestructiveHint, IdempotentHint, OpenWorldHint bool
}

// goldenAnnotations are the hints the server announces, by tool: the golden tools/list,
// which e2e's TestToolsListGolden holds to what the built server answers.
func goldenAnnotations(t *testing.T) map[string]hints {
	t.Helper()
	b, err := os.ReadFile("e2e/testdata/tools-list.golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Tools []struct {
			Name        string
			Annotations hints
		}
	}
	if err := json.Unmarshal(b, &list); err != nil {
		t.Fatal(err)
	}
	out := map[string]hints{}
	for _, tl := range list.Tools {
		out[tl.Name] = tl.Annotations
	}
	return out
}
