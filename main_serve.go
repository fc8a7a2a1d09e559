package main

import (
	"context"
	"errors"
	"io"
	"os"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/rs/zerolog"

	"github.com/image-mcp/image-mcp/tools"
)

// serve runs the MCP session on stdio. When stdin ends (the client left) or ctx ends (a
// signal), calls still running are cancelled and cleaned up (upstream requests aborted,
// partial output files removed) before it returns: the go-sdk alone would, on a signal,
// wait for them to run to their end.
func serve(ctx context.Context, server *mcp.Server, engine *tools.Engine, log zerolog.Logger) error {
	session, endSession := context.WithCancel(ctx)
	defer endSession()
	engine.Session = session
	err := server.Run(ctx, &guardedStdio{in: tools.NotifyEOF(os.Stdin, endSession), out: os.Stdout})
	endSession()
	if !engine.Drain(30 * time.Second) {
		log.Warn().Msg("tool calls still running at exit")
	}
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}
