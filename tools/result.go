package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/tidwall/gjson"
	"github.com/tidwall/pretty"
)

// DefaultMaxOutputBytes keeps a whole answer, notices included, to at most 40,000
// characters (a UTF-8 byte is at most one of the UTF-16 characters clients count): inside
// what Claude Code keeps in the model's context (50,000) and about 10k tokens.
const DefaultMaxOutputBytes = 40_000

// MaxResultSizeChars is the most a tool may declare it answers
// (_meta["anthropic/maxResultSizeChars"]); Claude Code writes a larger answer to a file
// and hands the model a path and a 2 KB preview.
const MaxResultSizeChars = 500_000

// ResultSizeMeta is the _meta key by which a tool declares the size of its largest answer.
const ResultSizeMeta = "anthropic/maxResultSizeChars"

// errorResult is a tool failure the model can read and act on.
func errorResult(format string, a ...any) *mcp.CallToolResult {
	msg := format
	if len(a) > 0 {
		msg = fmt.Sprintf(format, a...)
	}
	return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: msg}}}
}

// answerResult is a success as every client hands it to the model: each note (a cut and
// the arguments that read on, a dry run, …) a text item of its own, then the answer's
// JSON as the last text item, and no structuredContent. Claude Code, the Copilot CLI,
// Codex and VS Code hand the model structuredContent alone when there is one, dropping
// the text items; others hand the text items, some both. Our tools declare no
// outputSchema, so structuredContent is optional: without it every client hands the
// model every note, and the answer, once.
func answerResult(answer []byte, notes ...string) *mcp.CallToolResult {
	content := make([]mcp.Content, 0, 1+len(notes))
	for _, n := range notes {
		if n != "" {
			content = append(content, &mcp.TextContent{Text: n})
		}
	}
	content = append(content, &mcp.TextContent{Text: string(answer)})
	return &mcp.CallToolResult{Content: content}
}

// itemSep is what the budget counts between two text items: a client that joins them
// joins them with a line break or two.
const itemSep = 2

// notesSize is what notes add to an answer, separators included.
func notesSize(notes []string) int {
	n := 0
	for _, s := range notes {
		if s != "" {
			n += len(s) + itemSep
		}
	}
	return n
}

// cutNoticeRoom is what the budget keeps for the notice of a cut; the notice is made to fit.
const cutNoticeRoom = 1024

// Shaper turns upstream JSON into a result that fits a byte budget.
type Shaper struct {
	// MaxBytes bounds the whole answer: the JSON, the notices and the separators between
	// them; 0 for none.
	MaxBytes int
}

// Value is the result of a value made by image-mcp itself (summaries, exists), shaped as
// an upstream's JSON is: a long stream summary is cut to the budget too.
func (s Shaper) Value(v any, notes ...string) *mcp.CallToolResult {
	b, err := json.Marshal(v)
	if err != nil {
		return errorResult("internal error: cannot encode the result: %v", err)
	}
	return s.shape(b, nil, "", nil, notes...)
}

// JSON shapes a JSON body: narrowed to `fields` when given, cut to the budget with a
// visible notice naming what was cut and how to narrow the call. The answer is always
// valid JSON: arrays are wrapped as {"items": [...]}.
func (s Shaper) JSON(body []byte, fields []string, narrowHint string, notes ...string) *mcp.CallToolResult {
	return s.Page(body, fields, narrowHint, nil, notes...)
}

// Page is JSON for an answer that can be read in parts (page nil: it cannot): a cut of
// the paged list keeps a prefix and the notice ends with the arguments of the next part.
func (s Shaper) Page(body []byte, fields []string, narrowHint string, page *Page, notes ...string) *mcp.CallToolResult {
	body = bytes.TrimSpace(body)
	compact, ok := compactJSON(bytes.Clone(body)) // the caller keeps its body
	if !ok {
		return errorResult("the upstream answered with something that is not JSON: %s", clip(string(body), 300))
	}
	return s.shape(compact, fields, narrowHint, page, notes...)
}

// dataBudgets are the bytes left for the answer's JSON beside notes (the {"items":} of a
// list counted): fit when nothing is cut, cut beside the notice of a cut as well. 0: no
// budget.
func dataBudgets(maxBytes int, notes ...string) (fit, cut int) {
	if maxBytes <= 0 {
		return 0, 0
	}
	fit = maxBytes - len(wrapRaw(nil)) - notesSize(notes)
	cut = fit - cutNoticeRoom - itemSep
	return max(fit, 1), max(cut, 1)
}

// shape is Page for a body that is compact JSON (the answer's text is exactly it, and the
// budget counts it so), which it takes over. The answer is never
// decoded: only the values on the way to what is narrowed, skipped or cut are opened
// (jsonNode), each in one gjson pass over its own text; the rest is written out as it
// came, in the upstream's member order and escaping.
func (s Shaper) shape(body []byte, fields []string, narrowHint string, page *Page, notes ...string) *mcp.CallToolResult {
	full := page.fullPage(body)
	fit, budget := dataBudgets(s.MaxBytes, append(notes, full)...)
	// The common case: small, no fields, nothing skipped. Nothing opened, nothing written again.
	if len(fields) == 0 && (fit <= 0 || len(body) <= fit) && !page.skips() {
		return answerResult(wrapRaw(body), append(notes, full)...)
	}
	// Nothing writes to body from here on: the nodes share its memory instead of a copy,
	// which for a 2 MB answer is a tenth of the process's memory.
	root := newNode(unsafe.String(unsafe.SliceData(body), len(body)))
	if page.skips() {
		notes = append(notes, page.skip(root))
		fit, budget = dataBudgets(s.MaxBytes, append(notes, full)...)
	}
	if len(fields) > 0 {
		selectFields(root, fields)
	}
	if fit <= 0 || root.size <= fit {
		return answerResult(wrapRaw(root.bytes()), append(notes, full)...)
	}
	var cuts []string
	next := ""
	if page != nil {
		// The paged list first: the longest prefix that fits beside the rest.
		if desc, n, ok := page.cut(root, budget); ok {
			cuts, next = append(cuts, desc), n
		}
	}
	if root.size > budget {
		cuts = append(cuts, shrink(root, budget)...)
	}
	if len(cuts) > 0 { // none when only the upstream's whitespace made it too big
		notes = append(notes, cutNotice(len(body), s.MaxBytes, cuts, narrowHint, next))
	} else {
		notes = append(notes, full)
	}
	return answerResult(wrapRaw(root.bytes()), notes...)
}

// cutNotice says what a cut left out, which arguments narrow the call and which read on,
// within cutNoticeRoom: the list of cuts is shortened when it is long (paths come from the
// upstream's answer).
func cutNotice(was, maxBytes int, cuts []string, narrowHint, next string) string {
	head := fmt.Sprintf("NOTE: the answer was %d bytes, over the %d-byte output budget (--max-output-bytes), and was cut: ", was, maxBytes)
	tail := "."
	if narrowHint != "" {
		tail += " " + narrowHint
	}
	if next != "" {
		tail += " To read on, call again with the same arguments and continue with " + next
	}
	room := cutNoticeRoom - len(head) - len(tail) - len("; and 9999 more")
	var kept []string
	used := 0
	for i, c := range cuts {
		c = clip(c, 200)
		if i > 0 && used+len(c)+2 > room {
			kept = append(kept, fmt.Sprintf("and %d more", len(cuts)-i))
			break
		}
		kept = append(kept, c)
		used += len(c) + 2
	}
	return head + strings.Join(kept, "; ") + tail
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

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
