package tools

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// The budget is judged on the compact answer: an upstream's whitespace alone (Central adds
// some) cuts nothing and adds no notice; a really big answer is cut with a notice.
func TestShaperBudgetJudgedOnCompactJSON(t *testing.T) {
	items := make([]string, 50)
	for i := range items {
		items[i] = fmt.Sprintf(`{"id": "sha256:%064d", "name": "img-%d"}`, i, i)
	}
	compact := `{"images":[` + strings.Join(items, ",") + `]}`
	padded := strings.ReplaceAll(compact, ",", ",          \n          ")
	s := shaper{maxBytes: len(compact) + 100}
	if len(padded) <= s.maxBytes {
		t.Fatal("the padded answer must be over the budget for this test")
	}
	res := s.shapeJSON([]byte(padded), nil, "")
	if res.IsError || len(res.Content) != 1 {
		t.Fatalf("whitespace alone made a notice or an error: %s", resultText(res))
	}
	var v struct{ Images []any }
	if err := json.Unmarshal([]byte(resultText(res)), &v); err != nil || len(v.Images) != 50 {
		t.Fatalf("kept %d images (%v)", len(v.Images), err)
	}

	small := shaper{maxBytes: len(compact) / 4}
	res = small.shapeJSON([]byte(padded), nil, "To get less, call again with fields.")
	if res.IsError || !strings.Contains(resultText(res), "images: kept the first") || !strings.Contains(resultText(res), "To get less") {
		t.Fatalf("over budget: %s", resultText(res))
	}
}
