// Package tools turns loaded capabilities into MCP tools and runs their calls: argument
// checking, the upstream request, and the shaped result. It knows no upstream: each is
// reached through the interfaces of package upstream, by the kind its capability names.
package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/rs/zerolog"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/internal/redact"
	"github.com/image-mcp/image-mcp/upstream"
)

// Engine serves tools. Everything in it is built once, by New.
type Engine struct {
	tools  []*capabilities.Tool
	kinds  upstream.Kinds
	shaper shaper
	// timeout bounds one non-streaming call; streams end by finishing, cancellation, or
	// streamIdle without a byte sent or received (0: never).
	timeout    time.Duration
	streamIdle time.Duration
	maxAnswer  int64 // bounds a JSON answer read whole (0: none)
	log        zerolog.Logger
	paths      *PathRule  // keeps path arguments inside the allowed directories; nil: any path
	confirm    *confirmer // asks the person before a destructive call or an overwrite
	session    context.Context
	bigAnswer  func()
	redact     *redact.Set
	inflight   sync.WaitGroup
}

// connect gives the client of a capability's upstream, or why there is none.
func (e *Engine) connect(c *capabilities.Capability) (upstream.Client, error) {
	k, ok := e.kinds[c.Upstream]
	if !ok {
		return nil, fmt.Errorf("no upstream of kind %q is registered", c.Upstream)
	}
	return k.Connect(c)
}

// mcpTool is the tool as listed, with the input schema given (typed, or encoded): title,
// and annotations with all four hints explicit.
func mcpTool(t *capabilities.Tool, schema any) *mcp.Tool {
	ro, destr, idem := t.ReadOnly, t.Destructive, t.Idempotent
	return &mcp.Tool{
		Name:        t.Name,
		Title:       t.Title,
		Description: t.Description,
		InputSchema: schema,
		// No annotations.title: clients prefer the tool's title, and every byte of
		// tools/list is paid in every conversation.
		Annotations: &mcp.ToolAnnotations{
			ReadOnlyHint:    ro,
			DestructiveHint: &destr,
			IdempotentHint:  idem,
			OpenWorldHint:   t.OpenWorld,
		},
	}
}

// Register adds every tool of the engine to the server, each with its listed schema.
func (e *Engine) Register(s *mcp.Server) {
	for _, t := range e.tools {
		mt := mcpTool(t, listedSchema(t))
		mt.Meta = e.resultSizeMeta()
		s.AddTool(mt, e.handler(t))
	}
}

// resultSizeMeta declares the largest answer of a tool when the budget is above the
// default: Claude Code keeps an answer inline up to 50,000 characters unless the tool
// declares more. An answer is at most the budget in bytes, so in characters.
func (e *Engine) resultSizeMeta() mcp.Meta {
	if e.shaper.maxBytes <= DefaultMaxOutputBytes {
		return nil
	}
	return mcp.Meta{ResultSizeMeta: e.shaper.maxBytes}
}

// listedSchema is t's input schema as tools/list shows it, as JSON: generated for a
// built-in tool (listed_schemas.go), encoded at start for a tool of a --capability file.
func listedSchema(t *capabilities.Tool) any {
	if raw, ok := builtinSchemas[t.Name]; ok && t.Capability.Builtin {
		return json.RawMessage(raw)
	}
	typed := Schema(t)
	if raw, err := json.Marshal(typed); err == nil {
		return json.RawMessage(raw)
	}
	return typed
}

// handler answers calls of t: it checks the arguments, runs the call's steps, and turns
// what they return into the result, once. The schema that checks the arguments is
// built at the first call.
func (e *Engine) handler(t *capabilities.Tool) mcp.ToolHandler {
	schema := sync.OnceValue(func() *jsonschema.Schema { return Schema(t) })
	return func(ctx context.Context, req *mcp.CallToolRequest) (res *mcp.CallToolResult, _ error) {
		ctx, end := e.callContext(ctx)
		defer end()
		start := time.Now()
		defer func() {
			if p := recover(); p != nil {
				e.log.Error().Str("tool", t.Name).Interface("panic", p).Str("stack", string(debug.Stack())).Msg("tool call panicked")
				res = errorResult("%s failed with an internal error (logged by image-mcp); the server keeps running. Please report it.", t.Name)
			}
			res = boundError(res)
			e.logCall(t, res, time.Since(start))
		}()
		var raw []byte
		if req.Params != nil {
			raw = req.Params.Arguments
		}
		v, err := checkArguments(t, schema(), raw)
		if err == nil {
			res, err = e.newCall(ctx, req, t, v).run()
		}
		if err != nil {
			res = resultOf(err)
		}
		return res, nil
	}
}

// logCall logs a call's end: a failure at info, anything else at debug.
func (e *Engine) logCall(t *capabilities.Tool, res *mcp.CallToolResult, took time.Duration) {
	failed := res != nil && res.IsError
	ev := e.log.Debug()
	if failed {
		ev = e.log.Info()
	}
	msg := "tool call"
	if res != nil && res.InputRequests != nil {
		msg = "tool call round: input asked from the client" // the client calls again
	}
	ev.Str("tool", t.Name).Dur("took", took).Bool("isError", failed).Msg(msg)
}
