// Command image-mcp is an MCP server (stdio) for container images: Podman's libpod images
// API and StackRox Central's ImageService, one tool per capability-spec operation.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/rs/zerolog"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/prompts"
	"github.com/image-mcp/image-mcp/tools"
	"github.com/image-mcp/image-mcp/upstream"
)

// Set by the release build (-ldflags -X).
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

func main() {
	os.Exit(run())
}

func run() int {
	var (
		showVersion  = flag.Bool("version", false, "print the version and exit")
		podmanURL    = flag.String("podman-url", "", "Podman service URL, unix:///path/to/podman.sock, tcp://host:port or ssh://user@host[:port]/path/to/podman.sock (default: CONTAINER_HOST, then the podman system connection, then the usual sockets)")
		podmanKey    = flag.String("podman-identity", "", "ssh private key for an ssh:// Podman URL (CONTAINER_SSHKEY; default: the connection's, or ssh-agent)")
		knownHosts   = flag.String("podman-known-hosts", "", "known_hosts file that must hold an ssh:// host's key (IMAGE_MCP_SSH_KNOWN_HOSTS; default ~/.ssh/known_hosts)")
		noAutostart  = flag.Bool("no-autostart", false, "do not start `podman system service` when no Podman socket answers (IMAGE_MCP_NO_AUTOSTART)")
		logLevel     = flag.String("log-level", envOr("IMAGE_MCP_LOG_LEVEL", "info"), "log level on stderr: debug, info, warn, error (IMAGE_MCP_LOG_LEVEL)")
		timeout      = flag.Duration("timeout", envDuration("IMAGE_MCP_TIMEOUT", 2*time.Minute), "time limit of one non-streaming upstream call (IMAGE_MCP_TIMEOUT)")
		maxOutput    = flag.Int("max-output-bytes", envInt("IMAGE_MCP_MAX_OUTPUT_BYTES", tools.DefaultMaxOutputBytes), "output budget of one tool result in bytes; 0 for none (IMAGE_MCP_MAX_OUTPUT_BYTES)")
		roxEndpoint  = flag.String("rox-endpoint", "", "StackRox Central host:port (ROX_ENDPOINT)")
		roxTokenFile = flag.String("rox-api-token-file", "", "file holding the StackRox API token (ROX_API_TOKEN_FILE; or ROX_API_TOKEN)")
		roxCA        = flag.String("rox-ca-cert-file", "", "PEM CA certificate for Central's TLS (ROX_CA_CERT_FILE)")
		roxInsecure  = flag.Bool("rox-insecure-skip-tls-verify", false, "do not verify Central's TLS certificate (ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY)")
		roxServer    = flag.String("rox-server-name", "", "TLS server name to expect from Central (ROX_SERVER_NAME)")
	)
	safety := registerSafetyFlags()
	flag.Parse()
	defer startCPUProfile()()
	// `image-mcp [flags] doctor [flags]` checks the setup instead of serving.
	doctor := flag.Arg(0) == "doctor"
	if doctor {
		if err := flag.CommandLine.Parse(flag.Args()[1:]); err != nil {
			return 2
		}
	}
	if *showVersion {
		fmt.Printf("image-mcp %s (commit %s, built %s)\n", version, commit, date)
		return 0
	}

	level, err := zerolog.ParseLevel(*logLevel)
	if err != nil {
		fmt.Fprintf(os.Stderr, "image-mcp: --log-level %q: want debug, info, warn or error\n", *logLevel)
		return 2
	}
	// stdout carries MCP and nothing else.
	log := zerolog.New(zerolog.ConsoleWriter{Out: os.Stderr, NoColor: true, TimeFormat: time.RFC3339}).Level(level).With().Timestamp().Logger()

	builtinPrompts := parseBuiltinPrompts()
	caps, err := capabilities.Embedded()
	if err != nil {
		log.Error().Err(err).Msg("cannot load the capability specs")
		return 1
	}
	if caps, err = safety.loadCapabilities(caps); err != nil {
		fmt.Fprintf(os.Stderr, "image-mcp: %v\n", err)
		return 2
	}
	all, err := capabilities.AllTools(caps)
	if err != nil {
		fmt.Fprintf(os.Stderr, "image-mcp: %v\n", err)
		return 2
	}
	filter, err := safety.filter()
	if err != nil {
		fmt.Fprintf(os.Stderr, "image-mcp: %v\n", err)
		return 2
	}
	served, hidden, err := filter.Apply(all)
	if err != nil {
		fmt.Fprintf(os.Stderr, "image-mcp: %v\n", err)
		return 2
	}
	allPrompts, err := loadPrompts(builtinPrompts, caps, all)
	if err != nil {
		fmt.Fprintf(os.Stderr, "image-mcp: %v\n", err)
		return 2
	}
	servedPrompts, hiddenPrompts := prompts.Apply(allPrompts, hidden)
	if *noAutostart, err = boolSetting("no-autostart", "IMAGE_MCP_NO_AUTOSTART", *noAutostart); err != nil {
		fmt.Fprintf(os.Stderr, "image-mcp: %v\n", err)
		return 2
	}
	if *safety.listTools { // stdout is free: no MCP is served
		if err := tools.WriteToolTable(os.Stdout, served); err != nil {
			return 1
		}
		fmt.Println()
		if err := prompts.WriteTable(os.Stdout, servedPrompts); err != nil {
			return 1
		}
		return 0
	}

	// A bad StackRox setting must not stop the Podman tools: the StackRox tools answer with it.
	rox, roxErr := upstream.CentralEnv()
	rox.Endpoint = flagOr(*roxEndpoint, rox.Endpoint)
	rox.TokenFile = flagOr(*roxTokenFile, rox.TokenFile)
	rox.CAFile = flagOr(*roxCA, rox.CAFile)
	rox.ServerName = flagOr(*roxServer, rox.ServerName)
	rox.Insecure = rox.Insecure || *roxInsecure
	rox.Timeout = *timeout
	ups := &tools.Upstreams{Timeout: *timeout}
	ups.Central, ups.CentralErr = upstream.NewCentralClient(rox)
	if roxErr != nil {
		ups.Central, ups.CentralErr = nil, roxErr
	}
	switch {
	case ups.CentralErr == nil:
		log.Info().Str("endpoint", flagOr(rox.Endpoint, upstream.DefaultCentralEndpoint)).Bool("insecureSkipVerify", rox.Insecure).Msg("StackRox Central configured")
	case !errors.Is(ups.CentralErr, upstream.ErrCentralNotConfigured):
		log.Warn().Err(ups.CentralErr).Msg("StackRox Central settings are wrong; its tools will answer with this error")
	}

	penv := upstream.PodmanEnvFromOS(*podmanURL)
	penv.SSHKey = flagOr(*podmanKey, penv.SSHKey)
	penv.KnownHosts = flagOr(*knownHosts, penv.KnownHosts)
	paths, pathsErr := safety.pathRule()
	if doctor {
		return runDoctor(penv, rox, roxErr, !*noAutostart, all, paths, pathsErr)
	}
	if pathsErr != nil {
		fmt.Fprintf(os.Stderr, "image-mcp: %v\n", pathsErr)
		return 2
	}
	if paths.Flag.Active() {
		log.Info().Str("allowed", paths.Flag.String()).Msg("path arguments must be inside these directories (--allowed-dirs)")
	} else {
		log.Info().Msg("no --allowed-dirs: path arguments must be inside the client's roots when it gives some, else any path is used")
	}
	var stopPodman func()
	ups.Podman, stopPodman = connectPodman(log, penv, !*noAutostart)
	defer stopPodman()

	for _, c := range caps {
		if _, err := ups.Connect(c); err != nil && c.Upstream == "http" {
			log.Warn().Err(err).Str("capability", c.File).Msg("its tools will answer with this error")
		}
	}
	engine := &tools.Engine{
		Tools:   served,
		Connect: ups.Connect,
		Shaper:  tools.Shaper{MaxBytes: *maxOutput},
		Timeout: *timeout,
		Log:     log,
		Paths:   paths,
	}
	if _, err := tools.NewConfirmer(engine, *safety.confirm); err != nil {
		fmt.Fprintf(os.Stderr, "image-mcp: %v\n", err)
		return 2
	}
	server := mcp.NewServer(&mcp.Implementation{Name: "image-mcp", Title: "image-mcp: Podman and StackRox images", Version: version}, &mcp.ServerOptions{
		Instructions: "Tools for container images: Podman's local image store (list, inspect, build, pull, push, tag, remove, export/load) and StackRox Central's image vulnerability data.",
		Capabilities: &mcp.ServerCapabilities{Tools: &mcp.ToolCapabilities{}, Prompts: &mcp.PromptCapabilities{}},
		//lint:ignore SA1019 roots are deprecated in MCP 2026-07-28 but clients still grant directories with them
		RootsListChangedHandler: paths.RootsChanged,
	})
	engine.Register(server)
	prompts.Register(server, servedPrompts)
	server.AddReceivingMiddleware(hidden.Refuse(), hiddenPrompts.Refuse())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	log.Info().Int("tools", len(served)).Int("filtered out", len(hidden)).Int("prompts", len(servedPrompts)).Str("version", version).Msg("serving MCP on stdio")
	if err := serve(ctx, server, engine, log); err != nil && ctx.Err() == nil {
		log.Error().Err(err).Msg("server stopped")
		return 1
	}
	return 0
}

func flagOr(flagValue, envValue string) string {
	if flagValue != "" {
		return flagValue
	}
	return envValue
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return n
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return d
	}
	return def
}
