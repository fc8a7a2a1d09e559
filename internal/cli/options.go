package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/image-mcp/image-mcp/tools"
)

// Options is the whole configuration of one run: every flag with the environment
// variable behind it, read and checked by Validate before anything starts.
type Options struct {
	Version   bool
	ListTools bool
	// Doctor is set by the `doctor` command: check the setup instead of serving.
	Doctor bool

	PodmanURL        string
	PodmanIdentity   string
	PodmanKnownHosts string
	NoAutostart      bool

	LogLevel       zerolog.Level
	Timeout        time.Duration
	MaxOutputBytes int
	// MaxAnswerBytes bounds a JSON answer read whole; StreamIdle ends a stream that
	// moves nothing for so long (0: never).
	MaxAnswerBytes int
	StreamIdle     time.Duration

	// The StackRox flags; central.ConfigFromEnv reads their environment variables, and a
	// bad one there does not stop the start: the StackRox tools answer with it.
	RoxEndpoint   string
	RoxTokenFile  string
	RoxCAFile     string
	RoxInsecure   bool
	RoxServerName string

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
	// getenv is the environment Validate read, which the upstream kinds read too.
	getenv func(string) string

	fs *flag.FlagSet
	s  struct {
		version, listTools, podmanURL, podmanIdentity, podmanKnownHosts, noAutostart,
		logLevel, timeout, maxOutput, maxAnswer, streamIdle, roxEndpoint, roxTokenFile, roxCA, roxInsecure, roxServer,
		readOnly, disableDestructive, toolsets, enabled, disabled, confirm, capabilities, allowedDirs,
		cpuProfile setting
	}
}

