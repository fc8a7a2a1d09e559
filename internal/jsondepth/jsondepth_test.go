package jsondepth

import (
	"os"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
	"github.com/tidwall/pretty"
)

func TestExceeds(t *testing.T) {
	nest := func(n int) string { return strings.Repeat(`{"a":[`, n) + "1" + strings.Repeat("]}", n) }
	cases := []struct {
		name, text string
		max        int
		want       bool
	}{
		{"flat", `{"a":1,"b":[1,2]}`, 2, false},
		{"at the limit", nest(5), 10, false},
		{"one over", nest(5), 9, true},
		{"brackets in strings", `{"a":"[[[[{{{{"}`, 1, false},
		{"escaped quote", `{"a":"\"[[[["}`, 1, false},
		{"escaped backslash", `{"a":"\\"}` + `[[`, 2, false},
		{"escaped backslash then open", `["\\",[[]]]`, 2, true},
		{"siblings", `[[],[],[]]`, 2, false},
		{"unterminated string", `["abc`, 1, false},
		{"ten million", strings.Repeat("[", 10_000_000), 1000, true},
		{"not JSON", `]]]]}}}}`, 1, false},
	}
	for _, c := range cases {
		if got := Exceeds([]byte(c.text), c.max); got != c.want {
			t.Errorf("%s: Exceeds(%.40q, %d) = %v, want %v", c.name, c.text, c.max, got, c.want)
		}
	}
}

func BenchmarkExceeds2MB(b *testing.B) {
	var sb strings.Builder
	for sb.Len() < 2<<20 {
		sb.WriteString(`{"name":"component","version":"1.2.3","vulns":[{"cve":"CVE-2021-1","cvss":7.5,"summary":"A flaw was found in the way \"x\" is parsed"}]},`)
	}
	data := []byte("[" + sb.String() + "1]")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if Exceeds(data, 64) {
			b.Fatal("too deep")
		}
	}
}

func BenchmarkExceedsFixture(b *testing.B) {
	data, err := os.ReadFile("../fakecentral/testdata/nodejs-centos-6.stackrox-fixture.json")
	if err != nil {
		b.Fatal(err)
	}
	data = pretty.Ugly(data)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if Exceeds(data, 64) {
			b.Fatal("too deep")
		}
	}
}

func BenchmarkValidFixture(b *testing.B) {
	data, err := os.ReadFile("../fakecentral/testdata/nodejs-centos-6.stackrox-fixture.json")
	if err != nil {
		b.Fatal(err)
	}
	data = pretty.Ugly(data)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		gjson.ValidBytes(data)
	}
}
