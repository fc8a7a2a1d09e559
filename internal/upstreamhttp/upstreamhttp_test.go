package upstreamhttp

import (
	"net/url"
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
