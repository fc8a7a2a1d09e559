package tools

import (
	"strings"
	"testing"
)

func TestReportedErrors(t *testing.T) {
	rm := specTool(t, "remove-one-more-images-storage")
	cases := []struct {
		body string
		want []string // none: not an error
	}{
		{`{"Deleted":["abc"],"Untagged":["localhost/a:1"],"Errors":[],"ExitCode":0}`, nil},
		{`{"Deleted":["abc"],"ExitCode":0}`, nil},
		{`{"Errors":null}`, nil},
		{`{"ExitCode":1,"Errors":["nope1: image not known","nope2: image not known"]}`,
			[]string{"remove-images: Podman reported errors: nope1: image not known; nope2: image not known", `"ExitCode":1`}},
		{`{"Deleted":["abc"],"Errors":["nope: image not known"],"ExitCode":1}`,
			[]string{"nope: image not known", `"Deleted":["abc"]`, "what did succeed"}},
		{`{"Errors":"one failure"}`, []string{"reported errors: one failure"}},
	}
	for _, tc := range cases {
		err := reportedErrors(rm, []byte(tc.body))
		if len(tc.want) == 0 {
			if err != nil {
				t.Errorf("%s: an error: %v", tc.body, err)
			}
			continue
		}
		res := resultOf(err)
		if err == nil || !res.IsError {
			t.Errorf("%s: not an error", tc.body)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(resultText(res), w) {
				t.Errorf("%s: %q lacks %q", tc.body, resultText(res), w)
			}
		}
	}
	// Tools without errorsAt never look.
	if err := reportedErrors(specTool(t, "list-images"), []byte(`{"Errors":["x"]}`)); err != nil {
		t.Error("list-images has no errorsAt")
	}
}
