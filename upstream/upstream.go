// Package upstream talks HTTP to the APIs behind the tools: the Podman service over its
// socket and HTTPS APIs such as StackRox Central. It knows nothing of MCP.
package upstream

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
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

// Versioned is a client that knows the version of the API it is connected to.
type Versioned interface {
	Version(ctx context.Context) (string, error)
}

// EncodeQuery encodes query values so that `+` travels as %2B and a space as %20: some
// APIs (StackRox search: `+` is AND) decode `+` as a space.
func EncodeQuery(q url.Values) string {
	return strings.ReplaceAll(q.Encode(), "+", "%20")
}

// noRedirect keeps a request on the endpoint it was built for.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func newHTTPRequest(ctx context.Context, base string, req *Request) (*http.Request, error) {
	u := base + req.Path
	if len(req.Query) > 0 {
		u += "?" + EncodeQuery(req.Query)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, u, req.Body)
	if err != nil {
		return nil, err
	}
	for k, vs := range req.Header {
		hr.Header[k] = vs
	}
	if req.Body != nil && req.ContentLength > 0 {
		hr.ContentLength = req.ContentLength
	}
	return hr, nil
}
