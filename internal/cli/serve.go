package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/rs/zerolog"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/internal/collector"
	"github.com/image-mcp/image-mcp/internal/redact"
	"github.com/image-mcp/image-mcp/prompts"
	"github.com/image-mcp/image-mcp/tools"
	"github.com/image-mcp/image-mcp/upstream"
)

// serveMCP serves the catalog on stdio until the client leaves or a signal comes.
func serveMCP(o *Options, b Build, c catalog, rox upstream.CentralConfig, roxErr error, red *redact.Set, stdin io.ReadCloser, stdout, stderr io.Writer, log zerolog.Logger, gc *collector.Schedule) int {
	// A bad StackRox setting must not stop the Podman tools: the StackRox tools answer with it.
	ups := &tools.Upstreams{Redact: red}
	ups.Central, ups.CentralErr = upstream.NewCentralClient(rox)
	if roxErr != nil {
		ups.Central, ups.CentralErr = nil, roxErr
	}
	switch {
	case ups.CentralErr == nil:
		log.Info().Str("endpoint", cmp.Or(rox.Endpoint, upstream.DefaultCentralEndpoint)).Bool("insecureSkipVerify", rox.Insecure).Msg("StackRox Central configured")
	case !errors.Is(ups.CentralErr, upstream.ErrCentralNotConfigured):
		log.Warn().Err(ups.CentralErr).Msg("StackRox Central settings are wrong; its tools will answer with this error")
	}

	paths, err := pathRule(o)
	if err != nil {
		fmt.Fprintf(stderr, "image-mcp: %v\n", err)
		return 2
	}
	if paths.Flag.Active() {
		log.Info().Str("allowed", paths.Flag.String()).Msg("path arguments must be inside these directories (--allowed-dirs)")
	} else {
		log.Info().Msg("no --allowed-dirs: path arguments must be inside the client's roots when it gives some, else any path is used")
	}
	// Podman is discovered in the background; its first use (or the exit) waits for it.
	env, autostart := podmanEnv(o), !o.NoAutostart
	podman := sync.OnceValues(func() (*upstream.PodmanClient, func()) { return connectPodman(log, env, autostart) })
	go podman()
	ups.PodmanLater = func() *upstream.PodmanClient { c, _ := podman(); return c }
	defer func() { _, stop := podman(); stop() }()

	for _, cp := range c.caps {
		if cp.Upstream != capabilities.UpstreamHTTP {
			continue // Podman's client is not waited for here; Central's error is logged above
		}
		if _, err := ups.Connect(cp); err != nil {
			log.Warn().Err(err).Str("capability", cp.File).Msg("its tools will answer with this error")
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	// When stdin ends (the client left) or ctx ends (a signal), calls still running are
	// cancelled and cleaned up (upstream requests aborted, partial output files removed)
	// before serveMCP returns: the go-sdk alone would, on a signal, wait for them to run
	// to their end.
	session, endSession := context.WithCancel(ctx)
	defer endSession()
	engine, err := tools.New(tools.Config{
		Tools:              c.served,
		Connect:            ups.Connect,
		MaxOutputBytes:     o.MaxOutputBytes,
		Timeout:            o.Timeout,
		StreamIdle:         o.StreamIdle,
		MaxAnswerBytes:     int64(o.MaxAnswerBytes),
		Log:                log,
		Paths:              paths,
		ConfirmDestructive: o.ConfirmDestructive,
		Session:            session,
		BigAnswer:          gc.BigAnswerRead,
		Redact:             red,
	})
	if err != nil {
		log.Error().Err(err).Msg("cannot build the tools")
		return 1
	}
	completer := &prompts.Completer{Prompts: c.prompts, Tools: c.served, Values: engine.Values, Timeout: o.Timeout,
		Failed: func(tool string, err error) {
			log.Debug().Str("tool", tool).Err(err).Msg("completion: this source gave nothing")
		}}
	server := mcp.NewServer(&mcp.Implementation{Name: "image-mcp", Title: "image-mcp: Podman and StackRox images", Version: b.Version, Icons: serverIcons()}, &mcp.ServerOptions{
		Instructions:      "Tools for container images: Podman's local image store (list, inspect, build, pull, push, tag, remove, export/load) and StackRox Central's image vulnerability data.",
		Capabilities:      &mcp.ServerCapabilities{Tools: &mcp.ToolCapabilities{}, Prompts: &mcp.PromptCapabilities{}, Completions: &mcp.CompletionCapabilities{}},
		CompletionHandler: completer.Handler(),
		//lint:ignore SA1019 roots are deprecated in MCP 2026-07-28 but clients still grant directories with them
		RootsListChangedHandler: paths.RootsChanged,
	})
	engine.Register(server)
	prompts.Register(server, c.prompts)
	// The seed name of a renamed tool is made its listed name first, so every later step
	// (the filters' refusal, confirmations) sees one name.
	server.AddReceivingMiddleware(tools.NegotiatedProtocol(), tools.Aliases(capabilities.NamesOf(c.all)), c.hidden.Refuse(), c.hiddenPrompts.Refuse(), gc.Middleware())

	log.Info().Int("tools", len(c.served)).Int("filtered out", len(c.hidden)).Int("prompts", len(c.prompts)).Str("version", b.Version).Msg("serving MCP on stdio")
	err = server.Run(ctx, &guardedStdio{in: tools.NotifyEOF(stdin, endSession), out: stdout, written: gc.Written})
	endSession()
	if !engine.Drain(30 * time.Second) {
		log.Warn().Msg("tool calls still running at exit")
	}
	if err != nil && !errors.Is(err, io.EOF) && ctx.Err() == nil {
		log.Error().Err(err).Msg("server stopped")
		return 1
	}
	return 0
}
