package cli

import (
	"flag"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/image-mcp/image-mcp/tools"
)

// setting is one row of the settings table (settings.go): its flag, the environment
// variable behind it, its default, how its text is read into Options, and its help.
// Flags keep their text until Validate reads them, so a bad value from either place is
// reported the same way, naming where it came from and what is accepted.
type setting struct {
	flag string // without "--"; "" for a variable alone
	env  string // "" for a flag alone
	alt  string // a second variable, read when env is empty (the seed's STACKROX_API_KEY)
	arg  string // what -h shows after the flag: "duration", "list"…; "" for a boolean
	def  string // the default as -h and docs/settings.md show it, read like a given value
	help string // -h's text
	// read fills the setting's field of Options from its text, or says why it cannot.
	read func(src source, def string) error
	// from, when set, receives where the value came from: "--flag" or the variable.
	from *string
	// soft, when set, takes a bad variable's error instead of stopping the start: a
	// connection setting, which the tools that need it answer with (doctor reports it).
	soft   func(error)
	list   bool // repeatable: each flag adds an item (--capability)
	hidden bool // in neither -h nor docs/settings.md (IMAGE_MCP_CPUPROFILE, for the bench)

	text  string // the flag's text, when the command line gave it
	given bool
	items []string // each flag's text, for a list
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
func (s *setting) IsBoolFlag() bool { return s != nil && s.arg == "" }

// source is a setting's text and where it came from.
type source struct {
	text  string
	items []string // a list flag's items
	flag  bool     // the command line gave it: it wins over the variable
	name  string   // "--timeout" or "IMAGE_MCP_TIMEOUT", as errors name it
}

// source gives the flag's text when the command line gave it (it wins), else the
// variable's (then the second variable's); empty text means unset.
func (s *setting) source(getenv func(string) string) source {
	if s.given || s.env == "" {
		return source{text: s.text, items: s.items, flag: s.given, name: "--" + s.flag}
	}
	if v := getenv(s.env); v != "" || s.alt == "" {
		return source{text: v, name: s.env}
	}
	return source{text: getenv(s.alt), name: s.alt}
}

// bad says that the text is not a value of the setting, and what is.
func (src source) bad(want string) error {
	if strings.HasPrefix(src.name, "--") {
		return fmt.Errorf("%s %q: want %s", src.name, src.text, want)
	}
	return fmt.Errorf("%s=%q: want %s", src.name, src.text, want)
}

// value reads a typed setting into dst: its default when unset (a blank variable is
// unset; no default leaves the zero value), else parse's value of the trimmed text,
// else an error naming the flag or variable and what it accepts.
func value[T any](dst *T, want string, parse func(string) (T, bool)) func(source, string) error {
	return func(src source, def string) error {
		text := src.text
		if !src.flag && strings.TrimSpace(text) == "" {
			if def == "" {
				return nil
			}
			text = def
		}
		v, ok := parse(strings.TrimSpace(text))
		if !ok {
			return src.bad(want)
		}
		*dst = v
		return nil
	}
}

// text reads a setting as it is written (a URL, a file): empty when unset.
func text(dst *string) func(source, string) error {
	return func(src source, _ string) error { *dst = src.text; return nil }
}

// names reads comma-separated names (toolsets, tools); they are checked against the
// catalog when it is loaded.
func names(dst *[]string) func(source, string) error {
	return func(src source, _ string) error { *dst = tools.SplitList(src.text); return nil }
}

// paths reads a list of files or directories: the variable's is separated like PATH and
// replaced by the flag's, which is comma-separated or (a list flag) one per flag. They are
// checked when used: doctor reports a bad directory that would stop the server.
func paths(dst *[]string) func(source, string) error {
	return func(src source, _ string) error {
		switch {
		case !src.flag:
			*dst = filepath.SplitList(src.text)
		case src.items != nil:
			*dst = src.items
		default:
			*dst = strings.Split(src.text, ",")
		}
		return nil
	}
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
