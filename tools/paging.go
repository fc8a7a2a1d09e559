package tools

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/internal/clip"
)

// page says how an answer is read in parts: when the output budget cuts its list, the
// notice ends with the arguments of the next part, and following them yields every item
// once, in order.
type page struct {
	Arg      string // the argument that carries the offset
	List     string // dotted path of the paged list; "" is the answer itself
	Offset   int    // as given
	Local    bool   // image-mcp skips Offset items (the upstream does not page)
	LimitArg string // the upstream's page size argument, if it has one
	Limit    int    // as given (0: not given)
	PageSize int    // the upstream's page when no limit is given (0: everything)
}

// pageOf is the paging of a call, nil for a tool without an offset argument.
func pageOf(t *capabilities.Tool, v Values) (*page, error) {
	a := t.ArgWithRole(capabilities.RoleOffset)
	if a == nil {
		return nil, nil
	}
	p := &page{Arg: a.Name, List: a.List, Local: a.In == ""}
	var err error
	if p.Offset, err = intValue(t, v, a.Name); err != nil {
		return nil, err
	}
	if l := t.ArgWithRole(capabilities.RoleLimit); l != nil {
		p.LimitArg, p.PageSize = l.Name, l.PageSize
		if p.Limit, err = intValue(t, v, l.Name); err != nil {
			return nil, err
		}
		if p.PageSize > 0 && p.Limit > p.PageSize {
			p.Limit = 0 // the upstream gives a full page: as if none was asked
		}
	}
	return p, nil
}

func intValue(t *capabilities.Tool, v Values, name string) (int, error) {
	raw, ok := v[name]
	if !ok {
		return 0, nil
	}
	n, err := strconv.Atoi(scalarString(raw))
	if err != nil || n < 0 {
		return 0, &argumentError{tool: t.Name, msg: fmt.Sprintf("argument %q must be a whole number ≥ 0, got %s", name, clip.Text(scalarString(raw), 40))}
	}
	return n, nil
}

// skips: image-mcp itself leaves out the first Offset items.
func (p *page) skips() bool { return p != nil && p.Local && p.Offset > 0 }

func (p *page) next(kept int) string {
	if !p.Local && p.Limit > 0 {
		return fmt.Sprintf(`{%q: %d, %q: %d}`, p.Arg, p.Offset+kept, p.LimitArg, p.Limit-kept)
	}
	return fmt.Sprintf(`{%q: %d}`, p.Arg, p.Offset+kept)
}

func (p *page) name() string {
	if p.List == "" {
		return "(top level)"
	}
	return p.List
}

// fullPage notes an upstream page that is full: the upstream may hold more than one call
// returns, also when nothing was cut.
func (p *page) fullPage(body []byte) string {
	if p == nil || p.Local || p.PageSize == 0 || p.Limit > 0 {
		return ""
	}
	q := "#"
	if p.List != "" {
		q = p.List + ".#"
	}
	// More than a page means the upstream answered everything (it does not cap as declared).
	if n := int(gjson.GetBytes(body, q).Int()); n == p.PageSize {
		return fmt.Sprintf("NOTE: %s is a full page of %d items, the most one call returns; there may be more. To read on, call again with the same arguments and continue with %s",
			p.name(), n, p.next(n))
	}
	return ""
}

// skip leaves out the first Offset items of the paged list; a note when there is none.
func (p *page) skip(root *jsonNode) string {
	c := listAt(root, p.List)
	if c == nil {
		return fmt.Sprintf("NOTE: %s=%d was not used: the answer has no list at %s.", p.Arg, p.Offset, p.name())
	}
	l := listOf(c[len(c)-1])
	if l == nil {
		return fmt.Sprintf("NOTE: %s=%d was not used: %s is not a list.", p.Arg, p.Offset, p.name())
	}
	n, note := l.len(), ""
	if p.Offset >= n {
		note = fmt.Sprintf("NOTE: %s=%d is at or past the end: %s has %d items.", p.Arg, p.Offset, p.name(), n)
	}
	l.keep(min(p.Offset, n), n)
	c.resize()
	return note
}

// cut keeps the longest prefix of the paged list (at least one item) with which the answer
// fits budget bytes, and says what it kept and how to read on; false when the list is not
// there or already fits as a whole.
func (p *page) cut(root *jsonNode, budget int) (desc, next string, ok bool) {
	c := listAt(root, p.List)
	if c == nil {
		return "", "", false
	}
	l := listOf(c[len(c)-1])
	if l == nil || l.len() < 2 {
		return "", "", false
	}
	total := l.len()
	acc, k := root.size-l.node.size+2, 0 // the answer with an empty list ([] or "")
	for k < total {
		add := l.itemSize(k)
		if !l.lines && k > 0 {
			add++ // the comma
		}
		if acc+add > budget {
			break
		}
		acc += add
		k++
	}
	k = max(k, 1)
	if k == total {
		return "", "", false
	}
	l.keep(0, k)
	c.resize()
	unit := "items"
	if l.lines {
		unit = "lines"
	}
	switch {
	case p.Local && p.Offset > 0:
		desc = fmt.Sprintf("%s: kept %s %d–%d of %d", p.name(), unit, p.Offset+1, p.Offset+k, p.Offset+total)
	case p.Offset > 0:
		desc = fmt.Sprintf("%s: kept the first %d of %d %s (from offset %d)", p.name(), k, total, unit, p.Offset)
	default:
		desc = fmt.Sprintf("%s: kept the first %d of %d %s", p.name(), k, total, unit)
	}
	return desc, p.next(k), true
}

// listAt is the chain from the root to the paged list at a dotted path: one member named by
// the whole path (as `fields` names what it keeps), or nested members; nil when not there.
func listAt(root *jsonNode, path string) chain {
	if path == "" {
		return chain{root}
	}
	if m := root.member(path); m != nil {
		return chain{root, m}
	}
	c := chain{root}
	for _, k := range strings.Split(path, ".") {
		m := c[len(c)-1].member(k)
		if m == nil {
			return nil
		}
		c = append(c, m)
	}
	return c
}

// A pagedList is an array, or a string read by lines (each keeps its newline).
type pagedList struct {
	node  *jsonNode
	lines bool
	text  []string // the lines, quoted as they are written
}

// listOf is the list node holds, nil when it is neither an array nor a string.
func listOf(node *jsonNode) *pagedList {
	switch node.kind {
	case '[':
		node.open()
		return &pagedList{node: node}
	case '"':
		parts := strings.SplitAfter(gjson.Parse(node.raw).String(), "\n")
		if parts[len(parts)-1] == "" {
			parts = parts[:len(parts)-1]
		}
		for i, s := range parts {
			parts[i] = quote(s)
		}
		return &pagedList{node: node, lines: true, text: parts}
	}
	return nil
}

func (l *pagedList) len() int {
	if l.lines {
		return len(l.text)
	}
	return len(l.node.kids)
}

// itemSize is what item i adds to the written list.
func (l *pagedList) itemSize(i int) int {
	if l.lines {
		return len(l.text[i]) - 2 // the quotes are counted once, with the empty list
	}
	return l.node.kids[i].size
}

// keep keeps items from..to-1.
func (l *pagedList) keep(from, to int) {
	if !l.lines {
		l.node.kids = l.node.kids[from:to]
		return
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, s := range l.text[from:to] {
		b.WriteString(s[1 : len(s)-1])
	}
	b.WriteByte('"')
	l.text = l.text[from:to]
	l.node.set(b.String())
}
