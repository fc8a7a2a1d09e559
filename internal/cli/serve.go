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

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/prompts"
	"github.com/image-mcp/image-mcp/tools"
	"github.com/image-mcp/image-mcp/upstream"
)

// serve serves the catalog on stdio until the client leaves or a signal comes.
func (r *run) serve(stdin io.ReadCloser) int {
	paths, err := pathRule(r.o)
	if err != nil {
		fmt.Fprintf(r.stderr, "image-mcp: %v\n", err)
		return 2
	}
	if paths.Flag.Active() {
		r.log.Info().Str("allowed", paths.Flag.String()).Msg("path arguments must be inside these directories (--allowed-dirs)")
	} else {
		r.log.Info().Msg("no --allowed-dirs: path arguments must be inside the client's roots when it gives some, else any path is used")
	}
	kinds, stopUpstreams := r.upstreamKinds()
	defer stopUpstreams()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	// When stdin ends (the client left) or ctx ends (a signal), calls still running are
	// cancelled and cleaned up (upstream requests aborted, partial output files removed)
	// before serve returns: the go-sdk alone would, on a signal, wait for them to run to
	// their end.
	session, endSession := context.WithCancel(ctx)
	defer endSession()
	engine := r.engine(kinds, paths, session)
	server := r.mcpServer(engine, paths)
	r.log.Info().Int("tools", len(r.cat.served)).Int("filtered out", len(r.cat.hidden)).Int("prompts", len(r.cat.prompts)).Str("version", r.b.Version).Msg("serving MCP on stdio")
	err = server.Run(ctx, &guardedStdio{in: tools.NotifyEOF(stdin, endSession), out: r.stdout, written: r.gc.Written})
	endSession()
	if !engine.Drain(30 * time.Second) {
		r.log.Warn().Msg("tool calls still running at exit")
	}
	if err != nil && !errors.Is(err, io.EOF) && ctx.Err() == nil {
		r.log.Error().Err(err).Msg("server stopped")
		return 1
	}
	return 0
}

// engine builds the tools' engine from the settings; session ends with the client.
func (r *run) engine(kinds upstream.Kinds, paths *tools.PathRule, session context.Context) *tools.Engine {
	o := r.o
	return tools.New(tools.Config{
		Tools:              r.cat.served,
		Kinds:              kinds,
		MaxOutputBytes:     o.MaxOutputBytes,
		Timeout:            o.Timeout,
		StreamIdle:         o.StreamIdle,
		MaxAnswerBytes:     int64(o.MaxAnswerBytes),
		Log:                r.log,
		Paths:              paths,
		ConfirmDestructive: o.ConfirmDestructive,
		Session:            session,
		BigAnswer:          r.gc.BigAnswerRead,
		Redact:             r.red,
	})
}

// mcpServer is the go-sdk server with the engine's tools, the prompts and their
// completions, and the middleware every request passes.
func (r *run) mcpServer(engine *tools.Engine, paths *tools.PathRule) *mcp.Server {
	completer := &prompts.Completer{Prompts: r.cat.prompts, Tools: r.cat.served, Values: engine.Values, Timeout: r.o.Timeout,
		Failed: func(tool string, err error) {
			r.log.Debug().Str("tool", tool).Err(err).Msg("completion: this source gave nothing")
		}}
	server := mcp.NewServer(&mcp.Implementation{Name: "image-mcp", Title: "image-mcp: Podman and StackRox images", Version: r.b.Version, Icons: serverIcons()}, &mcp.ServerOptions{
		Instructions:      "Tools for container images: Podman's local image store (list, inspect, build, pull, push, tag, remove, export/load) and StackRox Central's image vulnerability data.",
		Capabilities:      &mcp.ServerCapabilities{Tools: &mcp.ToolCapabilities{}, Prompts: &mcp.PromptCapabilities{}, Completions: &mcp.CompletionCapabilities{}},
		CompletionHandler: completer.Handler(),
		//lint:ignore SA1019 roots are deprecated in MCP 2026-07-28 but clients still grant directories with them
		RootsListChangedHandler: paths.RootsChanged,
	})
	engine.Register(server)
	prompts.Register(server, r.cat.prompts)
	// The seed name of a renamed tool is made its listed name first, so every later step
	// (the filters' refusal, confirmations) sees one name.
	server.AddReceivingMiddleware(tools.NegotiatedProtocol(), tools.Aliases(capabilities.NamesOf(r.cat.all)),
		r.cat.hidden.Refuse(), r.cat.hiddenPrompts.Refuse(), r.gc.Middleware())
	return server
}
