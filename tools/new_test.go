package tools

import (
	"context"
	"testing"
	"time"

	"github.com/image-mcp/image-mcp/capabilities"
)

// New builds a complete engine: every hook installed, every setting in its place.
func TestNewInstallsEveryHook(t *testing.T) {
	session, end := context.WithCancel(context.Background())
	defer end()
	paths := &PathRule{}
	for _, tc := range []struct{ given, fallback string }{{"", ConfirmAllow}, {ConfirmAllow, ConfirmAllow}, {ConfirmDeny, ConfirmDeny}} {
		e, err := New(Config{MaxOutputBytes: 123, Timeout: time.Second, Paths: paths, ConfirmDestructive: tc.given, Session: session})
		if err != nil {
			t.Fatal(err)
		}
		if e.Confirm == nil || e.ConfirmOverwrite == nil {
			t.Fatalf("%q: confirmation hooks not installed", tc.given)
		}
		if e.Shaper.MaxBytes != 123 || e.Timeout != time.Second || e.Paths != paths || e.Session != session {
			t.Fatalf("%q: settings not in place: %+v", tc.given, e)
		}
		// The fallback reached the hooks: a client that cannot ask (no request to elicit
		// with) is refused under deny and let through under allow.
		res := e.ConfirmOverwrite(context.Background(), nil, &capabilities.Tool{Name: "export"}, Values{}, Existing{Path: "/tmp/x", Kind: "file", Size: 1})
		if refused := res != nil && res.IsError; refused != (tc.fallback == ConfirmDeny) {
			t.Fatalf("%q: overwrite without elicitation refused=%v, want %v", tc.given, refused, tc.fallback == ConfirmDeny)
		}
	}
}
