// Package redact removes secrets (the StackRox API token, registry passwords, an extra
// capability's API key) from every text image-mcp writes: one Set, applied where text
// leaves the process (stdout's MCP messages, stderr's log, doctor's report), so that a
// secret an upstream echoes anywhere (an error message, a progress line, a result) is
// caught whatever path it took through the server.
package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"maps"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Mask replaces every form of a secret.
const Mask = "[redacted]"

// minSecret is the shortest value taken as a secret: shorter ones would mask ordinary words.
const minSecret = 4

// minCore is the shortest base64 fragment of a secret that is masked inside other base64.
const minCore = 6

// maxRecent bounds the secrets calls add (Add): each new one costs every later message a
// few more searches, and a client could send thousands of passwords. The oldest go first;
// one added again is the newest again.
const maxRecent = 1024

// Set is the secrets known so far and every form they are masked in. Its zero value is
// an empty set, ready to use; it is safe for concurrent use.
type Set struct {
	mu      sync.Mutex
	lasting map[string]bool
	recent  []string            // Add's, oldest first
	formsOf map[string][]string // of each secret kept
	// forms, longest first, so that a secret's full encoding wins over a part of it.
	forms atomic.Pointer[[][]byte]
}

// Keep makes each value a secret for the life of the set (the Central token, an API
// key). Values under 4 bytes are ignored: they would mask ordinary words.
func (s *Set) Keep(values ...string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	changed := false
	for _, v := range values {
		if len(v) >= minSecret && !s.lasting[v] {
			if s.lasting == nil {
				s.lasting = map[string]bool{}
			}
			s.lasting[v], changed = true, true
		}
	}
	if changed {
		s.rebuild()
	}
}

// Add makes each value a secret as Keep does, among the maxRecent most recently added
// (the credentials a call sends).
func (s *Set) Add(values ...string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	changed := false
	for _, v := range values {
		if len(v) < minSecret || s.lasting[v] {
			continue
		}
		if i := slices.Index(s.recent, v); i >= 0 {
			s.recent = append(slices.Delete(s.recent, i, i+1), v)
			continue
		}
		s.recent, changed = append(s.recent, v), true
		if len(s.recent) > maxRecent {
			delete(s.formsOf, s.recent[0])
			s.recent = slices.Delete(s.recent, 0, 1)
		}
	}
	if changed {
		s.rebuild()
	}
}

// rebuild makes the forms of every secret kept, longest first. s.mu is held.
func (s *Set) rebuild() {
	seen := map[string]bool{}
	var forms [][]byte
	kept := append(slices.Collect(maps.Keys(s.lasting)), s.recent...)
	if s.formsOf == nil {
		s.formsOf = map[string][]string{}
	}
	for _, v := range kept {
		if s.formsOf[v] == nil {
			s.formsOf[v] = Forms(v)
		}
	}
	for _, v := range kept {
		for _, f := range s.formsOf[v] {
			if !seen[f] {
				seen[f] = true
				forms = append(forms, []byte(f))
			}
		}
	}
	slices.SortStableFunc(forms, func(a, b []byte) int { return len(b) - len(a) })
	s.forms.Store(&forms)
}

// Forms are the texts a secret is masked in: as is and URL-encoded (as a query value, a
// path segment, a URL's user:password), each also JSON-escaped once and twice (with and
// without HTML escaping), and the base64 of it as is and JSON-escaped (an auth config is
// JSON before it is base64).
func Forms(v string) []string {
	userinfo := strings.TrimPrefix(url.UserPassword("", v).String(), ":")
	var forms []string
	for i, t := range []string{v, url.QueryEscape(v), url.PathEscape(v), userinfo} {
		texts := []string{t}
		// Escaped once (an error's text, structuredContent) or twice (a result's text
		// block is its JSON, as a JSON string).
		for range 2 {
			for _, e := range texts {
				texts = append(texts, jsonEscape(e, false), jsonEscape(e, true))
			}
			slices.Sort(texts)
			texts = slices.Compact(texts)
		}
		forms = append(forms, texts...)
		if i == 0 {
			for _, t := range slices.Compact(texts) {
				forms = append(forms, base64Forms(t)...)
			}
		}
	}
	slices.Sort(forms)
	return slices.Compact(forms)
}

// jsonEscape is t as it stands inside a JSON string.
func jsonEscape(t string, html bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	enc.Encode(t)
	return strings.TrimSuffix(strings.TrimSpace(b.String()), `"`)[1:]
}

// base64Forms are t's base64 encodings (standard and URL alphabets), and the fragments of
// them that do not depend on the bytes around t, at each of base64's three alignments:
// what stays of t inside the encoding of more (user:password, a JSON auth config).
func base64Forms(t string) []string {
	var forms []string
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		forms = append(forms, enc.EncodeToString([]byte(t)))
		raw := enc.WithPadding(base64.NoPadding)
		for k := range 3 {
			e := raw.EncodeToString(append(make([]byte, k), t...))
			// The characters whose six bits all come from t: bits 8k to 8(k+len(t)).
			from, to := (8*k+5)/6, 8*(k+len(t))/6
			if to-from >= minCore {
				forms = append(forms, e[from:to])
			}
		}
	}
	return forms
}

// Active tells whether any secret is known.
func (s *Set) Active() bool {
	return s != nil && s.forms.Load() != nil
}

// Bytes masks every secret in b. It returns b itself when none is there.
func (s *Set) Bytes(b []byte) []byte {
	if s == nil {
		return b
	}
	fp := s.forms.Load()
	if fp == nil {
		return b
	}
	out := b
	for _, f := range *fp {
		if bytes.Contains(out, f) {
			out = bytes.ReplaceAll(out, f, []byte(Mask))
		}
	}
	if bytes.Contains(out, ellipsis) {
		out = maskCut(out, *fp)
	}
	return out
}

// ellipsis ends every text image-mcp shortens (an error body, an output line, a string the
// output budget cut): what stands before it may be the start of a secret cut off there.
var ellipsis = []byte("…")

// minCut is the shortest start of a secret masked before an ellipsis.
const minCut = 4

// maskCut masks, before each ellipsis, the longest start of a secret's form (of minCut
// bytes or more) that the text ends with there.
func maskCut(b []byte, forms [][]byte) []byte {
	var out []byte
	last := 0
	for i := 0; ; {
		j := bytes.Index(b[i:], ellipsis)
		if j < 0 {
			break
		}
		end := i + j
		cut := 0
		for _, f := range forms {
			for k := min(len(f)-1, end); k >= minCut && k > cut; k-- {
				if bytes.Equal(b[end-k:end], f[:k]) {
					cut = k
					break
				}
			}
		}
		if cut > 0 {
			out = append(append(out, b[last:end-cut]...), Mask...)
			last = end
		}
		i = end + len(ellipsis)
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// String masks every secret in t.
func (s *Set) String(t string) string {
	if !s.Active() {
		return t
	}
	return string(s.Bytes([]byte(t)))
}

// Writer masks every secret in each Write before passing it on to w. Each Write must be
// whole messages or lines (as zerolog's and the MCP transport's are), so that no secret
// is split between two.
func (s *Set) Writer(w io.Writer) io.Writer {
	return &writer{s: s, w: w}
}

type writer struct {
	s *Set
	w io.Writer
}

func (w *writer) Write(p []byte) (int, error) {
	q := w.s.Bytes(p)
	if len(q) == len(p) && (len(q) == 0 || &q[0] == &p[0]) {
		return w.w.Write(p)
	}
	if _, err := w.w.Write(q); err != nil {
		return 0, err
	}
	return len(p), nil
}
