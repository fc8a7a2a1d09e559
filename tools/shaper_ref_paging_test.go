package tools

import (
	"encoding/json"
	"fmt"
	"strings"
)

// The reference tree shaper's paging (shaper_ref_test.go): a paged list skipped, cut to a
// prefix, and reached by its path.

// skip leaves out the first Offset items of the list in v; a note when there is none.
func refSkip(p *page, v any) (any, string) {
	list, ok := refGetPath(v, p.List)
	if !ok {
		return v, fmt.Sprintf("NOTE: %s=%d was not used: the answer has no list at %s.", p.Arg, p.Offset, p.name())
	}
	items, lines := refListItems(list)
	if items == nil && !lines {
		return v, fmt.Sprintf("NOTE: %s=%d was not used: %s is not a list.", p.Arg, p.Offset, p.name())
	}
	n := len(items)
	note := ""
	if p.Offset >= n {
		note = fmt.Sprintf("NOTE: %s=%d is at or past the end: %s has %d items.", p.Arg, p.Offset, p.name(), n)
	}
	return refSetPath(v, p.List, refJoinItems(items[min(p.Offset, n):], lines)), note
}

// cut keeps the longest prefix of the paged list (at least one item) with which v fits
// budget bytes, and says what it kept and how to read on; false when the list is not
// there or already fits as a whole.
func refCut(p *page, v *any, budget int) (desc, next string, ok bool) {
	list, found := refGetPath(*v, p.List)
	if !found {
		return "", "", false
	}
	items, lines := refListItems(list)
	if len(items) < 2 {
		return "", "", false
	}
	*v = refSetPath(*v, p.List, refJoinItems(nil, lines))
	rest, err := json.Marshal(*v)
	if err != nil {
		*v = refSetPath(*v, p.List, list)
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
		*v = refSetPath(*v, p.List, list)
		return "", "", false
	}
	*v = refSetPath(*v, p.List, refJoinItems(items[:k], lines))
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
func refListItems(list any) (items []any, lines bool) {
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

func refJoinItems(items []any, lines bool) any {
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
func refGetPath(v any, path string) (any, bool) {
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
func refSetPath(v any, path string, x any) any {
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
