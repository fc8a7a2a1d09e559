// Package tools turns loaded capabilities into MCP tools and runs their calls: argument
// checking, the upstream request, and the shaped result.
package tools

import (
	"context"
	"encoding/json"
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

// Connector gives the client for a capability's upstream, or why there is none
// (e.g. no Central configured); the error text reaches the model as is.
type Connector func(*capabilities.Capability) (upstream.Client, error)

// Engine serves tools. Everything in it is built once at start.
type Engine struct {
	Tools   []*capabilities.Tool
	Connect Connector
	Shaper  Shaper
	// Timeout bounds one non-streaming call; streams end by finishing, cancellation, or
	// StreamIdle without a byte sent or received (0: never).
	Timeout    time.Duration
	StreamIdle time.Duration
	// MaxAnswerBytes bounds a JSON answer read whole (0: none).
	MaxAnswerBytes int64
	Log            zerolog.Logger
	// Confirm, when set, is asked before a destructive call; it returns a non-nil result
	// to stop the call (declined, cancelled).
	Confirm func(ctx context.Context, req *mcp.CallToolRequest, t *capabilities.Tool, v Values) *mcp.CallToolResult
	// ConfirmOverwrite, when set, is asked before an output file replaces an existing one
	// (at the check, and again when the file is committed if another one is there then).
	ConfirmOverwrite func(ctx context.Context, req *mcp.CallToolRequest, t *capabilities.Tool, v Values, ex Existing) *mcp.CallToolResult
	// Paths, when set, keeps path arguments inside the allowed directories.
	Paths *PathRule
	// Session, when set, ends every running call when it is done (the client left).
	Session context.Context
	// BigAnswer, when set, is called when a call has read and shaped an answer of 256 KiB
	// or more.
	BigAnswer func()
	// Redact, when set, is told the registry credentials a call sends, so that they are
	// masked in everything the server writes.
	Redact   *redact.Set
	inflight sync.WaitGroup
}

// MCPTool is the tool as listed: schema, title and annotations, all four hints explicit.
func MCPTool(t *capabilities.Tool) *mcp.Tool {
	return mcpTool(t, Schema(t))
}

// mcpTool is MCPTool with the input schema given (typed, or encoded).
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
	for _, t := range e.Tools {
		mt := mcpTool(t, listedSchema(t))
		mt.Meta = e.resultSizeMeta()
		s.AddTool(mt, e.handler(t))
	}
}

// resultSizeMeta declares the largest answer of a tool when the budget is above the
// default: Claude Code keeps an answer inline up to 50,000 characters unless the tool
// declares more. An answer is at most the budget in bytes, so in characters.
func (e *Engine) resultSizeMeta() mcp.Meta {
	if e.Shaper.MaxBytes <= DefaultMaxOutputBytes {
		return nil
	}
	return mcp.Meta{ResultSizeMeta: e.Shaper.MaxBytes}
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

// handler runs calls of t. The schema that checks the arguments is built at the first.
func (e *Engine) handler(t *capabilities.Tool) mcp.ToolHandler {
	schema := sync.OnceValue(func() *jsonschema.Schema { return Schema(t) })
	return func(ctx context.Context, req *mcp.CallToolRequest) (res *mcp.CallToolResult, err error) {
		ctx, end := e.callContext(ctx)
		defer end()
		start := time.Now()
		defer func() {
			if p := recover(); p != nil {
				e.Log.Error().Str("tool", t.Name).Interface("panic", p).Str("stack", string(debug.Stack())).Msg("tool call panicked")
				res, err = errorResult("%s failed with an internal error (logged by image-mcp); the server keeps running. Please report it.", t.Name), nil
			}
			res = boundError(res)
			ev := e.Log.Debug()
			if res != nil && res.IsError {
				ev = e.Log.Info()
			}
			msg := "tool call"
			if res != nil && res.InputRequests != nil {
				msg = "tool call round: input asked from the client" // the client calls again
			}
			ev.Str("tool", t.Name).Dur("took", time.Since(start)).Bool("isError", res != nil && res.IsError).Msg(msg)
		}()
		var raw []byte
		if req.Params != nil {
			raw = req.Params.Arguments
		}
		vals, err := checkArguments(t, schema(), raw)
		if err != nil {
			return errorResult("%v", err), nil
		}
		return e.Call(ctx, req, t, vals), nil
	}
}
