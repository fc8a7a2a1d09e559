package cli

import (
	"io"
	"os"
	"strings"
	"testing"
)

// docs/settings.md's table holds the settings table's rows, in its order: each row's flag,
// its variables and its default as -h shows it; only the meaning is the page's own.
func TestSettingsDoc(t *testing.T) {
	page, err := os.ReadFile("../../docs/settings.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(page), "<!-- settings-table:start -->")
	table, _, ok2 := strings.Cut(rest, "<!-- settings-table:end -->")
	if !ok || !ok2 {
		t.Fatal("docs/settings.md has no settings-table markers")
	}
	lines := strings.Split(strings.TrimSpace(table), "\n")
	if len(lines) < 2 || lines[0] != "| flag | environment | default | meaning |" {
		t.Fatalf("table header %q", lines[0])
	}
	var rows [][]string
	for _, line := range lines[2:] {
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if len(cells) != 4 {
			t.Fatalf("row %q: %d cells, want 4", line, len(cells))
		}
		rows = append(rows, cells)
	}
	var want []*setting
	for _, s := range NewOptions(io.Discard).settings {
		if !s.hidden {
			want = append(want, s)
		}
	}
	if len(rows) != len(want) {
		t.Errorf("the table has %d rows; there are %d settings", len(rows), len(want))
	}
	for i := 0; i < len(rows) && i < len(want); i++ {
		got, s := rows[i], want[i]
		if got[0] != code("--"+s.flag) || got[1] != code(s.env)+codeAfter(s.alt) {
			t.Errorf("row %d is %q | %q; want the setting %s", i+1, got[0], got[1], code("--"+s.flag)+" "+code(s.env))
		}
		if s.def != "" && !strings.HasPrefix(got[2], code(s.def)) {
			t.Errorf("row %d (%s): default %q, want %s as -h shows it", i+1, got[0], got[2], code(s.def))
		}
		if got[3] == "" {
			t.Errorf("row %d (%s): no meaning", i+1, got[0])
		}
	}
}

// code is a name in backticks; "" and "--" stay empty.
func code(name string) string {
	if name == "" || name == "--" {
		return ""
	}
	return "`" + name + "`"
}

func codeAfter(name string) string {
	if name == "" {
		return ""
	}
	return ", " + code(name)
}

// Each row is whole: a flag has help that names its variable, a variable alone is not
// hidden from the docs unless it is for the bench, and every default is a value the row
// reads (unset, each setting takes it without an error).
func TestSettingsRows(t *testing.T) {
	o := NewOptions(io.Discard)
	seen := map[string]bool{}
	for _, s := range o.settings {
		for _, name := range []string{s.flag, s.env, s.alt} {
			if name != "" && seen[name] {
				t.Errorf("%s is in two rows", name)
			}
			seen[name] = true
		}
		switch {
		case s.flag == "" && s.env == "":
			t.Errorf("a row has neither a flag nor a variable")
		case s.read == nil:
			t.Errorf("--%s %s: no reader", s.flag, s.env)
		case s.flag != "" && (s.help == "" || !strings.Contains(s.help, s.env)):
			t.Errorf("--%s: help %q does not name %s", s.flag, s.help, s.env)
		case s.flag == "" && (s.help != "" || s.arg != "" || s.def != ""):
			t.Errorf("%s has no flag, but help, an argument name or a default for -h", s.env)
		case s.hidden && s.flag != "":
			t.Errorf("--%s is hidden but -h shows it", s.flag)
		}
	}
	if err := o.Validate(func(string) string { return "" }); err != nil {
		t.Fatalf("the defaults do not read: %v", err)
	}
}
