package syncio

import (
	"bytes"
	"strings"
	"sync"
	"testing"
)

// Concurrent writers' lines arrive whole, and String may be read meanwhile (go test -race).
func TestWriterKeepsWritesWhole(t *testing.T) {
	w := &Writer{W: &bytes.Buffer{}}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				w.Write([]byte(strings.Repeat(string(rune('a'+i)), 64) + "\n"))
				_ = w.String()
			}
		}()
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(w.String(), "\n"), "\n")
	if len(lines) != 800 {
		t.Fatalf("%d lines, want 800", len(lines))
	}
	for _, l := range lines {
		if len(l) != 64 || strings.Trim(l, l[:1]) != "" {
			t.Fatalf("a line was interleaved: %q", l)
		}
	}
	if s := (&Writer{W: nopWriter{}}).String(); s != "" {
		t.Fatalf("String of a writer that cannot say = %q", s)
	}
}

type nopWriter struct{}

func (nopWriter) Write(p []byte) (int, error) { return len(p), nil }
