package tools

import "testing"

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
			root := newNode(c.body)
			selectFields(root, c.fields)
			if got := root.text(); got != c.want || root.size != len(got) {
				t.Fatalf("got  %s (size %d)\nwant %s", root.text(), root.size, c.want)
			}
		})
	}
}
