package tools

// The tree shaper image-mcp used before the one-pass shaper: kept only as the reference
// the new one is compared with (shaper_equiv_test.go). It decodes the whole answer into
// Go values, so its output has sorted keys and Go's escaping; what it keeps is the point.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/tidwall/gjson"

	"github.com/image-mcp/image-mcp/internal/clip"
)

type refShaper struct{ MaxBytes int }

// Page is JSON for an answer that can be read in parts (page nil: it cannot): a cut of
// the paged list keeps a prefix and the notice ends with the arguments of the next part.
func (s refShaper) Page(body []byte, fields []string, narrowHint string, page *page, notes ...string) *mcp.CallToolResult {
	body = bytes.TrimSpace(body)
	if !gjson.ValidBytes(body) {
		return errorResult("the upstream answered with something that is not JSON: %s", clip.Text(string(body), 300))
	}
	// The text is exactly the structured content, compact (the budget counts it so).
	var buf bytes.Buffer
	if json.Compact(&buf, body) == nil {
		body = buf.Bytes()
	}
	full := page.fullPage(body)
	fit, budget := dataBudgets(s.MaxBytes, append(notes, full)...)
	// The common case: small, no fields, nothing skipped. No parse, no re-encode.
	if len(fields) == 0 && (fit <= 0 || len(body) <= fit) && !page.skips() {
		return answerResult(wrapRaw(body), append(notes, full)...)
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return errorResult("cannot read the upstream's JSON: %v", err)
	}
	out := body // without fields or a skip the size is known: no need to encode it again
	if page.skips() {
		var note string
		v, note = refSkip(page, v)
		notes, out = append(notes, note), nil
		fit, budget = dataBudgets(s.MaxBytes, append(notes, full)...)
	}
	if len(fields) > 0 {
		v, out = refSelectFields(v, fields), nil
	}
	if out == nil {
		var err error
		if out, err = json.Marshal(v); err != nil {
			return errorResult("internal error: %v", err)
		}
	}
	if fit <= 0 || len(out) <= fit {
		return answerResult(wrapRaw(out), append(notes, full)...)
	}
	var cuts []string
	next := ""
	if page != nil {
		// The paged list first: the longest prefix that fits beside the rest.
		if desc, n, ok := refCut(page, &v, budget); ok {
			cuts, next = append(cuts, desc), n
		}
	}
	if out, _ = json.Marshal(v); len(out) > budget {
		var more []string
		v, more = refShrink(v, budget)
		cuts = append(cuts, more...)
		out, _ = json.Marshal(v)
	}
	if len(cuts) > 0 { // none when only the upstream's whitespace made it too big
		notes = append(notes, cutNotice(len(body), s.MaxBytes, cuts, narrowHint, next))
	} else {
		notes = append(notes, full)
	}
	return answerResult(wrapRaw(out), notes...)
}

// selectFields keeps only the given gjson paths of each item of a list answer: the body
// itself when it is an array, else its largest array member ({"images": [...]}).
func refSelectFields(v any, fields []string) any {
	pick := func(item any) any {
		raw, err := json.Marshal(item)
		if err != nil {
			return item
		}
		out := make(map[string]any, len(fields))
		for _, f := range fields {
			r := gjson.GetBytes(raw, f)
			if !r.Exists() {
				continue
			}
			var val any
			d := json.NewDecoder(strings.NewReader(r.Raw))
			d.UseNumber()
			if d.Decode(&val) == nil {
				out[f] = val
			}
		}
		return out
	}
	pickAll := func(list []any) []any {
		res := make([]any, len(list))
		for i, it := range list {
			res[i] = pick(it)
		}
		return res
	}
	switch x := v.(type) {
	case []any:
		return pickAll(x)
	case map[string]any:
		// A single object (one image) when the paths name its own members.
		if raw, err := json.Marshal(x); err == nil {
			for _, f := range fields {
				if gjson.GetBytes(raw, f).Exists() {
					return pick(x)
				}
			}
		}
		key, best := "", -1
		for k, val := range x {
			if l, ok := val.([]any); ok && len(l) > best {
				key, best = k, len(l)
			}
		}
		if key == "" {
			return pick(x)
		}
		cp := make(map[string]any, len(x))
		for k, val := range x {
			cp[k] = val
		}
		cp[key] = pickAll(x[key].([]any))
		return cp
	}
	return v
}

