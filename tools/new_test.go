package tools

import (
	"context"
	"testing"
	"time"

	"github.com/image-mcp/image-mcp/capabilities"
)

// New builds a complete engine: every setting in its place, the confirmer with the
// fallback given.
func TestNewSetsEverything(t *testing.T) {
	session, end := context.WithCancel(context.Background())
	defer end()
	paths := &PathRule{}
	for _, tc := range []struct{ given, fallback string }{{"", ConfirmAllow}, {ConfirmAllow, ConfirmAllow}, {ConfirmDeny, ConfirmDeny}} {
		e := New(Config{MaxOutputBytes: 123, Timeout: time.Second, MaxAnswerBytes: 7, Paths: paths, ConfirmDestructive: tc.given, Session: session})
		if e.confirm == nil || e.shaper.maxBytes != 123 || e.timeout != time.Second || e.maxAnswer != 7 || e.paths != paths || e.session != session {
			t.Fatalf("%q: settings not in place: %+v", tc.given, e)
		}
		// The fallback reached the confirmer: a client that cannot ask (no request to
		// elicit with) is refused under deny and let through under allow.
		c := e.newCall(context.Background(), nil, &capabilities.Tool{Name: "export"}, Values{})
		err := e.confirm.overwrite(c, existing{Path: "/tmp/x", Kind: "file", Size: 1})
		if refused := err != nil; refused != (tc.fallback == ConfirmDeny) {
			t.Fatalf("%q: overwrite without elicitation refused=%v, want %v", tc.given, refused, tc.fallback == ConfirmDeny)
		}
	}
	if e := New(Config{}); e.maxAnswer != DefaultMaxAnswerBytes || e.confirm.fallback != ConfirmAllow {
		t.Fatalf("defaults: max answer %d, fallback %q", e.maxAnswer, e.confirm.fallback)
	}
}
