package tools

import (
	"encoding/json"
	"testing"
)

func TestSelectFields(t *testing.T) {
	cases := []struct {
		name, body string
		fields     []string
		want       string
	}{
		{"top-level array", `[{"Id":"a","Size":1},{"Id":"b","Size":2}]`, []string{"Id"}, `[{"Id":"a"},{"Id":"b"}]`},
		{"list inside an object", `{"images":[{"id":"a","name":"n","cves":3}],"other":1}`, []string{"id", "cves"}, `{"images":[{"cves":3,"id":"a"}],"other":1}`},
		{"empty list", `{"images":[]}`, []string{"id"}, `{"images":[]}`},
		{"one object whose members are named", `{"id":"a","name":{"fullName":"f"},"names":[{"x":1},{"x":2}],"scan":{"components":[{"name":"c1"},{"name":"c2"}]}}`,
			[]string{"id", "name.fullName", "scan.components.#.name"}, `{"id":"a","name.fullName":"f","scan.components.#.name":["c1","c2"]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var v any
			if err := json.Unmarshal([]byte(c.body), &v); err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(selectFields(v, c.fields))
			if string(got) != c.want {
				t.Fatalf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}