// shrink cuts the largest arrays (keeping their first items) and strings until the value
// fits the budget, and says what it cut.
func refShrink(v any, budget int) (any, []string) {
	type cutInfo struct{ kept, total int }
	cuts := map[string]*cutInfo{}
	// cut cuts the biggest part at path by excess bytes and records it; false when
	// nothing could go.
	cut := func(path []string, excess, biggest int) bool {
		var total, kept int
		v, total, kept = refCutAt(v, path, excess, biggest)
		if total == kept {
			return false
		}
		p := strings.Join(path, ".")
		if p == "" {
			p = "(top level)"
		}
		if c, ok := cuts[p]; ok {
			c.kept = kept
		} else {
			cuts[p] = &cutInfo{kept: kept, total: total}
		}
		return true
	}
	for range 200 {
		size, path, biggest := refScan(v)
		if size <= budget*95/100 || path == nil || biggest < 64 {
			break
		}
		if !cut(path, size-budget*95/100, biggest) {
			break
		}
	}
	// A last resort for values approxSize misjudges: drop array items until it really fits.
	for {
		b, _ := json.Marshal(v)
		if len(b) <= budget {
			break
		}
		_, path, biggest := refScan(v)
		if path == nil || !cut(path, len(b)-budget, biggest) {
			break
		}
	}
	names := make([]string, 0, len(cuts))
	for p := range cuts {
		names = append(names, p)
	}
	sort.Strings(names)
	msgs := make([]string, len(names))
	for i, p := range names {
		c := cuts[p]
		if c.total < 0 {
			msgs[i] = fmt.Sprintf("%s: text shortened", p)
		} else {
			msgs[i] = fmt.Sprintf("%s: kept the first %d of %d items", p, c.kept, c.total)
		}
	}
	return v, msgs
}

// scan sizes v in one post-order walk (each node visited once, not once per enclosing
// array): its approximate JSON size, and the path and size of its biggest array (of two
// items or more) or long string. The top level's path is empty, not nil.
func refScan(v any) (total int, bestPath []string, best int) {
	best = -1
	var walk func(v any, path []string) int
	walk = func(v any, path []string) int {
		switch x := v.(type) {
		case []any:
			n := 2
			for i, it := range x {
				n += 1 + walk(it, append(path, strconv.Itoa(i)))
			}
			if n > best && len(x) > 1 { // halving one item would leave nothing
				best, bestPath = n, append([]string{}, path...)
			}
			return n
		case map[string]any:
			n := 2
			for k, it := range x {
				n += len(k) + 4 + walk(it, append(path, k))
			}
			return n
		case string:
			if len(x) > best && len(x) > 256 {
				best, bestPath = len(x), append([]string{}, path...)
			}
		}
		return refApproxSize(v)
	}
	total = walk(v, nil)
	if best < 0 {
		return total, nil, 0
	}
	return total, bestPath, best
}

// cutAt shortens the array (or string) at path; total is -1 for strings.
//
// A list keeps the longest prefix that fits its size less excess (the bytes over the
// target), so one cut lands near the budget, not far below it as halving would; at least
// one item goes and one stays (a cut inside that one follows if it is still too big).
func refCutAt(v any, path []string, excess, size int) (any, int, int) {
	if len(path) == 0 {
		switch x := v.(type) {
		case []any:
			keep := len(x) / 2
			if size > 0 && excess > 0 {
				// The longest prefix that fits what may remain of this list.
				keep, acc := 0, 2
				for keep < len(x) {
					n := refApproxSize(x[keep]) + 1
					if acc+n > size-excess {
						break
					}
					acc += n
					keep++
				}
				keep = min(max(keep, 1), len(x)-1)
				return x[:keep], len(x), keep
			}
			return x[:keep], len(x), keep
		case string:
			n := len(x) / 2
			if excess > 0 {
				n = max(len(x)-excess-16, 0)
			}
			for n > 0 && !utf8.RuneStart(x[n]) {
				n--
			}
			return x[:n] + "… [cut]", -1, -2
		}
		return v, 0, 0
	}
	switch x := v.(type) {
	case map[string]any:
		child, total, kept := refCutAt(x[path[0]], path[1:], excess, size)
		x[path[0]] = child
		return x, total, kept
	case []any:
		var i int
		fmt.Sscan(path[0], &i)
		child, total, kept := refCutAt(x[i], path[1:], excess, size)
		x[i] = child
		return x, total, kept
	}
	return v, 0, 0
}

// approxSize estimates the JSON size of v without encoding it.
func refApproxSize(v any) int {
	switch x := v.(type) {
	case map[string]any:
		n := 2
		for k, it := range x {
			n += len(k) + 4 + refApproxSize(it)
		}
		return n
	case []any:
		n := 2
		for _, it := range x {
			n += 1 + refApproxSize(it)
		}
		return n
	case string:
		return len(x) + 2 + strings.Count(x, `"`) + strings.Count(x, `\`) + 5*strings.Count(x, "\n")
	case json.Number:
		return len(x)
	case bool:
		return 5
	case nil:
		return 4
	}
	return 8
}
