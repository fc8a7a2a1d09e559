// Package cli is the image-mcp command: its options (options.go, setting.go), and what it
// runs: serve MCP on stdio (serve.go behind stdio_guard.go), doctor (doctor.go),
// --list-tools (listtools.go), with the tools loaded by catalog.go.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rs/zerolog"
)

// Build names the binary; the release build sets it (-ldflags -X in package main).
type Build struct{ Version, Commit, Date string }

// Main runs the command with its arguments (without the program name) and environment,
// and gives the exit code: 0 done, 1 failed, 2 a bad setting.
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

	// stdout carries MCP and nothing else.
	log := zerolog.New(zerolog.ConsoleWriter{Out: stderr, NoColor: true, TimeFormat: time.RFC3339}).Level(o.LogLevel).With().Timestamp().Logger()
	c, exit, err := loadCatalog(o)
	switch {
	case exit == 1:
		log.Error().Err(err).Msg("cannot start")
		return 1
	case err != nil:
		fmt.Fprintf(stderr, "image-mcp: %v\n", err)
		return exit
	case o.ListTools:
		return listTools(stdout, c)
	case o.Doctor:
		return runDoctor(o, stdout, c)
	}
	return serveMCP(o, b, c, stdin, stdout, stderr, log)
}
