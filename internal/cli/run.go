// Package cli is the image-mcp command. settings.go is the settings table, one row per
// setting (flag, variable, default, reader, help), and setting.go reads a row; options.go
// declares the flags from the table and validates them into Options; run.go dispatches;
// catalog.go loads the tools and prompts (--capability, filters); serve.go serves MCP on
// stdio behind stdio_guard.go, reaching the upstreams through the kinds upstreams.go registers;
// doctor.go and listtools.go are the other commands; podman.go and central.go turn the
// options into upstream settings, paths.go into the allowed directories; profile.go is
// the bench's CPU profile.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/image-mcp/image-mcp/central"
	"github.com/image-mcp/image-mcp/internal/collector"
	"github.com/image-mcp/image-mcp/internal/redact"
)

// Build names the binary; the release build sets it (-ldflags -X in package main).
type Build struct{ Version, Commit, Date string }

// Main runs the command with its arguments (without the program name) and environment,
// and gives the exit code: 0 done, 1 failed, 2 a bad setting. As in kubernetes-mcp-server:
// NewOptions declares the flags, Parse and Validate read them, Run acts.
func Main(b Build, args []string, getenv func(string) string, stdin io.ReadCloser, stdout, stderr io.Writer) int {
	o := NewOptions(stderr)
	if err := o.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2 // the error is printed
	}
	if err := o.Validate(getenv); err != nil {
		for _, line := range strings.Split(err.Error(), "\n") { // one per bad setting
			fmt.Fprintf(stderr, "image-mcp: %s\n", line)
		}
		return 2
	}
	return o.Run(b, stdin, stdout, stderr)
}

// run is one run of the command once its options are read: what every command shares.
type run struct {
	o      *Options
	b      Build
	cat    catalog
	rox    central.Config
	roxErr error // a bad ROX_* setting: the StackRox tools answer with it
	red    *redact.Set
	gc     *collector.Schedule
	log    zerolog.Logger
	// stdout carries MCP (or a command's output) and nothing else; both mask secrets.
	stdout, stderr io.Writer
}

// Run does what the validated options say: print the version, list the tools, run
// doctor, or serve MCP on stdio.
func (o *Options) Run(b Build, stdin io.ReadCloser, stdout, stderr io.Writer) int {
	if o.Version {
		fmt.Fprintf(stdout, "image-mcp %s (commit %s, built %s)\n", b.Version, b.Commit, b.Date)
		return 0
	}
	stopProfile, err := startCPUProfile(o.CPUProfile)
	if err != nil {
		fmt.Fprintf(stderr, "image-mcp: IMAGE_MCP_CPUPROFILE=%q: %v\n", o.CPUProfile, err)
		return 2
	}
	defer stopProfile()
	r := &run{o: o, b: b, gc: collector.Pause(), red: &redact.Set{}}
	defer r.gc.Resume()

	// Secrets are masked in everything written from here on, wherever an upstream put
	// them: stdout's MCP messages (results, errors, progress) and doctor's report,
	// stderr's log. The Central token is known now; registry credentials are added by
	// each call that sends them.
	r.rox, r.roxErr = centralConfig(o)
	r.red.Keep(r.rox.Secrets()...)
	r.stdout, r.stderr = r.red.Writer(stdout), r.red.Writer(stderr)
	r.log = zerolog.New(zerolog.ConsoleWriter{Out: r.stderr, NoColor: true, TimeFormat: time.RFC3339}).Level(o.LogLevel).With().Timestamp().Logger()

	var exit int
	r.cat, exit, err = loadCatalog(o)
	switch {
	case exit == 1:
		r.log.Error().Err(err).Msg("cannot start")
		return 1
	case err != nil:
		fmt.Fprintf(r.stderr, "image-mcp: %v\n", err)
		return exit
	case o.ListTools:
		return listTools(r.stdout, r.cat)
	case o.Doctor:
		return r.doctor()
	}
	return r.serve(stdin)
}
