package upstreamhttp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/image-mcp/image-mcp/upstream"
)

// Client sends requests to an HTTP API at a base URL with fixed headers (its
// authentication). It is an upstream.Client.
type Client struct {
	base   string
	header http.Header
	hc     *http.Client
	opts   Options
	// prepare runs Options.Prepare once, before the first request.
	prepare sync.Once
}

// Options are what a kind sets beyond the base URL and the headers.
type Options struct {
	// Transport carries the requests; nil: TLS 1.2 at least, a proxy from the environment.
	Transport *http.Transport
	// TLSHint says what to do when the server's certificate is not trusted ("": nothing).
	TLSHint string
	// Prepare, when set, finishes the transport before the first request: loading the
	// system's CA pool (to add a CA file to it) takes ~13 ms, which would otherwise
	// delay the first answer of every session, the API used or not.
	Prepare func()
}

// New makes a client for base, an http(s) URL with a host and maybe a path. It does not
// connect.
func New(base string, header http.Header, o Options) (*Client, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("base URI %q: want http(s)://host[:port][/path]", base)
	}
	tr := o.Transport
	if tr == nil {
		tr = &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}, Proxy: http.ProxyFromEnvironment}
	}
	return &Client{
		base:   strings.TrimSuffix(base, "/"),
		header: header,
		hc:     &http.Client{Transport: tr, CheckRedirect: NoRedirect},
		opts:   o,
	}, nil
}

// Do sends the request with the client's headers. The caller's context bounds it: the
// engine applies --timeout to every non-streaming call in one place (tools/send.go).
func (c *Client) Do(ctx context.Context, req *upstream.Request) (*http.Response, error) {
	if c.opts.Prepare != nil {
		c.prepare.Do(c.opts.Prepare)
	}
	hr, err := NewRequest(ctx, c.base, req)
	if err != nil {
		return nil, err
	}
	for k, vs := range c.header {
		hr.Header[k] = vs
	}
	resp, err := c.hc.Do(hr)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("%s did not answer in time: %w", c.base, context.DeadlineExceeded)
		}
		if cause := tlsCause(err); cause != nil && c.opts.TLSHint != "" {
			return nil, fmt.Errorf("%s: TLS certificate not trusted: %w; %s", c.base, cause, c.opts.TLSHint)
		}
		return nil, fmt.Errorf("%s: %w", c.base, DialCause(err))
	}
	if err := CheckRedirect(resp); err != nil {
		return nil, fmt.Errorf("%s %w", c.base, err)
	}
	return resp, nil
}

// tlsCause is the certificate verification failure inside err, if that is what it is.
func tlsCause(err error) error {
	var ve *tls.CertificateVerificationError
	if errors.As(err, &ve) {
		return ve.Err
	}
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	if errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci) {
		return err
	}
	return nil
}
