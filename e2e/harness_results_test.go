package e2e

// Reading a tool result as a client does: its text items, its answer, its notices.

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// checkAnswer: no answer carries structuredContent (a client that forwards it
// would drop the notices), and a success's last text item is its JSON, notices before it.
func checkAnswer(t testing.TB, name string, res *mcp.CallToolResult) {
	t.Helper()
	if res.StructuredContent != nil {
		t.Fatalf("%s: an answer with structuredContent: clients that forward it drop the text items, notices included", name)
	}
	if res.IsError || len(res.Content) == 0 {
		return
	}
	tc, ok := res.Content[len(res.Content)-1].(*mcp.TextContent)
	if !ok {
		t.Fatalf("%s: the last content block is %T, not the JSON text", name, res.Content[len(res.Content)-1])
	}
	if !json.Valid([]byte(tc.Text)) {
		t.Fatalf("%s: the last text block is not JSON: %.300s", name, tc.Text)
	}
}

// textItems are the texts of a result's text items, in order: what a client that reads
// the text hands the model. The one place the tests read a result's text.
func textItems(res *mcp.CallToolResult) []string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return parts
}

// Text joins the text contents of a result.
func Text(res *mcp.CallToolResult) string { return strings.Join(textItems(res), "\n") }

// Notices are the items of a result before its answer (the last item); each must be text.
func Notices(t testing.TB, res *mcp.CallToolResult) []string {
	t.Helper()
	if len(res.Content) == 0 {
		t.Fatal("a result with no content")
	}
	notices := res.Content[:len(res.Content)-1]
	if texts := textItems(&mcp.CallToolResult{Content: notices}); len(texts) != len(notices) {
		t.Fatalf("a notice is not text: %d of %d items are", len(texts), len(notices))
	}
	return textItems(&mcp.CallToolResult{Content: notices})
}

// Answer is a success's JSON: its last text item (notices come before it).
func Answer(res *mcp.CallToolResult) string {
	if len(res.Content) == 0 {
		return ""
	}
	tc, _ := res.Content[len(res.Content)-1].(*mcp.TextContent)
	if tc == nil {
		return ""
	}
	return tc.Text
}

// Structured decodes a result's answer (its JSON, the last text item) into v.
func Structured(t testing.TB, res *mcp.CallToolResult, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(Answer(res)), v); err != nil {
		t.Fatalf("answer %.300s: %v", Answer(res), err)
	}
}
