package tools

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tidwall/gjson"
	"github.com/tidwall/pretty"
)

// selectFields keeps only the given gjson paths of each item of a list answer: the answer
// itself when it is a list, else its list member with the most items ({"images": [...]}),
// or the answer itself when the paths name its own members (one image). A kept item's
// members are the paths, in sorted order.
func selectFields(root *jsonNode, fields []string) {
	names := slices.Clone(fields)
	slices.Sort(names)
	names = slices.Compact(names)
	pickAll := func(list *jsonNode) {
		list.open()
		for i, it := range list.kids {
			list.kids[i] = pick(it, names)
		}
		list.resize()
	}
	switch root.kind {
	case '[':
		pickAll(root)
	case '{':
		text := root.text()
		for _, f := range names {
			if gjson.Get(text, f).Exists() {
				*root = *pick(root, names)
				return
			}
		}
		root.open()
		var list *jsonNode
		for _, k := range root.kids {
			if k.kind == '[' {
				if k.open(); list == nil || len(k.kids) > len(list.kids) {
					list = k
				}
			}
		}
		if list == nil {
			*root = *pick(root, names)
			return
		}
		pickAll(list)
		root.resize()
	}
}

// pick is an object of the given paths of item that exist, each named by its path.
func pick(item *jsonNode, paths []string) *jsonNode {
	text := item.text()
	b := []byte{'{'}
	for _, p := range paths {
		r := gjson.Get(text, p)
		if !r.Exists() || !gjson.Valid(r.Raw) {
			continue
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(append(append(b, quote(p)...), ':'), pretty.Ugly([]byte(r.Raw))...)
	}
	return newNode(string(append(b, '}')))
}

// shrink cuts the largest lists (keeping their first items) and strings until root fits
// the budget, and says what it cut. A first round aims at 95% of the budget, so that one
// cut lands near it rather than just over.
func shrink(root *jsonNode, budget int) []string {
	type cutInfo struct{ kept, total int }
	cuts := map[string]*cutInfo{}
	cut := func(aim, least int) bool {
		if root.size <= aim {
			return false
		}
		c, path, size := biggest(root)
		if c == nil || size < least {
			return false
		}
		total, kept := cutValue(c[len(c)-1], root.size-aim, size)
		if total == kept {
			return false
		}
		c.resize()
		p := strings.Join(path, ".")
		if p == "" {
			p = "(top level)"
		}
		if ci, ok := cuts[p]; ok {
			ci.kept = kept
		} else {
			cuts[p] = &cutInfo{kept: kept, total: total}
		}
		return true
	}
	for range 200 {
		if !cut(budget*95/100, 64) {
			break
		}
	}
	for cut(budget, 0) { // a last resort: whatever still makes it too big
	}
	names := slices.Sorted(maps.Keys(cuts))
	msgs := make([]string, len(names))
	for i, p := range names {
		c := cuts[p]
		if c.total < 0 {
			msgs[i] = fmt.Sprintf("%s: text shortened", p)
		} else {
			msgs[i] = fmt.Sprintf("%s: kept the first %d of %d items", p, c.kept, c.total)
		}
	}
	return msgs
}

// biggest finds what a cut shortens: the biggest list of two items or more, or the longest
// string over 256 bytes; the chain from the root to it, its path and size (nil when there
// is none). The first in the answer's order wins a tie. Nothing inside a list or string
// can be bigger than it, and nothing inside a value no bigger than the best found so far,
// so neither is opened.
func biggest(root *jsonNode) (found chain, path []string, best int) {
	best = -1
	var c chain
	var names []string
	var walk func(n *jsonNode)
	walk = func(n *jsonNode) {
		if n.size <= best {
			return
		}
		c = append(c, n)
		defer func() { c = c[:len(c)-1] }()
		switch n.kind {
		case '"':
			if l := n.size - 2; l > 256 && l > best {
				found, path, best = slices.Clone(c), slices.Clone(names), l
			}
			return
		case '[':
			if n.open(); len(n.kids) > 1 {
				found, path, best = slices.Clone(c), slices.Clone(names), n.size
				return
			}
		case '{':
			n.open()
		default:
			return
		}
		for i, k := range n.kids {
			names = append(names, n.kidName(i))
			walk(k)
			names = names[:len(names)-1]
		}
	}
	walk(root)
	if found == nil {
		return nil, nil, 0
	}
	if path == nil {
		path = []string{}
	}
	return found, path, best
}

// cutValue shortens a list or a string by about excess bytes; total is -1 for a string.
//
// A list keeps the longest prefix that fits its size less excess, so one cut lands near
// the budget, not far below it as halving would; at least one item goes and one stays (a
// cut inside that one follows if it is still too big).
func cutValue(n *jsonNode, excess, size int) (total, kept int) {
	switch n.kind {
	case '[':
		keep, acc := 0, 2
		for keep < len(n.kids) {
			add := n.kids[keep].size + 1
			if acc+add > size-excess {
				break
			}
			acc += add
			keep++
		}
		total, keep = len(n.kids), min(max(keep, 1), len(n.kids)-1)
		n.kids = n.kids[:keep]
		return total, keep
	case '"':
		s := gjson.Parse(n.raw).String()
		k := max(len(s)-excess-16, 0)
		for k > 0 && !utf8.RuneStart(s[k]) {
			k--
		}
		n.set(quote(s[:k] + "… [cut]"))
		return -1, -2
	}
	return 0, 0
}
