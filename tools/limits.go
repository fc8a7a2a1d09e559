package tools

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"
)

// What an upstream may send is bounded, so that a hostile or broken one (an endless body,
// an endless line, a stream that stops moving, JSON nested millions of levels deep) ends
// the call with an error instead of the server's memory, stack or patience. The bounds of
// nesting is jsondepth.Upstream, that of a stream's line its reader's (Podman's: 1 MiB);
// these two are settings.

// DefaultMaxAnswerBytes bounds one JSON answer read whole (--max-answer-bytes): well above
// Central's largest real answers (a page of 1,000 images, an image with its whole scan: a
// few MB) and Podman's (a list of every image of a big store).
const DefaultMaxAnswerBytes = 256 << 20

// DefaultStreamIdle ends a stream (build, pull, push, load, import, export) when nothing
// was sent or received for this long (--stream-idle-timeout). Podman is silent while it
// copies a layer or runs a build step, so it is long.
const DefaultStreamIdle = 30 * time.Minute

// answerTooLargeError: the answer was longer than --max-answer-bytes; reading stopped there.
type answerTooLargeError struct{ limit int64 }

func (e *answerTooLargeError) Error() string {
	return fmt.Sprintf("the answer is larger than %d bytes (--max-answer-bytes, IMAGE_MCP_MAX_ANSWER_BYTES); it was not read further", e.limit)
}

// idleError is why a stream was ended: nothing moved for the idle limit.
type idleError struct{ after time.Duration }

func (e *idleError) Error() string {
	return fmt.Sprintf("nothing was sent or received for %s (--stream-idle-timeout, IMAGE_MCP_STREAM_IDLE_TIMEOUT)", e.after)
}

// watchdog ends a stream's context with an idleError when touch was not called for its
// limit. touch is an atomic store: it runs on every read of a multi-gigabyte body.
type watchdog struct {
	limit  time.Duration
	last   atomic.Int64 // time.Now().UnixNano() of the last touch
	timer  *time.Timer
	cancel context.CancelCauseFunc
}

// newWatchdog watches ctx's stream; the returned context ends when the watchdog fires or
// stop is called. A limit of 0 watches nothing.
func newWatchdog(ctx context.Context, limit time.Duration) (context.Context, *watchdog, func()) {
	if limit <= 0 {
		return ctx, nil, func() {}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	w := &watchdog{limit: limit, cancel: cancel}
	w.touch()
	w.timer = time.AfterFunc(limit, w.check)
	return ctx, w, func() { w.timer.Stop(); cancel(nil) }
}

func (w *watchdog) touch() {
	if w != nil {
		w.last.Store(time.Now().UnixNano())
	}
}

// check fires the watchdog, or sets it again for what is left of the limit since the
// last touch.
func (w *watchdog) check() {
	idle := time.Since(time.Unix(0, w.last.Load()))
	if idle >= w.limit {
		w.cancel(&idleError{after: w.limit})
		return
	}
	w.timer.Reset(w.limit - idle)
}

// touchingReader touches the watchdog on every read that brings something.
type touchingReader struct {
	r interface {
		Read([]byte) (int, error)
		Close() error
	}
	w *watchdog
}

func (t *touchingReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n > 0 {
		t.w.touch()
	}
	return n, err
}

func (t *touchingReader) Close() error { return t.r.Close() }
