// Package upstreamhttp is the HTTP plumbing the upstream kinds share: a request built
// from an upstream.Request, query values encoded the way every API reads them, redirects
// refused, the cause of a failed dial, and Client, an API at a base URL with fixed
// headers (StackRox Central, the APIs of extra capabilities).
package upstreamhttp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/image-mcp/image-mcp/upstream"
)

// EncodeQuery encodes query values so that `+` travels as %2B and a space as %20: some
// APIs (StackRox search: `+` is AND) decode `+` as a space.
func EncodeQuery(q url.Values) string {
	return strings.ReplaceAll(q.Encode(), "+", "%20")
}

// NoRedirect is an http.Client's CheckRedirect that keeps a request on the endpoint it
// was built for; the redirect is then the answer, which CheckRedirect turns into an error.
func NoRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

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

// CheckRedirect turns a redirect answer into a *RedirectError (closing its body).
// 304 Not Modified is no redirect (nothing here sends a conditional request anyway).
func CheckRedirect(resp *http.Response) error {
	if resp.StatusCode < 300 || resp.StatusCode > 399 || resp.StatusCode == http.StatusNotModified {
		return nil
	}
	resp.Body.Close()
	return &RedirectError{Status: resp.StatusCode, Location: resp.Header.Get("Location")}
}

// NewRequest is req as an HTTP request to base (a URL without a trailing slash).
func NewRequest(ctx context.Context, base string, req *upstream.Request) (*http.Request, error) {
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

// DialCause is what failed inside an http.Client's error: the dial or the connection,
// without the method and URL around it.
func DialCause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
