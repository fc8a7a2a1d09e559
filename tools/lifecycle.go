package tools

import (
	"context"
	"io"
	"sync"
	"time"
)

// Every call is tied to the session: when Session is done (the serve command ends it when stdin
// closes or on SIGTERM/SIGINT), calls still running are cancelled, so their upstream
// requests are aborted and partial output files removed; Drain waits for that cleanup
// before the process exits. (On a signal the go-sdk's session Close would otherwise wait
// for running calls, e.g. let an export nobody waits for run to its end.)

// callContext derives a call's context that also ends with the session.
func (e *Engine) callContext(ctx context.Context) (context.Context, func()) {
	e.inflight.Add(1)
	if e.session == nil {
		return ctx, e.inflight.Done
	}
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(e.session, cancel)
	return ctx, func() { stop(); cancel(); e.inflight.Done() }
}

// Drain waits until running calls have finished, at most d.
func (e *Engine) Drain(d time.Duration) bool {
	done := make(chan struct{})
	go func() { e.inflight.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// NotifyEOF wraps the server's input: onEOF runs when it ends or fails (the client left).
func NotifyEOF(r io.ReadCloser, onEOF func()) io.ReadCloser {
	return &eofReader{ReadCloser: r, onEOF: onEOF}
}

type eofReader struct {
	io.ReadCloser
	once  sync.Once
	onEOF func()
}

func (r *eofReader) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	if err != nil {
		r.once.Do(r.onEOF)
	}
	return n, err
}
