package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/rs/zerolog"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/central"
	"github.com/image-mcp/image-mcp/internal/redact"
	"github.com/image-mcp/image-mcp/prompts"
	"github.com/image-mcp/image-mcp/tools"
)

// serveMCP serves the catalog on stdio until the client leaves or a signal comes.
func serveMCP(o *Options, b Build, c catalog, rox central.Config, roxErr error, red *redact.Set, stdin io.ReadCloser, stdout, stderr io.Writer, log zerolog.Logger, gc *collector) int {
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
	kinds, stopUpstreams := upstreamKinds(o, rox, roxErr, red, c.caps, log)
	defer stopUpstreams()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	// When stdin ends (the client left) or ctx ends (a signal), calls still running are
	// cancelled and cleaned up (upstream requests aborted, partial output files removed)
	// before serveMCP returns: the go-sdk alone would, on a signal, wait for them to run
	// to their end.
	session, endSession := context.WithCancel(ctx)
	defer endSession()
	engine := tools.New(tools.Config{
		Tools:              c.served,
		Kinds:              kinds,
		MaxOutputBytes:     o.MaxOutputBytes,
		Timeout:            o.Timeout,
		StreamIdle:         o.StreamIdle,
		MaxAnswerBytes:     int64(o.MaxAnswerBytes),
		Log:                log,
		Paths:              paths,
		ConfirmDestructive: o.ConfirmDestructive,
		Session:            session,
		BigAnswer:          gc.bigAnswerRead,
		Redact:             red,
	})
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
	server.AddReceivingMiddleware(tools.NegotiatedProtocol(), tools.Aliases(capabilities.NamesOf(c.all)), c.hidden.Refuse(), c.hiddenPrompts.Refuse(), gc.middleware())

	log.Info().Int("tools", len(c.served)).Int("filtered out", len(c.hidden)).Int("prompts", len(c.prompts)).Str("version", b.Version).Msg("serving MCP on stdio")
	err = server.Run(ctx, &guardedStdio{in: tools.NotifyEOF(stdin, endSession), out: stdout, written: gc.written})
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