// NewOptions declares every flag on a flag set that writes its errors and -h to stderr.
func NewOptions(stderr io.Writer) *Options {
	o := &Options{fs: flag.NewFlagSet("image-mcp", flag.ContinueOnError)}
	o.fs.SetOutput(stderr)
	o.fs.Usage = usage(o.fs)
	s, fs, list := &o.s, o.fs, string(os.PathListSeparator)
	s.version = setting{flag: "version", isBool: true}
	s.listTools = setting{flag: "list-tools", isBool: true}
	s.podmanURL = setting{arg: "url", flag: "podman-url"}
	s.podmanIdentity = setting{arg: "file", flag: "podman-identity"}
	s.podmanKnownHosts = setting{arg: "file", flag: "podman-known-hosts"}
	s.noAutostart = setting{flag: "no-autostart", env: "IMAGE_MCP_NO_AUTOSTART", isBool: true}
	s.logLevel = setting{arg: "level", flag: "log-level", env: "IMAGE_MCP_LOG_LEVEL"}
	s.timeout = setting{arg: "duration", flag: "timeout", env: "IMAGE_MCP_TIMEOUT"}
	s.maxOutput = setting{arg: "bytes", flag: "max-output-bytes", env: "IMAGE_MCP_MAX_OUTPUT_BYTES"}
	s.maxAnswer = setting{arg: "bytes", flag: "max-answer-bytes", env: "IMAGE_MCP_MAX_ANSWER_BYTES"}
	s.streamIdle = setting{arg: "duration", flag: "stream-idle-timeout", env: "IMAGE_MCP_STREAM_IDLE_TIMEOUT"}
	s.roxEndpoint = setting{arg: "host:port", flag: "rox-endpoint"}
	s.roxTokenFile = setting{arg: "file", flag: "rox-api-token-file"}
	s.roxCA = setting{arg: "file", flag: "rox-ca-cert-file"}
	s.roxInsecure = setting{flag: "rox-insecure-skip-tls-verify", isBool: true}
	s.roxServer = setting{arg: "name", flag: "rox-server-name"}
	s.readOnly = setting{flag: "read-only", env: "IMAGE_MCP_READ_ONLY", isBool: true}
	s.disableDestructive = setting{flag: "disable-destructive", env: "IMAGE_MCP_DISABLE_DESTRUCTIVE", isBool: true}
	s.toolsets = setting{arg: "list", flag: "toolsets", env: "IMAGE_MCP_TOOLSETS"}
	s.enabled = setting{arg: "list", flag: "enabled-tools", env: "IMAGE_MCP_ENABLED_TOOLS"}
	s.disabled = setting{arg: "list", flag: "disabled-tools", env: "IMAGE_MCP_DISABLED_TOOLS"}
	s.confirm = setting{arg: "allow|deny", flag: "confirm-destructive", env: "IMAGE_MCP_CONFIRM_DESTRUCTIVE"}
	s.capabilities = setting{arg: "file", flag: "capability", env: "IMAGE_MCP_CAPABILITIES", list: true}
	s.allowedDirs = setting{arg: "dirs", flag: "allowed-dirs", env: "IMAGE_MCP_ALLOWED_DIRS"}
	s.cpuProfile = setting{env: "IMAGE_MCP_CPUPROFILE"} // no flag

	define(fs, &s.version, "", "print the version and exit")
	define(fs, &s.podmanURL, "", "Podman service URL, unix:///path/to/podman.sock, tcp://host:port or ssh://user@host[:port]/path/to/podman.sock (default: CONTAINER_HOST, then the podman system connection, then the usual sockets)")
	define(fs, &s.podmanIdentity, "", "ssh private key for an ssh:// Podman URL (CONTAINER_SSHKEY; default: the connection's, or ssh-agent)")
	define(fs, &s.podmanKnownHosts, "", "known_hosts file that must hold an ssh:// host's key (IMAGE_MCP_SSH_KNOWN_HOSTS; default ~/.ssh/known_hosts)")
	define(fs, &s.noAutostart, "", "do not start 'podman system service' when no Podman socket answers (IMAGE_MCP_NO_AUTOSTART)")
	define(fs, &s.logLevel, "info", "log level on stderr: debug, info, warn, error (IMAGE_MCP_LOG_LEVEL)")
	define(fs, &s.timeout, "2m0s", "time limit of one non-streaming upstream call; 0 for none (IMAGE_MCP_TIMEOUT)")
	define(fs, &s.maxOutput, fmt.Sprint(tools.DefaultMaxOutputBytes), fmt.Sprintf("output budget of one whole tool result in bytes, notices included, at most %d; above the default every tool declares it (_meta %s) (IMAGE_MCP_MAX_OUTPUT_BYTES)", tools.MaxResultSizeChars, tools.ResultSizeMeta))
	define(fs, &s.maxAnswer, fmt.Sprint(tools.DefaultMaxAnswerBytes), "largest JSON answer read from Podman or Central, in bytes; a larger one is refused (IMAGE_MCP_MAX_ANSWER_BYTES)")
	define(fs, &s.streamIdle, tools.DefaultStreamIdle.String(), "end a build, pull, push, load, import or export when nothing was sent or received for this long; 0 for never (IMAGE_MCP_STREAM_IDLE_TIMEOUT)")
	define(fs, &s.roxEndpoint, "", "StackRox Central host:port (ROX_ENDPOINT)")
	define(fs, &s.roxTokenFile, "", "file holding the StackRox API token (ROX_API_TOKEN_FILE; or ROX_API_TOKEN)")
	define(fs, &s.roxCA, "", "PEM CA certificate for Central's TLS (ROX_CA_CERT_FILE)")
	define(fs, &s.roxInsecure, "", "do not verify Central's TLS certificate (ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY)")
	define(fs, &s.roxServer, "", "TLS server name to expect from Central (ROX_SERVER_NAME)")
	define(fs, &s.readOnly, "", "serve only tools whose readOnlyHint is true (IMAGE_MCP_READ_ONLY)")
	define(fs, &s.disableDestructive, "", "do not serve tools whose destructiveHint is true (IMAGE_MCP_DISABLE_DESTRUCTIVE)")
	define(fs, &s.toolsets, "", "comma-separated toolsets to serve, e.g. podman,stackrox; default all (IMAGE_MCP_TOOLSETS)")
	define(fs, &s.enabled, "", "comma-separated tool names: serve only these (IMAGE_MCP_ENABLED_TOOLS)")
	define(fs, &s.disabled, "", "comma-separated tool names not to serve (IMAGE_MCP_DISABLED_TOOLS)")
	define(fs, &s.confirm, tools.ConfirmAllow, "when the client cannot ask the person (no elicitation), destructive calls that need a confirmation are: allow or deny (IMAGE_MCP_CONFIRM_DESTRUCTIVE)")
	define(fs, &s.listTools, "", "print the tools and prompts that would be served (after filters) and exit")
	define(fs, &s.allowedDirs, "", "comma-separated directories that path arguments must be inside; wins over the client's roots (IMAGE_MCP_ALLOWED_DIRS, separated by "+list+")")
	define(fs, &s.capabilities, "", "an extra Naftiko capability file to serve (repeatable; IMAGE_MCP_CAPABILITIES, separated by "+list+")")
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
	s := &o.s
	o.getenv = getenv
	var errs []error
	check := func(err error) { errs = append(errs, err) }
	bools := []struct {
		dst *bool
		s   *setting
	}{
		{&o.Version, &s.version}, {&o.ListTools, &s.listTools}, {&o.NoAutostart, &s.noAutostart},
		{&o.RoxInsecure, &s.roxInsecure}, {&o.Filter.ReadOnly, &s.readOnly},
		{&o.Filter.DisableDestructive, &s.disableDestructive},
	}
	for _, b := range bools {
		var err error
		*b.dst, err = read(b.s, getenv, false, "true or false", parseBool)
		check(err)
	}
	var err error
	o.LogLevel, err = read(&s.logLevel, getenv, zerolog.InfoLevel, "debug, info, warn or error", parseLogLevel)
	check(err)
	o.Timeout, err = read(&s.timeout, getenv, 2*time.Minute, "a duration such as 90s or 5m, 0 for none", parseDuration)
	check(err)
	o.MaxOutputBytes, err = read(&s.maxOutput, getenv, tools.DefaultMaxOutputBytes,
		fmt.Sprintf("a number of bytes from 1 to %d: every answer must fit what a tool may declare it answers "+
			"(_meta %s), or Claude Code hands the model a file path and a 2 KB preview instead", tools.MaxResultSizeChars, tools.ResultSizeMeta),
		parseBetween(1, tools.MaxResultSizeChars))
	check(err)
	o.MaxAnswerBytes, err = read(&s.maxAnswer, getenv, tools.DefaultMaxAnswerBytes, "a number of bytes above 0", parsePositive)
	check(err)
	o.StreamIdle, err = read(&s.streamIdle, getenv, tools.DefaultStreamIdle, "a duration such as 30m or 1h, 0 for never", parseDuration)
	check(err)
	o.ConfirmDestructive, err = read(&s.confirm, getenv, tools.ConfirmAllow, tools.ConfirmAllow+" or "+tools.ConfirmDeny, oneOf(tools.ConfirmAllow, tools.ConfirmDeny))
	check(err)

	o.PodmanURL, o.PodmanIdentity, o.PodmanKnownHosts = s.podmanURL.text, s.podmanIdentity.text, s.podmanKnownHosts.text
	o.RoxEndpoint, o.RoxTokenFile, o.RoxCAFile, o.RoxServerName = s.roxEndpoint.text, s.roxTokenFile.text, s.roxCA.text, s.roxServer.text
	o.Filter.Toolsets = tools.SplitList(s.toolsets.source(getenv))
	o.Filter.Enabled = tools.SplitList(s.enabled.source(getenv))
	o.Filter.Disabled = tools.SplitList(s.disabled.source(getenv))
	o.CPUProfile = s.cpuProfile.source(getenv)

	// Lists: flags are comma-separated (--capability repeats) and replace the
	// variable's list, which is separated like PATH.
	o.Capabilities, o.CapabilitiesFrom = s.capabilities.items, "--"+s.capabilities.flag
	if !s.capabilities.given {
		o.Capabilities, o.CapabilitiesFrom = filepath.SplitList(getenv(s.capabilities.env)), s.capabilities.env
	}
	o.AllowedDirs, o.AllowedDirsFrom = filepath.SplitList(getenv(s.allowedDirs.env)), s.allowedDirs.env
	if s.allowedDirs.given {
		o.AllowedDirs, o.AllowedDirsFrom = strings.Split(s.allowedDirs.text, ","), "--"+s.allowedDirs.flag
	}
	return errors.Join(errs...)
}
