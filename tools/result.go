package tools

import (
	"encoding/json"
	"fmt"
	"strings"
	"unsafe"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/image-mcp/image-mcp/internal/clip"
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

// shaper turns upstream JSON into a result that fits a byte budget.
type shaper struct {
	// maxBytes bounds the whole answer: the JSON, the notices and the separators between
	// them; 0 for none.
	maxBytes int
}

// value is the result of a value made by image-mcp itself (summaries, exists), shaped as
// an upstream's JSON is: a long stream summary is cut to the budget too.
func (s shaper) value(v any, notes ...string) (*mcp.CallToolResult, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, failf("internal error: cannot encode the result: %v", err)
	}
	return s.shape(b, nil, "", nil, notes...), nil
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

// shape makes the result of a body that is compact JSON (the answer's text is exactly
// it, and the budget counts it so), which it takes over: narrowed to `fields` when
// given, cut to the budget with a visible notice naming what was cut and how to narrow
// the call; an answer that can be read in parts (pg not nil) keeps a prefix of its
// paged list and the notice ends with the arguments of the next part. The answer is
// always valid JSON: arrays are wrapped as {"items": [...]}. It is never decoded: only
// the values on the way to what is narrowed, skipped or cut are opened (jsonNode), each
// in one gjson pass over its own text; the rest is written out as it came, in the
// upstream's member order and escaping.
func (s shaper) shape(body []byte, fields []string, narrowHint string, pg *page, notes ...string) *mcp.CallToolResult {
	full := pg.fullPage(body)
	fit, budget := dataBudgets(s.maxBytes, append(notes, full)...)
	// The common case: small, no fields, nothing skipped. Nothing opened, nothing written again.
	if len(fields) == 0 && (fit <= 0 || len(body) <= fit) && !pg.skips() {
		return answerResult(wrapRaw(body), append(notes, full)...)
	}
	// Nothing writes to body from here on: the nodes share its memory instead of a copy,
	// which for a 2 MB answer is a tenth of the process's memory.
	root := newNode(unsafe.String(unsafe.SliceData(body), len(body)))
	if pg.skips() {
		notes = append(notes, pg.skip(root))
		fit, budget = dataBudgets(s.maxBytes, append(notes, full)...)
	}
	if len(fields) > 0 {
		selectFields(root, fields)
	}
	if fit <= 0 || root.size <= fit {
		return answerResult(wrapRaw(root.bytes()), append(notes, full)...)
	}
	var cuts []string
	next := ""
	if pg != nil {
		// The paged list first: the longest prefix that fits beside the rest.
		if desc, n, ok := pg.cut(root, budget); ok {
			cuts, next = append(cuts, desc), n
		}
	}
	if root.size > budget {
		cuts = append(cuts, shrink(root, budget)...)
	}
	if len(cuts) > 0 { // none when only the upstream's whitespace made it too big
		notes = append(notes, cutNotice(len(body), s.maxBytes, cuts, narrowHint, next))
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
		c = clip.Text(c, 200)
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
