package tools

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/image-mcp/image-mcp/capabilities"
)

// Page says how an answer is read in parts: when the output budget cuts its list, the
// notice ends with the arguments of the next part, and following them yields every item
// once, in order.
type Page struct {
	Arg      string // the argument that carries the offset
	List     string // dotted path of the paged list; "" is the answer itself
	Offset   int    // as given
	Local    bool   // image-mcp skips Offset items (the upstream does not page)
	LimitArg string // the upstream's page size argument, if it has one
	Limit    int    // as given (0: not given)
	PageSize int    // the upstream's page when no limit is given (0: everything)
}

// pageOf is the paging of a call, nil for a tool without an offset argument.
func pageOf(t *capabilities.Tool, v Values) (*Page, error) {
	a := t.ArgWithRole(capabilities.RoleOffset)
	if a == nil {
		return nil, nil
	}
	p := &Page{Arg: a.Name, List: a.List, Local: a.In == ""}
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
		return 0, &ArgumentError{Tool: t.Name, Msg: fmt.Sprintf("argument %q must be a whole number ≥ 0, got %s", name, clip(scalarString(raw), 40))}
	}
	return n, nil
}

// skips: image-mcp itself leaves out the first Offset items.
func (p *Page) skips() bool { return p != nil && p.Local && p.Offset > 0 }

func (p *Page) next(kept int) string {
	if !p.Local && p.Limit > 0 {
		return fmt.Sprintf(`{%q: %d, %q: %d}`, p.Arg, p.Offset+kept, p.LimitArg, p.Limit-kept)
	}
	return fmt.Sprintf(`{%q: %d}`, p.Arg, p.Offset+kept)
}

func (p *Page) name() string {
	if p.List == "" {
		return "(top level)"
	}
	return p.List
}

// fullPage notes an upstream page that is full: the upstream may hold more than one call
// returns, also when nothing was cut.
func (p *Page) fullPage(body []byte) string {
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

// skip leaves out the first Offset items of the list in v; a note when there is none.
func (p *Page) skip(v any) (any, string) {
	list, ok := getPath(v, p.List)
	if !ok {
		return v, fmt.Sprintf("NOTE: %s=%d was not used: the answer has no list at %s.", p.Arg, p.Offset, p.name())
	}
	items, lines := listItems(list)
	if items == nil && !lines {
		return v, fmt.Sprintf("NOTE: %s=%d was not used: %s is not a list.", p.Arg, p.Offset, p.name())
	}
	n := len(items)
	note := ""
	if p.Offset >= n {
		note = fmt.Sprintf("NOTE: %s=%d is at or past the end: %s has %d items.", p.Arg, p.Offset, p.name(), n)
	}
	return setPath(v, p.List, joinItems(items[min(p.Offset, n):], lines)), note
}

// cut keeps the longest prefix of the paged list (at least one item) with which v fits
// budget bytes, and says what it kept and how to read on; false when the list is not
// there or already fits as a whole.
func (p *Page) cut(v *any, budget int) (desc, next string, ok bool) {
	list, found := getPath(*v, p.List)
	if !found {
		return "", "", false
	}
	items, lines := listItems(list)
	if len(items) < 2 {
		return "", "", false
	}
	*v = setPath(*v, p.List, joinItems(nil, lines))
	rest, err := json.Marshal(*v)
	if err != nil {
		*v = setPath(*v, p.List, list)
		return "", "", false
	}
	acc, k := len(rest), 0
	for k < len(items) {
		b, _ := json.Marshal(items[k])
		add := len(b)
		if lines {
			add -= 2 // the quotes are counted once, in rest
		} else if k > 0 {
			add++ // the comma
		}
		if acc+add > budget {
			break
		}
		acc += add
		k++
	}
	k = min(max(k, 1), len(items))
	if k == len(items) {
		*v = setPath(*v, p.List, list)
		return "", "", false
	}
	*v = setPath(*v, p.List, joinItems(items[:k], lines))
	unit := "items"
	if lines {
		unit = "lines"
	}
	switch total := len(items); {
	case p.Local && p.Offset > 0:
		desc = fmt.Sprintf("%s: kept %s %d–%d of %d", p.name(), unit, p.Offset+1, p.Offset+k, p.Offset+total)
	case p.Offset > 0:
		desc = fmt.Sprintf("%s: kept the first %d of %d %s (from offset %d)", p.name(), k, total, unit, p.Offset)
	default:
		desc = fmt.Sprintf("%s: kept the first %d of %d %s", p.name(), k, total, unit)
	}
	return desc, p.next(k), true
}

// listItems is a list's items; a string is paged by lines (each keeps its newline).
func listItems(list any) (items []any, lines bool) {
	switch x := list.(type) {
	case []any:
		return x, false
	case string:
		parts := strings.SplitAfter(x, "\n")
		if parts[len(parts)-1] == "" {
			parts = parts[:len(parts)-1]
		}
		items = make([]any, len(parts))
		for i, s := range parts {
			items[i] = s
		}
		return items, true
	}
	return nil, false
}

func joinItems(items []any, lines bool) any {
	if !lines {
		if items == nil {
			return []any{}
		}
		return items
	}
	var b strings.Builder
	for _, it := range items {
		b.WriteString(it.(string))
	}
	return b.String()
}

// getPath finds the value at a dotted path: nested members, or one member named by the
// whole path (as `fields` names what it keeps).
func getPath(v any, path string) (any, bool) {
	if path == "" {
		return v, true
	}
	if m, ok := v.(map[string]any); ok {
		if x, ok := m[path]; ok {
			return x, true
		}
	}
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

// setPath puts x where getPath found the list and returns the (new) root.
func setPath(v any, path string, x any) any {
	if path == "" {
		return x
	}
	if m, ok := v.(map[string]any); ok {
		if _, ok := m[path]; ok {
			m[path] = x
			return v
		}
	}
	keys := strings.Split(path, ".")
	cur := v
	for _, k := range keys[:len(keys)-1] {
		cur = cur.(map[string]any)[k]
	}
	cur.(map[string]any)[keys[len(keys)-1]] = x
	return v
}
