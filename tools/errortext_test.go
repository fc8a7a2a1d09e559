package tools

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// An isError text over MaxErrorChars characters (UTF-16, as clients count) is cut at a
// character's boundary, with a note that says so; a shorter one and a success are kept.
func TestBoundError(t *testing.T) {
	for _, tc := range []struct {
		name string
		text string
		cut  bool
	}{
		{"short", "no such image", false},
		{"at the bound", strings.Repeat("a", MaxErrorChars), false},
		{"ascii", strings.Repeat("a", 50_000), true},
		{"three-byte runes", strings.Repeat("€", 20_000), true},
		{"surrogate pairs", strings.Repeat("😀", 20_000), true},
		{"a pair across the bound", strings.Repeat("a", MaxErrorChars-60) + strings.Repeat("😀", 100), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := boundError(errorResult("%s", tc.text))
			got := res.Content[0].(*mcp.TextContent).Text
			if n := utf16Len(got); n > MaxErrorChars {
				t.Fatalf("%d characters, over %d", n, MaxErrorChars)
			}
			if !utf8.ValidString(got) {
				t.Fatal("cut inside a character")
			}
			noted := strings.Contains(got, "[cut: the error was")
			if noted != tc.cut || (!tc.cut && got != tc.text) {
				t.Fatalf("cut %v, want %v: %.80q…", noted, tc.cut, got)
			}
			if tc.cut && !strings.HasPrefix(tc.text, strings.TrimSuffix(got[:strings.Index(got, "\n… [cut")], "")) {
				t.Fatal("the kept text is not the error's beginning")
			}
		})
	}
	// Several items count together, separators included.
	res := boundError(&mcp.CallToolResult{IsError: true, Content: []mcp.Content{
		&mcp.TextContent{Text: strings.Repeat("x", 6000)}, &mcp.TextContent{Text: strings.Repeat("y", 6000)}}})
	if n := len(res.Content[0].(*mcp.TextContent).Text) + itemSep + utf16Len(res.Content[1].(*mcp.TextContent).Text); len(res.Content) != 2 || n > MaxErrorChars {
		t.Fatalf("two items: %d items, %d characters", len(res.Content), n)
	}
	// A success is never cut here (the output budget shapes it).
	ok := answerResult([]byte(`"` + strings.Repeat("z", 20_000) + `"`))
	if boundError(ok) != ok || len(ok.Content[0].(*mcp.TextContent).Text) != 20_002 {
		t.Fatal("a success was changed")
	}
}
