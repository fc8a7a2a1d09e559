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

// Text joins the text contents of a result.
func Text(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
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
