package tools

import (
	"errors"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// A call's steps return errors, and the handler answers each once (resultOf):
//
//	*inputRequest  the client is asked something (a confirmation, its roots); it asks
//	               the person or lists them, and calls again with the answers
//	any other      the call failed: an isError result whose text is the error's, which
//	               says what was wrong and what to do (failf makes the engine's own;
//	               an upstream kind's name the tool themselves)

// toolError is a failure the engine found, worded for the model.
type toolError struct{ text string }

func (e *toolError) Error() string { return e.text }

// failf makes a toolError of format and a, as fmt.Sprintf does (format alone is the text).
func failf(format string, a ...any) error {
	if len(a) == 0 {
		return &toolError{text: format}
	}
	return &toolError{text: fmt.Sprintf(format, a...)}
}

// inputRequest ends a call with questions for a client of MCP 2026-07-28, which calls
// again with the answers and the state.
type inputRequest struct {
	requests mcp.InputRequestMap
	state    string // signed by the confirmer; "" for roots
}

func (r *inputRequest) Error() string { return "the call waits for input from the client" }

// resultOf is the result that answers a call's error.
func resultOf(err error) *mcp.CallToolResult {
	var ir *inputRequest
	if errors.As(err, &ir) {
		return &mcp.CallToolResult{InputRequests: ir.requests, RequestState: ir.state}
	}
	return errorResult("%s", err.Error())
}

// errorResult is a tool failure the model can read and act on.
func errorResult(format string, a ...any) *mcp.CallToolResult {
	msg := format
	if len(a) > 0 {
		msg = fmt.Sprintf(format, a...)
	}
	return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: msg}}}
}
