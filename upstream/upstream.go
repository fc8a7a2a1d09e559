// Package upstream is the seam between the engine (package tools) and the APIs behind
// the tools: the interfaces an upstream kind implements, and the values that cross the
// seam. It holds no implementation and knows nothing of MCP.
//
// A kind (package podman, central or httpapi) is registered under its name
// (capabilities.UpstreamKind) in Kinds; its Connect gives each capability a Client. A
// call goes through the steps of tools/call.go, and at each step the engine asks the
// client for the interface of that step with a type assertion; a client that does not
// implement it gets the engine's generic behaviour:
//
//	connect  Kind.Connect        the client of the capability
//	check    Checker             what the upstream does with arguments on its own machine
//	request  Preparer            a body packed from a directory, credentials
//	send     Client.Do           (Versioned: the version the spec's minVersion is held to)
//	read     StreamReader        a progress stream (response ndjson)
//	         FileDescriber       a file written from an answer (response file)
//	shape    Prepared.Finish     what the upstream knows of a failure
//
// An error a kind returns from a step reaches the model as its text, so it names the
// tool and says what was wrong and what to do; an error from Call.Allowed is returned as
// it is.
package upstream

import (
	"context"
	"io"
	"net/http"
	"net/url"
)

// Request is one upstream call, already mapped from tool arguments.
type Request struct {
	Method string
	// Path is escaped (each parameter one segment) and has no version prefix.
	Path   string
	Query  url.Values
	Header http.Header
	Body   io.Reader
	// ContentLength of Body; 0 with a Body means unknown.
	ContentLength int64
	// Stream marks a call whose answer is a long stream: no overall timeout applies,
	// only cancellation.
	Stream bool
}

// Client sends requests to one upstream API.
type Client interface {
	Do(ctx context.Context, req *Request) (*http.Response, error)
}

// Versioned is a client that knows the version of the API it is connected to: the
// check step holds a tool's and an argument's minVersion to it, and an upstream error
// that says the API does not serve a path is explained with it.
type Versioned interface {
	Version(ctx context.Context) (string, error)
}
