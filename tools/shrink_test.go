package tools

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestShaperCutsTheRightList(t *testing.T) {
	tags := make([]string, 300)
	for i := range tags {
		tags[i] = fmt.Sprintf("localhost/app:%d", i)
	}
	one, _ := json.Marshal([]any{map[string]any{"Id": "x", "RepoTags": tags}})
	many := make([]map[string]any, 500)
	for i := range many {
		many[i] = map[string]any{"Id": fmt.Sprint(i), "Name": strings.Repeat("n", 40)}
	}
	manyJSON, _ := json.Marshal(many)
	for _, tc := range []struct {
		name string
		body []byte
		want string
	}{
		// One item holding a long list: the inner list is cut, not the item.
		{"one-item", one, "0.RepoTags: kept the first "},
		{"many-items", manyJSON, "(top level): kept the first "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := shaper{maxBytes: 3000}.shapeJSON(tc.body, nil, "")
			text := ""
			for _, c := range res.Content {
				b, _ := json.Marshal(c)
				text += string(b)
			}
			if !strings.Contains(text, tc.want) {
				t.Fatalf("no %q in %.400s", tc.want, text)
			}
			if n := wholeSize(res); n > 3000 {
				t.Fatalf("the answer is %d bytes, over the budget", n)
			}
		})
	}
}
