package upstream

import (
	"net/url"
	"strings"
	"testing"
)

func TestEncodeQuery(t *testing.T) {
	cases := []struct {
		in   url.Values
		want string
	}{
		{url.Values{"query": {"Image:nginx+Fixable:true"}}, "query=Image%3Anginx%2BFixable%3Atrue"},
		{url.Values{"term": {"a b"}}, "term=a%20b"},
		{url.Values{"term": {"a+b c"}}, "term=a%2Bb%20c"},
		{url.Values{"images": {"a", "b"}, "force": {"true"}}, "force=true&images=a&images=b"},
		{url.Values{"pagination.limit": {"5"}}, "pagination.limit=5"},
		{url.Values{"filters": {`{"dangling":["true"]}`}}, "filters=%7B%22dangling%22%3A%5B%22true%22%5D%7D"},
		{url.Values{}, ""},
	}
	for _, tc := range cases {
		got := EncodeQuery(tc.in)
		if got != tc.want {
			t.Errorf("EncodeQuery(%v) = %q, want %q", tc.in, got, tc.want)
		}
		// Whatever the server's decoder, it reads back the same values.
		back, err := url.ParseQuery(got)
		if err != nil || back.Encode() != tc.in.Encode() {
			t.Errorf("%q decodes to %v (%v)", got, back, err)
		}
	}
}

func TestPodmanURLSchemes(t *testing.T) {
	for _, tc := range []struct{ url, err string }{
		{"unix:///run/x.sock", ""},
		{"tcp://127.0.0.1:8080", ""},
		{"http://127.0.0.1:8080", `unsupported Podman URL scheme "http"`},
		{"unix://%zz", "invalid Podman URL"},
	} {
		c := NewPodmanClient(PodmanEndpoint{URL: tc.url, Source: "--podman-url", Tried: []string{tc.url}})
		err := c.usable()
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: %v, want %q", tc.url, err, tc.err)
		}
	}
}
