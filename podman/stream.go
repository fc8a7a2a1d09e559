package podman

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/image-mcp/image-mcp/internal/clip"
	"github.com/image-mcp/image-mcp/internal/jsondepth"
	"github.com/image-mcp/image-mcp/upstream"
)

// streamSummary is what a pull, push or build stream comes to: not every line, but the
// images it produced, the digest, the error if any, and the last lines of output. It is
// the upstream.Stream of Podman's kind, encoded as the call's result.
type streamSummary struct {
	ID     string   `json:"id,omitempty"`
	Images []string `json:"images,omitempty"`
	Digest string   `json:"digest,omitempty"`
	Error  string   `json:"error,omitempty"`
	Lines  int      `json:"lines"`
	Output []string `json:"output,omitempty"`
}

const keepOutputLines = 30

// keepLineBytes bounds each output line kept and reported as progress: a line may be up
// to maxStreamLine, and thirty of those would make a 30 MB result.
const keepLineBytes = 4 << 10

// maxStreamLine bounds one line of a stream. Podman's are a few hundred bytes (a status, a
// build step's output line, an error); a longer one is no stream of Podman's.
const maxStreamLine = 1 << 20

// streamLimitError: a line of the stream broke a bound (maxStreamLine, or nesting deeper
// than jsondepth.Upstream); the stream was not read further.
type streamLimitError struct {
	Line int    // the line's number
	What string // which bound
}

func (e *streamLimitError) Error() string {
	return fmt.Sprintf("line %d of the stream is %s", e.Line, e.What)
}

// ReadStream is Podman's upstream.StreamReader: readNDJSON, and a build's image ID.
func (c *Client) ReadStream(r io.Reader, line func(n int, text string)) (upstream.Stream, error) {
	sum, err := readNDJSON(r, line)
	if err == nil {
		sum.finishBuild()
	}
	return sum, err
}

// Failure is the failure the stream reported after its 200; "" for none.
func (s *streamSummary) Failure() string { return s.Error }

// LastOutput is the last lines of output.
func (s *streamSummary) LastOutput() []string { return s.Output }

// readNDJSON reads a stream of JSON objects (one per line) as Podman sends for pull, push
// and build. A failure inside the stream after a 200 (an `error` member) is reported in
// Error. onLine is called for each line of output text, for progress. A line over
// maxStreamLine or nested too deep ends the reading with a *streamLimitError, holding
// no more than maxStreamLine of it.
func readNDJSON(r io.Reader, onLine func(n int, text string)) (*streamSummary, error) {
	s := &streamSummary{}
	br := bufio.NewReaderSize(r, 64<<10)
	var line []byte
	for n := 1; ; {
		frag, err := br.ReadSlice('\n')
		if len(line)+len(frag) > maxStreamLine {
			return s, &streamLimitError{Line: n, What: fmt.Sprintf("longer than %d bytes", maxStreamLine)}
		}
		line = append(line, frag...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if len(bytes.TrimSpace(line)) > 0 {
			if jsondepth.Exceeds(line, jsondepth.Upstream) {
				return s, &streamLimitError{Line: n, What: fmt.Sprintf("JSON nested deeper than %d levels", jsondepth.Upstream)}
			}
			s.consume(line, onLine)
		}
		line, n = line[:0], n+1
		if err == io.EOF {
			return s, nil
		}
		if err != nil {
			return s, err
		}
	}
}

func (s *streamSummary) consume(line []byte, onLine func(int, string)) {
	if !gjson.ValidBytes(line) {
		s.addOutput(string(bytes.TrimSpace(line)), onLine)
		return
	}
	r := gjson.ParseBytes(line)
	if e := r.Get("error"); e.Exists() && e.String() != "" {
		s.Error = clipLine(strings.TrimSpace(e.String()), 4*keepLineBytes)
	} else if e := r.Get("errorDetail.message"); e.Exists() && s.Error == "" {
		s.Error = clipLine(strings.TrimSpace(e.String()), 4*keepLineBytes)
	}
	if st := r.Get("stream"); st.Exists() {
		for _, l := range strings.Split(strings.TrimRight(st.String(), "\n"), "\n") {
			s.addOutput(l, onLine)
		}
	}
	if st := r.Get("status"); st.Exists() { // the Docker-compatible shape (compatMode)
		s.addOutput(strings.TrimSpace(st.String()+" "+r.Get("progress").String()), onLine)
	}
	if id := r.Get("id"); id.Exists() && id.Type == gjson.String && r.Get("images").Exists() {
		s.ID = id.String()
	}
	if imgs := r.Get("images"); imgs.IsArray() {
		for _, i := range imgs.Array() {
			s.Images = append(s.Images, i.String())
		}
	}
	if d := r.Get("manifestdigest"); d.Exists() {
		s.Digest = d.String()
	}
	if id := r.Get("aux.ID"); id.Exists() {
		s.ID = id.String()
	}
}

func (s *streamSummary) addOutput(l string, onLine func(int, string)) {
	if l = strings.TrimRight(l, "\r"); l == "" {
		return
	}
	l = clipLine(l, keepLineBytes)
	s.Lines++
	if len(s.Output) == keepOutputLines {
		copy(s.Output, s.Output[1:])
		s.Output = s.Output[:keepOutputLines-1]
	}
	s.Output = append(s.Output, l)
	if onLine != nil {
		onLine(s.Lines, l)
	}
}

// clipLine shortens l to at most n bytes (whole characters), saying how much was left out.
func clipLine(l string, n int) string {
	if len(l) <= n {
		return l
	}
	n = clip.At(l, n)
	return l[:n] + fmt.Sprintf("… (%d bytes more)", len(l)-n)
}

// finishBuild fills the image ID of a build: its last output line is the full ID.
func (s *streamSummary) finishBuild() {
	if s.ID != "" || s.Error != "" || len(s.Output) == 0 {
		return
	}
	last := s.Output[len(s.Output)-1]
	if len(last) == 64 && isHex(last) {
		s.ID = last
	}
}

func isHex(s string) bool {
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}
