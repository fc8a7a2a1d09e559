package tools

import (
	"cmp"
	"context"
	"time"

	"github.com/rs/zerolog"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/internal/redact"
	"github.com/image-mcp/image-mcp/upstream"
)

// Config is what an Engine is built from.
type Config struct {
	Tools []*capabilities.Tool
	// Kinds connect each capability to its upstream, by the kind it names.
	Kinds upstream.Kinds
	// MaxOutputBytes is the budget of one tool result; 0 for none.
	MaxOutputBytes int
	// Timeout bounds one non-streaming upstream call; 0 for none.
	Timeout time.Duration
	// StreamIdle ends a stream after so long without a byte sent or received; 0 for never.
	StreamIdle time.Duration
	// MaxAnswerBytes bounds a JSON answer read whole; 0 for DefaultMaxAnswerBytes.
	MaxAnswerBytes int64
	Log            zerolog.Logger
	// Paths keeps path arguments inside the allowed directories; nil lets any path through.
	Paths *PathRule
	// ConfirmDestructive is what a destructive call that needs a confirmation does when
	// the client cannot ask the person: ConfirmAllow (also for "") or ConfirmDeny. The
	// caller has checked it (the command's options do, once).
	ConfirmDestructive string
	// Session ends every running call when it is done (the client left); nil for never.
	Session context.Context
	// BigAnswer, when set, is called when a call has read and shaped an answer of 256 KiB
	// or more (its garbage is then several times its size).
	BigAnswer func()
	// Redact is told the credentials each call sends; the caller masks them (and its
	// own secrets) where the server's output leaves it. nil: not told.
	Redact *redact.Set
}

// New builds the engine: the one way to make one.
func New(c Config) *Engine {
	return &Engine{
		tools:      c.Tools,
		kinds:      c.Kinds,
		shaper:     shaper{maxBytes: c.MaxOutputBytes},
		timeout:    c.Timeout,
		streamIdle: c.StreamIdle,
		maxAnswer:  cmp.Or(c.MaxAnswerBytes, DefaultMaxAnswerBytes),
		log:        c.Log,
		paths:      c.Paths,
		confirm:    newConfirmer(cmp.Or(c.ConfirmDestructive, ConfirmAllow)),
		session:    c.Session,
		bigAnswer:  c.BigAnswer,
		redact:     c.Redact,
	}
}
