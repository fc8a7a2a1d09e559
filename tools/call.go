package tools

import (
	"context"
	"errors"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/internal/allowdirs"
	"github.com/image-mcp/image-mcp/upstream"
)

// A call runs in five steps after its arguments are checked (args.go), one file each:
//
//	check   everything that can refuse it, before anything is sent (checks.go)
//	request the upstream request from the arguments, completed by the upstream (request.go)
//	send    under the call's timeout, with progress (send.go)
//	read    the answer, by the tool's response kind (readers.go)
//	shape   the result: fields, the output budget, notices (result.go, notices.go)
//
// Each step returns an error that says what to do, which the handler answers once
// (errors.go). Values (values.go) and a confirmation's dry run (confirm.go) take the
// same steps up to the answer.

// call is one tool call on its way: its state, and the steps as its methods. It is the
// upstream.Call that an upstream kind's steps are given.
type call struct {
	e      *Engine
	ctx    context.Context
	req    *mcp.CallToolRequest // nil when no client asked (Values, a dry run)
	t      *capabilities.Tool
	v      Values
	client upstream.Client

	// allowed are the directories path arguments must be inside, asked at the check
	// when a path is given (Allowed); none: any path.
	allowed      allowdirs.Dirs
	allowedErr   error
	allowedAsked bool

	page     *page             // which part of a long answer
	out      *outputFile       // where a file answer goes; nil for other kinds
	prepared upstream.Prepared // what the upstream added to the request; may be nil
}

func (e *Engine) newCall(ctx context.Context, req *mcp.CallToolRequest, t *capabilities.Tool, v Values) *call {
	return &call{e: e, ctx: ctx, req: req, t: t, v: v}
}

// run takes every step. A failure's text is finished by the upstream (finish).
func (c *call) run() (res *mcp.CallToolResult, err error) {
	defer func() { err = c.finish(err) }()
	defer c.abortOutput() // a no-op once the file is committed
	a, err := c.start()
	if err != nil {
		return nil, err
	}
	defer a.end()
	return readerFor(c.t.Response)(c, a)
}

// start takes the steps up to the answer: connect, check, request, send. The caller
// ends the answer.
func (c *call) start() (*answer, error) {
	if err := c.connect(); err != nil {
		return nil, err
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	ureq, err := c.request()
	if err != nil {
		return nil, err
	}
	return c.send(ureq, "")
}

// connect finds the client of the tool's upstream.
func (c *call) connect() error {
	client, err := c.e.connect(c.t.Capability)
	if err != nil {
		return failf("%s: %v", c.t.Name, err)
	}
	c.client = client
	return nil
}

// finish lets the upstream add what it knows to a failure (which credentials a registry
// refused); a question for the client passes as it is.
func (c *call) finish(err error) error {
	var ir *inputRequest
	if err == nil || c.prepared == nil || errors.As(err, &ir) {
		return err
	}
	return failf("%s", c.prepared.Finish(err.Error()))
}

// Tool is the tool called (upstream.Call).
func (c *call) Tool() *capabilities.Tool { return c.t }

// Arg is the checked value of an argument and whether it was given (upstream.Call).
func (c *call) Arg(name string) (any, bool) {
	v, ok := c.v[name]
	return v, ok
}

// Given says whether the call gives an argument a value that counts (upstream.Call).
func (c *call) Given(name string) bool { return anyGiven(c.v, []string{name}) }

// Allowed gives the directories the call's paths must be inside (upstream.Call), asked
// once per call and only when it gives a value to an argument that may name a path: the
// first ask may end the call with a question for the client (its roots), which the
// caller returns.
func (c *call) Allowed() (allowdirs.Dirs, error) {
	if !c.allowedAsked && givesPath(c) {
		c.allowed, c.allowedErr = c.e.paths.allowedFor(c.ctx, c.req)
		c.allowedAsked = true
	}
	return c.allowed, c.allowedErr
}

func (c *call) abortOutput() {
	if c.out != nil {
		c.out.abort()
	}
}
