package cli

import (
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"
)

// setting is one option: its flag, the environment variable behind it ("" when it has
// none), and the flag's text when the command line gave it. Flags keep their text until
// Validate reads them, so a bad value from either place is reported the same way, naming
// where it came from and what is accepted.
type setting struct {
	flag, env string
	arg       string // what -h shows after the flag: "duration", "list"…; "" for a bool
	text      string
	given     bool
	isBool    bool
	list      bool // repeatable: each flag adds an item
	items     []string
}

func (s *setting) Set(v string) error {
	s.text, s.given = v, true
	if s.list {
		s.items = append(s.items, v)
	}
	return nil
}

func (s *setting) String() string {
	if s == nil {
		return ""
	}
	return s.text
}

// IsBoolFlag lets `--read-only` stand for `--read-only=true`.
func (s *setting) IsBoolFlag() bool { return s != nil && s.isBool }

// source gives the setting's text: the flag's when the command line gave it (it wins),
// else the environment variable's; empty means unset.
func (s *setting) source(getenv func(string) string) string {
	if s.given || s.env == "" {
		return s.text
	}
	return getenv(s.env)
}

// bad says that text is not a value of the setting, and what is.
func (s *setting) bad(text, want string) error {
	if s.given || s.env == "" {
		return fmt.Errorf("--%s %q: want %s", s.flag, text, want)
	}
	return fmt.Errorf("%s=%q: want %s", s.env, text, want)
}

// read is the one typed reader of settings: def when unset, else parse's value, else an
// error naming the flag or variable and what it accepts.
func read[T any](s *setting, getenv func(string) string, def T, want string, parse func(string) (T, bool)) (T, error) {
	text := s.source(getenv)
	if strings.TrimSpace(text) == "" && !s.given {
		return def, nil
	}
	v, ok := parse(strings.TrimSpace(text))
	if !ok {
		return def, s.bad(text, want)
	}
	return v, nil
}

func parseBool(t string) (bool, bool) {
	b, err := strconv.ParseBool(t)
	return b, err == nil
}

// parseDuration takes a Go duration, not negative.
func parseDuration(t string) (time.Duration, bool) {
	d, err := time.ParseDuration(t)
	return d, err == nil && d >= 0
}

// parseBetween takes a whole number from lo to hi.
func parseBetween(lo, hi int) func(string) (int, bool) {
	return func(t string) (int, bool) {
		n, err := strconv.Atoi(t)
		return n, err == nil && n >= lo && n <= hi
	}
}

// parsePositive takes a whole number above 0.
func parsePositive(t string) (int, bool) {
	n, err := strconv.Atoi(t)
	return n, err == nil && n > 0
}

func parseLogLevel(t string) (zerolog.Level, bool) {
	l, err := zerolog.ParseLevel(t)
	return l, err == nil && t != ""
}

// oneOf takes exactly one of names.
func oneOf(names ...string) func(string) (string, bool) {
	return func(t string) (string, bool) { return t, slices.Contains(names, t) }
}

// define registers s on fs; def is the default shown by -h.
func define(fs *flag.FlagSet, s *setting, def, usage string) {
	fs.Var(s, s.flag, usage)
	fs.Lookup(s.flag).DefValue = def
}

// usage prints -h: each flag with what it takes, its meaning and its default.
func usage(fs *flag.FlagSet) func() {
	return func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: image-mcp [flags] [doctor [flags]]\n\n")
		fs.VisitAll(func(f *flag.Flag) {
			line := "  --" + f.Name
			if s, ok := f.Value.(*setting); ok && s.arg != "" {
				line += " " + s.arg
			}
			fmt.Fprintf(out, "%s\n    \t%s", line, f.Usage)
			if f.DefValue != "" {
				fmt.Fprintf(out, " (default %s)", f.DefValue)
			}
			fmt.Fprintln(out)
		})
	}
}
