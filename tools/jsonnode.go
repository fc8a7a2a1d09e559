package tools

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// A jsonNode is one value of an upstream answer, kept as the upstream's compact text until
// the shaper needs to look inside it. Shaping a big answer opens only the few values on the
// way to what it cuts; the rest is never read again and is written out as it came.
type jsonNode struct {
	raw    string      // the compact text, while the node is not opened
	kind   byte        // its first byte: '{', '[', '"', or that of a number or literal
	opened bool        // members or items are in keys and kids, raw is no longer used
	keys   []string    // an opened object's member names, as written (quoted)
	kids   []*jsonNode // an opened object's values or array's items
	size   int         // the length of the compact text the node writes now
}

func newNode(raw string) *jsonNode {
	return &jsonNode{raw: raw, kind: raw[0], size: len(raw)}
}

// open splits an object or array into its members or items (one gjson pass over its text).
func (n *jsonNode) open() {
	if n.opened || (n.kind != '{' && n.kind != '[') {
		return
	}
	gjson.Parse(n.raw).ForEach(func(k, v gjson.Result) bool {
		if n.kind == '{' {
			n.keys = append(n.keys, k.Raw)
		}
		n.kids = append(n.kids, newNode(v.Raw))
		return true
	})
	n.opened, n.raw = true, ""
}

// set makes n the given compact text again (a cut string, a joined list of lines).
func (n *jsonNode) set(raw string) {
	*n = jsonNode{raw: raw, kind: raw[0], size: len(raw)}
}

// resize recounts an opened node's size after one of its kids changed.
func (n *jsonNode) resize() {
	if !n.opened {
		n.size = len(n.raw)
		return
	}
	size := 2 + max(len(n.kids)-1, 0) // brackets and commas
	for i, k := range n.kids {
		size += k.size
		if n.kind == '{' {
			size += len(n.keys[i]) + 1 // "name":
		}
	}
	n.size = size
}

func (n *jsonNode) appendTo(b []byte) []byte {
	if !n.opened {
		return append(b, n.raw...)
	}
	b = append(b, n.kind)
	for i, k := range n.kids {
		if i > 0 {
			b = append(b, ',')
		}
		if n.kind == '{' {
			b = append(append(b, n.keys[i]...), ':')
		}
		b = k.appendTo(b)
	}
	if n.kind == '{' {
		return append(b, '}')
	}
	return append(b, ']')
}

// bytes is the node's compact text as it is now.
func (n *jsonNode) bytes() []byte { return n.appendTo(make([]byte, 0, n.size)) }

func (n *jsonNode) text() string {
	if !n.opened {
		return n.raw
	}
	return string(n.bytes())
}

// member is the value of an object's member named name, nil when there is none.
func (n *jsonNode) member(name string) *jsonNode {
	if n.kind != '{' {
		return nil
	}
	n.open()
	for i, k := range n.keys {
		if unquote(k) == name {
			return n.kids[i]
		}
	}
	return nil
}

// kidName is how a path names the i-th member or item of n.
func (n *jsonNode) kidName(i int) string {
	if n.kind == '{' {
		return unquote(n.keys[i])
	}
	return strconv.Itoa(i)
}

// chain is the nodes from the root down to one value: what changes when that value is cut.
type chain []*jsonNode

// resize recounts every node of the chain, from the cut value up to the root.
func (c chain) resize() {
	for i := len(c) - 1; i >= 0; i-- {
		c[i].resize()
	}
}

// unquote is the text of a JSON string as written (quoted).
func unquote(raw string) string {
	if !strings.ContainsRune(raw, '\\') {
		return raw[1 : len(raw)-1]
	}
	return gjson.Parse(raw).String()
}

// quote writes s as a JSON string, escaped as encoding/json escapes it.
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
