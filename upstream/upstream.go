// Package upstream talks HTTP to the APIs behind the tools: the Podman service over its
// socket and HTTPS APIs such as StackRox Central. It knows nothing of MCP.
package upstream

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
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

// noRedirect keeps a request on the endpoint it was built for; the redirect is then
// the answer, which checkRedirect turns into an error.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// RedirectError is an upstream's redirect (3xx with a Location), which is not followed:
// the request, and the credentials it carries, stay on the configured endpoint. It is an
// error, not an answer: an empty 302 read as a success would report work never done.
type RedirectError struct {
	Status   int
	Location string // as the upstream sent it; "" when it sent none
}

func (e *RedirectError) Error() string {
	to := "no Location"
	if e.Location != "" {
		loc := e.Location
		if len(loc) > 300 {
			loc = loc[:300] + "…"
		}
		to = strconv.Quote(loc)
	}
	return fmt.Sprintf("answered HTTP %d %s, a redirect to %s; image-mcp does not follow redirects "+
		"(requests and their credentials stay on the configured endpoint): check the endpoint's address", e.Status, http.StatusText(e.Status), to)
}

// checkRedirect turns a redirect answer into a *RedirectError (closing its body).
// 304 Not Modified is no redirect (nothing here sends a conditional request anyway).
func checkRedirect(resp *http.Response) error {
	if resp.StatusCode < 300 || resp.StatusCode > 399 || resp.StatusCode == http.StatusNotModified {
		return nil
	}
	resp.Body.Close()
	return &RedirectError{Status: resp.StatusCode, Location: resp.Header.Get("Location")}
}

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
