package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/rs/zerolog"

	"github.com/image-mcp/image-mcp/tools"
)

// Options is the whole configuration of one run, filled from the settings table
// (settings.go) by Validate before anything starts.
type Options struct {
	Version   bool
	ListTools bool
	// Doctor is set by the `doctor` command: check the setup instead of serving.
	Doctor bool

	// PodmanURL came from --podman-url or CONTAINER_HOST, as PodmanURLFrom says.
	PodmanURL, PodmanURLFrom string
	PodmanIdentity           string
	PodmanKnownHosts         string
	NoAutostart              bool

	LogLevel       zerolog.Level
	Timeout        time.Duration
	MaxOutputBytes int
	// MaxAnswerBytes bounds a JSON answer read whole; StreamIdle ends a stream that
	// moves nothing for so long (0: never).
	MaxAnswerBytes int
	StreamIdle     time.Duration

	// StackRox Central. RoxErr is a bad ROX_* variable: it does not stop the start, the
	// StackRox tools answer with it.
	RoxEndpoint   string
	RoxToken      string
	RoxTokenFile  string
	RoxCAFile     string
	RoxInsecure   bool
	RoxServerName string
	RoxErr        error

	Filter             tools.Filter
	ConfirmDestructive string
	Capabilities       []string
	// CapabilitiesFrom names where they came from: "--capability" or the variable.
	CapabilitiesFrom string
	// AllowedDirs are resolved when serving (doctor reports them instead of stopping);
	// AllowedDirsFrom names the flag or variable they came from.
	AllowedDirs     []string
	AllowedDirsFrom string
	// CPUProfile is a file for a CPU profile of the run (hidden: for the bench).
	CPUProfile string

	fs       *flag.FlagSet
	settings []*setting
	// getenv is the environment Main was given: what reads the environment past the
	// settings (the upstream kinds: Podman's discovery, an extra capability's variables)
	// reads it through this.
	getenv func(string) string
}

// NewOptions declares every flag of the settings table on a flag set that writes its
// errors and -h to stderr.
func NewOptions(stderr io.Writer) *Options {
	o := &Options{fs: flag.NewFlagSet("image-mcp", flag.ContinueOnError)}
	o.fs.SetOutput(stderr)
	o.fs.Usage = usage(o.fs)
	o.settings = o.table()
	for _, s := range o.settings {
		if s.flag != "" {
			o.fs.Var(s, s.flag, s.help)
			o.fs.Lookup(s.flag).DefValue = s.def
		}
	}
	return o
}

// Parse reads the command line, `image-mcp [flags] [doctor [flags]]`; its errors are
// printed (with the usage) on stderr.
func (o *Options) Parse(args []string) error {
	if err := o.fs.Parse(args); err != nil {
		return err
	}
	if o.fs.Arg(0) == "doctor" {
		o.Doctor = true
		if err := o.fs.Parse(o.fs.Args()[1:]); err != nil {
			return err
		}
	}
	if o.fs.NArg() > 0 {
		err := fmt.Errorf("unexpected argument %q: the only command is doctor (flags go before or after it)", o.fs.Arg(0))
		fmt.Fprintf(o.fs.Output(), "image-mcp: %v\n", err)
		return err
	}
	return nil
}

// Validate reads every setting, the flag winning over its environment variable, and
// reports every bad value at once, each naming its flag or variable and what it accepts.
func (o *Options) Validate(getenv func(string) string) error {
	o.getenv = getenv
	var errs []error
	for _, s := range o.settings {
		src := s.source(getenv)
		if s.from != nil {
			*s.from = src.name
		}
		switch err := s.read(src, s.def); {
		case err == nil:
		case s.soft != nil && !src.flag:
			s.soft(err)
		default:
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
