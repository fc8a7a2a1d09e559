package tools

import (
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// MaxErrorChars bounds the text of an isError result: Claude Code cuts one near 11,000
// characters, wherever that falls; cut here, the model is told it was.
const MaxErrorChars = 10_000

// boundError cuts the text of an isError result to MaxErrorChars characters as clients
// count them (UTF-16 code units), at a character's boundary, ending with a note that says
// how long it was. Other results pass as they are.
func boundError(res *mcp.CallToolResult) *mcp.CallToolResult {
	if res == nil || !res.IsError {
		return res
	}
	total := 0
	for i, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			if i > 0 {
				total += itemSep
			}
			total += utf16Len(tc.Text)
		}
	}
	if total <= MaxErrorChars {
		return res
	}
	note := fmt.Sprintf("\n… [cut: the error was %d characters; this is its first part]", total)
	room := MaxErrorChars - utf16Len(note)
	var kept []mcp.Content
	for i, c := range res.Content {
		tc, ok := c.(*mcp.TextContent)
		if !ok {
			continue
		}
		if i > 0 {
			room -= itemSep
		}
		n := utf16Len(tc.Text)
		if n <= room {
			kept = append(kept, tc)
			room -= n
			continue
		}
		kept = append(kept, &mcp.TextContent{Text: prefixChars(tc.Text, max(room, 0)) + note})
		break
	}
	res.Content = kept
	return res
}

// utf16Len is the length of s in UTF-16 code units, as JavaScript counts a string.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

// prefixChars is the longest prefix of s of at most n UTF-16 code units that ends at a
// character's boundary.
func prefixChars(s string, n int) string {
	used := 0
	for i, r := range s {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if used+w > n {
			return s[:i]
		}
		used += w
	}
	return s
}
