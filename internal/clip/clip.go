// Package clip shortens text that a message quotes (a value from the call, an upstream's
// answer), so that it cannot fill the message, without cutting a character in two.
package clip

import "unicode/utf8"

// At is the length of the longest prefix of s of at most n bytes that ends between
// two characters.
func At(s string, n int) int {
	if len(s) <= n {
		return len(s)
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}

// Text shortens s to at most n bytes (whole characters), marking a cut with "…".
func Text(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:At(s, n)] + "…"
}
