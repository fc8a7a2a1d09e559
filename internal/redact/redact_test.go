package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// Every form a secret can leave in is masked: as is, JSON-escaped, URL-encoded, base64 of
// it alone or inside more (user:password, a JSON auth config) at any alignment.
func TestSetMasksEveryForm(t *testing.T) {
	pass := `p@ss"w<rd>/+?&canary-42`
	token := "eyJhbGciOiJSUzI1NiJ9.canary-token-7"
	var s Set
	s.Add(pass, token, "abc") // "abc" is too short to be taken
	b64 := func(enc *base64.Encoding, v string) string { return enc.EncodeToString([]byte(v)) }
	authJSON, _ := json.Marshal(map[string]string{"username": "u", "password": pass})
	cases := map[string]string{
		"raw":              pass,
		"bearer":           "Authorization: Bearer " + token,
		"json":             string(must(json.Marshal(pass))),
		"json in json":     string(must(json.Marshal(string(must(json.Marshal(map[string]string{"message": pass})))))),
		"query":            url.QueryEscape(pass),
		"path":             url.PathEscape(pass),
		"userinfo":         "https://" + url.UserPassword("u", pass).String() + "@reg/v2/",
		"base64":           b64(base64.StdEncoding, pass),
		"base64url token":  b64(base64.RawURLEncoding, token),
		"user:password":    b64(base64.StdEncoding, "u:"+pass),
		"user2:password":   b64(base64.StdEncoding, "us:"+pass),
		"user3:password":   b64(base64.URLEncoding, "use:"+pass),
		"auth config":      b64(base64.URLEncoding, string(authJSON)),
		"bearer in base64": b64(base64.StdEncoding, "Bearer "+token),
	}
	for name, leak := range cases {
		got := s.String("before " + leak + " after")
		if !strings.Contains(got, Mask) || !strings.HasPrefix(got, "before ") || !strings.HasSuffix(got, " after") {
			t.Errorf("%s: %q became %q", name, leak, got)
		}
		for _, part := range []string{pass, "canary-42", "canary-token-7"} {
			if strings.Contains(got, part) {
				t.Errorf("%s: %q left in %q", name, part, got)
			}
		}
	}
	// Cut off by a shortened text: the start that is left is masked before the ellipsis.
	// (Of user:password in base64, what encodes the user name stays: "dTp" is "u:".)
	for cut, want := range map[string]string{pass[:5]: "", token[:12]: "", b64(base64.StdEncoding, "u:"+pass)[:20]: "dTp"} {
		if got := s.String("error: " + cut + "… [cut] and more…"); got != "error: "+want+"[redacted]… [cut] and more…" {
			t.Errorf("a secret cut to %q became %q", cut, got)
		}
	}
	if got := s.String("abc and nothing else…"); got != "abc and nothing else…" {
		t.Errorf("a text without secrets changed: %q", got)
	}
}

// The writer passes text without secrets on unchanged (the same bytes, one write) and
// reports the length it was given when it masked.
func TestWriter(t *testing.T) {
	var out bytes.Buffer
	var s Set
	w := s.Writer(&out)
	if n, err := w.Write([]byte("no secret yet\n")); n != 14 || err != nil {
		t.Fatal(n, err)
	}
	s.Add("hunter2-secret")
	line := []byte(`{"text":"error: hunter2-secret refused"}` + "\n")
	if n, err := w.Write(line); n != len(line) || err != nil {
		t.Fatal(n, err)
	}
	if got := out.String(); got != "no secret yet\n{\"text\":\"error: [redacted] refused\"}\n" {
		t.Fatalf("wrote %q", got)
	}
}

// The zero and nil sets pass everything on.
func TestEmpty(t *testing.T) {
	var nilSet *Set
	nilSet.Add("whatever-secret")
	if nilSet.String("whatever-secret") != "whatever-secret" || nilSet.Active() {
		t.Fatal("a nil set masked")
	}
	var s Set
	if s.Active() || s.String("x") != "x" {
		t.Fatal("an empty set masked")
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// The cost of an outgoing 2 MB message with a token and a password known (none in it).
func BenchmarkBytes2MB(b *testing.B) {
	var s Set
	s.Add("eyJhbGciOiJSUzI1NiIsImtpZCI6Imp3dGswIiwidHlwIjoiSldUIn0.canary", "registry-password-1")
	var msg bytes.Buffer
	for i := 0; msg.Len() < 2<<20; i++ {
		fmt.Fprintf(&msg, `{"name":"component-%d","version":"1.2.%d","vulns":[{"cve":"CVE-2021-%d","summary":"A flaw was found in the way eyJ tokens are parsed, which base64 aGVsbG8="}]},`, i, i, i)
	}
	b.SetBytes(int64(msg.Len()))
	for b.Loop() {
		s.Bytes(msg.Bytes())
	}
}

// What calls add is bounded: beyond maxRecent the oldest is forgotten, unless it was added
// again since; what is kept stays.
func TestRecentBounded(t *testing.T) {
	var s Set
	s.Keep("the-central-token")
	s.Add("first-password")
	for i := range maxRecent {
		s.Add(fmt.Sprintf("password-%04d", i))
		if i == maxRecent/2 {
			s.Add("first-password") // used again: the newest again
		}
	}
	s.Add("one-more-password", "another-password")
	got := s.String("the-central-token first-password password-0000 password-0001 password-0002 one-more-password")
	if got != "[redacted] [redacted] password-0000 password-0001 password-0002 [redacted]" {
		t.Fatalf("got %q", got)
	}
	if len(s.recent) != maxRecent {
		t.Fatalf("%d recent secrets kept", len(s.recent))
	}
}
