package podman

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// The streams in testdata/podman-4.3.1 are what Podman 4.3.1 really sent (see its README).
func TestReadNDJSON(t *testing.T) {
	const builtID = "ce7427fa3eb757ac72efb983b008d614221e6405ed2d3bf182059acc71e40896"
	cases := []struct {
		file     string
		id       string
		images   []string
		errText  string
		lines    int
		lastLine string
	}{
		{file: "build-ok", id: builtID, lines: 12, lastLine: builtID},
		{file: "build-fail", errText: `building at STEP "RUN exit 3": while running runtime: exit status 3`, lines: 2, lastLine: "STEP 2/2: RUN exit 3"},
		{file: "pull-ok", id: builtID, images: []string{builtID}, lines: 7, lastLine: "Storing signatures"},
		{file: "pull-fail", errText: "initializing source docker://127.0.0.1:5987/test/nope:1: reading manifest 1 in 127.0.0.1:5987/test/nope: manifest unknown: manifest unknown",
			lines: 1, lastLine: "Trying to pull 127.0.0.1:5987/test/nope:1..."},
		{file: "push-ok-quiet", lines: 0},
		{file: "push-ok-verbose", lines: 6, lastLine: "Storing signatures"},
		{file: "push-fail", errText: `trying to reuse blob sha256:48ce1759f787cca1a56f996472a82ba1e542e0fce6ef7df78c296734a2e734f2 at destination: pinging container registry 127.0.0.1:1: Get "http://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused`,
			lines: 12, lastLine: "Copying blob sha256:48ce1759f787cca1a56f996472a82ba1e542e0fce6ef7df78c296734a2e734f2"},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", "podman-4.3.1", tc.file+".ndjson"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var seen []int
			sum, err := readNDJSON(f, func(n int, text string) {
				seen = append(seen, n)
				if text == "" || strings.HasSuffix(text, "\n") {
					t.Errorf("line %d: %q", n, text)
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			sum.finishBuild()
			if sum.ID != tc.id {
				t.Errorf("ID %q, want %q", sum.ID, tc.id)
			}
			if strings.Join(sum.Images, ",") != strings.Join(tc.images, ",") {
				t.Errorf("images %v, want %v", sum.Images, tc.images)
			}
			if sum.Error != tc.errText {
				t.Errorf("error %q\nwant  %q", sum.Error, tc.errText)
			}
			if sum.Lines != tc.lines || len(seen) != tc.lines {
				t.Errorf("lines %d (callbacks %d), want %d", sum.Lines, len(seen), tc.lines)
			}
			for i, n := range seen {
				if n != i+1 {
					t.Errorf("callback %d got n=%d", i, n)
				}
			}
			if tc.lines > 0 && sum.Output[len(sum.Output)-1] != tc.lastLine {
				t.Errorf("last line %q, want %q", sum.Output[len(sum.Output)-1], tc.lastLine)
			}
		})
	}
}

func TestReadNDJSONShapes(t *testing.T) {
	var long []string
	for i := range 100 {
		long = append(long, `{"stream":"line `+strings.Repeat("x", i%3)+`\n"}`)
	}
	cases := []struct {
		name, in string
		check    func(*testing.T, *streamSummary)
	}{
		{"keeps the last 30 lines", strings.Join(long, "\n"), func(t *testing.T, s *streamSummary) {
			if s.Lines != 100 || len(s.Output) != keepOutputLines {
				t.Errorf("lines %d output %d", s.Lines, len(s.Output))
			}
		}},
		{"several lines in one stream member", `{"stream":"a\nb\n\nc\n"}`, func(t *testing.T, s *streamSummary) {
			if strings.Join(s.Output, "|") != "a|b|c" {
				t.Errorf("output %q", s.Output)
			}
		}},
		{"no final newline", `{"stream":"a\n"}` + "\n" + `{"error":"boom"}`, func(t *testing.T, s *streamSummary) {
			if s.Error != "boom" {
				t.Errorf("error %q", s.Error)
			}
		}},
		{"errorDetail alone", `{"errorDetail":{"message":"denied\n"}}`, func(t *testing.T, s *streamSummary) {
			if s.Error != "denied" {
				t.Errorf("error %q", s.Error)
			}
		}},
		{"not JSON is output", "plain text\r\n", func(t *testing.T, s *streamSummary) {
			if strings.Join(s.Output, "|") != "plain text" || s.Error != "" {
				t.Errorf("output %q error %q", s.Output, s.Error)
			}
		}},
		{"compat status and digest", `{"status":"Pushing","progress":"[==>  ] 1MB/2MB"}` + "\n" + `{"manifestdigest":"sha256:abc"}`, func(t *testing.T, s *streamSummary) {
			if s.Digest != "sha256:abc" || s.Output[0] != "Pushing [==>  ] 1MB/2MB" {
				t.Errorf("digest %q output %q", s.Digest, s.Output)
			}
		}},
		{"a build's last line is not an ID when it failed", `{"stream":"` + strings.Repeat("a", 64) + `\n"}` + "\n" + `{"error":"x"}`, func(t *testing.T, s *streamSummary) {
			s.finishBuild()
			if s.ID != "" {
				t.Errorf("ID %q", s.ID)
			}
		}},
		{"a line over 64 KiB, kept shortened", `{"stream":"` + strings.Repeat("y", 100_000) + `\n"}`, func(t *testing.T, s *streamSummary) {
			if s.Lines != 1 || s.Output[0] != strings.Repeat("y", keepLineBytes)+"… (95904 bytes more)" {
				t.Errorf("lines %d, kept %.80q… (%d bytes)", s.Lines, s.Output[0], len(s.Output[0]))
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := readNDJSON(strings.NewReader(tc.in), nil)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, s)
		})
	}
}

// A line over maxStreamLine (an endless one too) or nested too deep ends the stream with a
// streamLimitError naming the line; the lines before it were read; a line just within
// the bound is read.
func TestReadNDJSONLimits(t *testing.T) {
	ok := `{"stream":"STEP 1/2: FROM x\n"}` + "\n"
	endless := io.MultiReader(strings.NewReader(ok+`{"stream":"`), endlessReader('a'))
	cases := []struct {
		name string
		in   io.Reader
		want string // "" reads to the end
	}{
		{"endless line", endless, "line 2 of the stream is longer than 1048576 bytes"},
		{"line over the bound", strings.NewReader(ok + `{"stream":"` + strings.Repeat("b", maxStreamLine) + `"}` + "\n"), "line 2 of the stream is longer"},
		{"line within the bound", strings.NewReader(ok + `{"stream":"` + strings.Repeat("b", maxStreamLine-20) + `"}` + "\n"), ""},
		{"thirty long lines", strings.NewReader(ok + strings.Repeat(`{"stream":"`+strings.Repeat("é", maxStreamLine/3)+`"}`+"\n", 30)), ""},
		{"deep line", strings.NewReader(ok + strings.Repeat("[", 600_000) + "\n"), "line 2 of the stream is JSON nested deeper than 512 levels"},
	}
	for _, c := range cases {
		sum, err := readNDJSON(c.in, nil)
		var le *streamLimitError
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (!errors.As(err, &le) || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		case sum.Lines < 1 || sum.Output[0] != "STEP 1/2: FROM x" && sum.Lines < 30:
			t.Errorf("%s: the line before was not read: %+v", c.name, sum)
		}
		for _, l := range sum.Output {
			if len(l) > keepLineBytes+40 || !utf8.ValidString(l) {
				t.Errorf("%s: an output line of %d bytes kept (valid UTF-8: %v)", c.name, len(l), utf8.ValidString(l))
			}
		}
	}
}

// endlessReader is a body that never ends.
type endlessReader byte

func (e endlessReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(e)
	}
	return len(p), nil
}
