package tools

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// A cut answer uses most of the budget: keeping the longest prefix that fits, not
// halving until it fits (which can leave a small fraction of the budget).
func TestBudgetIsWellUsed(t *testing.T) {
	item := func(n int) map[string]any { return map[string]any{"name": "c", "vulns": strings.Repeat("v", n)} }
	even := make([]any, 400)
	for i := range even {
		even[i] = item(900)
	}
	uneven := make([]any, 160)
	for i := range uneven {
		uneven[i] = item(200 + (i%7)*4000) // items of 0.2 to 24 KB
	}
	oneHuge := []any{map[string]any{"vulns": make([]any, 0)}, item(10)}
	big := make([]any, 3000)
	for i := range big {
		big[i] = "layer-" + strings.Repeat("x", 60)
	}
	oneHuge[0].(map[string]any)["vulns"] = big
	cases := []struct {
		name   string
		body   any
		budget int
	}{
		{"even list", map[string]any{"id": "x", "components": even}, 80_000},
		{"uneven list", map[string]any{"id": "x", "scan": map[string]any{"components": uneven}}, 80_000},
		{"first item alone too big", map[string]any{"components": oneHuge}, 20_000},
		{"top-level array", even, 50_000},
	}
	for _, tc := range cases {
		body, _ := json.Marshal(tc.body)
		res := shaper{maxBytes: tc.budget}.shapeJSON(body, nil, "")
		text := res.Content[len(res.Content)-1].(*mcp.TextContent).Text
		if !json.Valid([]byte(text)) {
			t.Errorf("%s: the cut answer is not JSON", tc.name)
		}
		if len(text) > tc.budget || len(text) < tc.budget*7/10 {
			t.Errorf("%s: %d bytes of answer for a %d-byte budget (from %d)", tc.name, len(text), tc.budget, len(body))
		}
		if !strings.Contains(res.Content[0].(*mcp.TextContent).Text, "kept the first") {
			t.Errorf("%s: no notice of the cut", tc.name)
		}
	}
}
