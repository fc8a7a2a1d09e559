package tools

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/upstream"
)

// streamUpstream answers every request with a 200 stream that writes lines at the times
// given (each after its pause), then ends; the stream ends early when the request's
// context does, as net/http's would.
type streamUpstream struct {
	pauses []time.Duration
	lines  []string
}

func (u *streamUpstream) Do(ctx context.Context, _ *upstream.Request) (*http.Response, error) {
	pr, pw := io.Pipe()
	go func() {
		for i, p := range u.pauses {
			select {
			case <-time.After(p):
			case <-ctx.Done():
				pw.CloseWithError(ctx.Err())
				return
			}
			fmt.Fprintln(pw, u.lines[i])
		}
		pw.Close()
	}()
	go func() { <-ctx.Done(); pw.CloseWithError(ctx.Err()) }()
	return &http.Response{StatusCode: 200, Header: http.Header{}, Body: pr}, nil
}

// A stream silent for longer than --stream-idle-timeout ends with an error that names
// the setting, at that time; one whose lines come more often than that runs to its end,
// however long. Fake time (synctest).
func TestStreamIdle(t *testing.T) {
	pull := toolAt(t, "POST", "/libpod/images/pull")
	step := `{"stream":"Copying blob\n"}`
	done := `{"images":["sha256:1"],"id":"sha256:1"}`
	for _, tc := range []struct {
		name    string
		up      *streamUpstream
		isError bool
		took    time.Duration
	}{
		{"silent after a line", &streamUpstream{pauses: []time.Duration{time.Second, 24 * time.Hour}, lines: []string{step, done}}, true, 30*time.Minute + time.Second},
		{"a line every 20 minutes, 3 hours", &streamUpstream{pauses: repeat(20*time.Minute, 9), lines: append(repeatS(step, 8), done)}, false, 3 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := New(Config{Tools: []*capabilities.Tool{pull}, StreamIdle: 30 * time.Minute, Log: zerolog.Nop(), Kinds: kindsOf(tc.up)})
				start := time.Now()
				res := callTool(t, e, pull, callRequest(pull, `{"reference":"quay.io/x/y:1"}`, false, "", ""))
				took := time.Since(start)
				text := resultText(res)
				if res.IsError != tc.isError || took != tc.took {
					t.Fatalf("isError %v after %s, want %v after %s: %s", res.IsError, took, tc.isError, tc.took, text)
				}
				if tc.isError && !strings.Contains(text, "nothing was sent or received for 30m0s (--stream-idle-timeout") {
					t.Fatalf("unclear error: %s", text)
				}
			})
		})
	}
}

func repeat(d time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

func repeatS(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}
