package tools

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
)

// DefaultMaxOutputBytes keeps one answer to about 20k tokens of a model's context.
const DefaultMaxOutputBytes = 80_000

// errorResult is a tool failure the model can read and act on.
func errorResult(format string, a ...any) *mcp.CallToolResult {
	msg := format
	if len(a) > 0 {
		msg = fmt.Sprintf(format, a...)
	}
	return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: msg}}}
}

// structuredResult is a success: structuredContent, and as text exactly the same JSON
// (the MCP spec's SHOULD), after any notes for the model (a cut, a dry run) as text of
// their own, so a client that shows only text shows them first.
func structuredResult(structured json.RawMessage, notes ...string) *mcp.CallToolResult {
	content := make([]mcp.Content, 0, 1+len(notes))
	for _, n := range notes {
		if n != "" {
			content = append(content, &mcp.TextContent{Text: n})
		}
	}
	content = append(content, &mcp.TextContent{Text: string(structured)})
	return &mcp.CallToolResult{Content: content, StructuredContent: structured}
}

// valueResult marshals a Go value made by image-mcp itself (summaries, exists).
func valueResult(v any, notes ...string) *mcp.CallToolResult {
	b, err := json.Marshal(v)
	if err != nil {
		return errorResult("internal error: cannot encode the result: %v", err)
	}
	return structuredResult(wrapRaw(b), notes...)
}

// Shaper turns upstream JSON into a result that fits a byte budget.
type Shaper struct {
	MaxBytes int
}

// JSON shapes a JSON body: narrowed to `fields` when given, cut to the budget with a
// visible notice naming what was cut and how to narrow the call. The structured content
// is always valid JSON: arrays are wrapped as {"items": [...]}.
func (s Shaper) JSON(body []byte, fields []string, narrowHint string, notes ...string) *mcp.CallToolResult {
	return s.Page(body, fields, narrowHint, nil, notes...)
}

// Page is JSON for an answer that can be read in parts (page nil: it cannot): a cut of
// the paged list keeps a prefix and the notice ends with the arguments of the next part.
func (s Shaper) Page(body []byte, fields []string, narrowHint string, page *Page, notes ...string) *mcp.CallToolResult {
	body = bytes.TrimSpace(body)
	if !gjson.ValidBytes(body) {
		return errorResult("the upstream answered with something that is not JSON: %s", clip(string(body), 300))
	}
	// The text is exactly the structured content, compact (the budget counts it so).
	var buf bytes.Buffer
	if json.Compact(&buf, body) == nil {
		body = buf.Bytes()
	}
	budget := s.MaxBytes
	if budget > 0 {
		budget = max(budget-len(wrapRaw(nil)), 1) // {"items":} around a list
	}
	// The common case: small, no fields, nothing skipped. No parse, no re-encode.
	if len(fields) == 0 && (budget <= 0 || len(body) <= budget) && !page.skips() {
		return structuredResult(wrapRaw(body), append(notes, page.fullPage(body))...)
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
		v, note = page.skip(v)
		notes, out = append(notes, note), nil
	}
	if len(fields) > 0 {
		v, out = selectFields(v, fields), nil
	}
	if out == nil {
		var err error
		if out, err = json.Marshal(v); err != nil {
			return errorResult("internal error: %v", err)
		}
	}
	if budget <= 0 || len(out) <= budget {
		return structuredResult(wrapRaw(out), append(notes, page.fullPage(body))...)
	}
	var cuts []string
	next := ""
	if page != nil {
		// The paged list first: the longest prefix that fits beside the rest.
		if desc, n, ok := page.cut(&v, budget); ok {
			cuts, next = append(cuts, desc), n
		}
	}
	if out, _ = json.Marshal(v); len(out) > budget {
		var more []string
		v, more = shrink(v, budget)
		cuts = append(cuts, more...)
		out, _ = json.Marshal(v)
	}
	if len(cuts) > 0 { // none when only the upstream's whitespace made it too big
		notice := fmt.Sprintf("NOTE: the answer was %d bytes, over the %d-byte output budget (--max-output-bytes), and was cut: %s.",
			len(body), s.MaxBytes, strings.Join(cuts, "; "))
		if narrowHint != "" {
			notice += " " + narrowHint
		}
		if next != "" {
			notice += " To read on, call again with the same arguments and continue with " + next
		}
		notes = append(notes, notice)
	}
	return structuredResult(wrapRaw(out), notes...)
}

// wrapRaw makes any JSON value an object for structuredContent (nil: the wrapper of a
// list, to measure it).
func wrapRaw(b []byte) json.RawMessage {
	switch {
	case len(b) > 0 && b[0] == '{':
		return b
	case len(b) == 0 || b[0] == '[':
		return json.RawMessage(`{"items":` + string(b) + `}`)
	default:
		return json.RawMessage(`{"result":` + string(b) + `}`)
	}
}

// selectFields keeps only the given gjson paths of each item of a list answer: the body
// itself when it is an array, else its largest array member ({"images": [...]}).
func selectFields(v any, fields []string) any {
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
func shrink(v any, budget int) (any, []string) {
	type cutInfo struct{ kept, total int }
	cuts := map[string]*cutInfo{}
	// cut cuts the biggest part at path by excess bytes and records it; false when
	// nothing could go.
	cut := func(path []string, excess, biggest int) bool {
		var total, kept int
		v, total, kept = cutAt(v, path, excess, biggest)
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
		size, path, biggest := scan(v)
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
		_, path, biggest := scan(v)
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
func scan(v any) (total int, bestPath []string, best int) {
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
		return approxSize(v)
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
func cutAt(v any, path []string, excess, size int) (any, int, int) {
	if len(path) == 0 {
		switch x := v.(type) {
		case []any:
			keep := len(x) / 2
			if size > 0 && excess > 0 {
				// The longest prefix that fits what may remain of this list.
				keep, acc := 0, 2
				for keep < len(x) {
					n := approxSize(x[keep]) + 1
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
		child, total, kept := cutAt(x[path[0]], path[1:], excess, size)
		x[path[0]] = child
		return x, total, kept
	case []any:
		var i int
		fmt.Sscan(path[0], &i)
		child, total, kept := cutAt(x[i], path[1:], excess, size)
		x[i] = child
		return x, total, kept
	}
	return v, 0, 0
}

// approxSize estimates the JSON size of v without encoding it.
func approxSize(v any) int {
	switch x := v.(type) {
	case map[string]any:
		n := 2
		for k, it := range x {
			n += len(k) + 4 + approxSize(it)
		}
		return n
	case []any:
		n := 2
		for _, it := range x {
			n += 1 + approxSize(it)
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

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
