// Package jsondepth measures how deep JSON text nests, in one pass without recursion, so
// that text nested too deep is refused before a recursive parser (gjson, the go-sdk's
// decoder) sees it: gjson's validator recurses once per level, and ten million levels
// overflow the stack of any goroutine (a fatal error, not a panic).
package jsondepth

import "bytes"

// Exceeds tells whether data nests objects and arrays more than max levels deep. Only
// brackets outside strings count; the text need not be valid JSON (its parser judges
// that, once it is known to be shallow enough).
func Exceeds(data []byte, max int) bool {
	depth := 0
	for i := 0; i < len(data); i++ {
		if !structural[data[i]] {
			continue
		}
		switch data[i] {
		case '"':
			// Skip the string: to the next quote not escaped by an odd run of backslashes.
			for {
				j := bytes.IndexByte(data[i+1:], '"')
				if j < 0 {
					return false
				}
				i += j + 1
				k := i - 1
				for k >= 0 && data[k] == '\\' {
					k--
				}
				if (i-1-k)%2 == 0 {
					break
				}
			}
		case '{', '[':
			if depth++; depth > max {
				return true
			}
		case '}', ']':
			if depth > 0 {
				depth--
			}
		}
	}
	return false
}

// structural marks the bytes that matter outside strings.
var structural = [256]bool{'"': true, '{': true, '}': true, '[': true, ']': true}

// Upstream is the deepest nesting read from an upstream's answer (a JSON answer, an error
// body, a line of a stream): real answers of Podman and Central nest about ten levels; a
// result carries the answer three levels down, and MCP clients' decoders stop at 1,000
// (the go-sdk's).
const Upstream = 512
