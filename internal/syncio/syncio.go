// Package syncio holds the one locked writer the project needs: several goroutines write
// whole messages or log lines to one destination, and a reader may look at what a buffer
// holds while they do.
package syncio

import (
	"fmt"
	"io"
	"sync"
)

// Writer serialises Writes to W, so that each Write reaches W whole.
type Writer struct {
	mu sync.Mutex
	W  io.Writer
}

func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.W.Write(p)
}

// String is what W holds (a bytes.Buffer, a strings.Builder), read under the lock; "" for
// a W that cannot say.
func (w *Writer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if s, ok := w.W.(fmt.Stringer); ok {
		return s.String()
	}
	return ""
}
