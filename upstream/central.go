package upstream

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/image-mcp/image-mcp/internal/allowdirs"
)

// CentralConfig is how to reach StackRox Central, with roxctl's conventions.
type CentralConfig struct {
	Endpoint   string // ROX_ENDPOINT: host:port, or https://host[:port]
	Token      string // ROX_API_TOKEN, or STACKROX_API_KEY (the seed's bind)
	TokenFile  string // ROX_API_TOKEN_FILE
	CAFile     string // ROX_CA_CERT_FILE
	Insecure   bool   // ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY
	ServerName string // ROX_SERVER_NAME
}

// CentralEnv reads roxctl's environment variables (and the seed's STACKROX_API_KEY).
func CentralEnv() (CentralConfig, error) {
	c := CentralConfig{
		Endpoint:   os.Getenv("ROX_ENDPOINT"),
		Token:      os.Getenv("ROX_API_TOKEN"),
		TokenFile:  os.Getenv("ROX_API_TOKEN_FILE"),
		CAFile:     os.Getenv("ROX_CA_CERT_FILE"),
		ServerName: os.Getenv("ROX_SERVER_NAME"),
	}
	if c.Token == "" {
		c.Token = os.Getenv("STACKROX_API_KEY")
	}
	if v := os.Getenv("ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, fmt.Errorf("ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY=%q: want true or false; the StackRox tools are off until it is fixed", v)
		}
		c.Insecure = b
	}
	return c, nil
}

// ErrCentralNotConfigured is the answer of every StackRox tool when no Central is set.
var ErrCentralNotConfigured = errors.New("no StackRox Central is configured: set ROX_ENDPOINT (host:port of Central, e.g. central.example.com:443) " +
	"and ROX_API_TOKEN (an API token; or ROX_API_TOKEN_FILE), or the flags --rox-endpoint and --rox-api-token-file, then restart image-mcp")

// HTTPClient sends requests to an HTTPS API at a base URL with fixed headers (auth).
type HTTPClient struct {
	base   string
	header http.Header
	hc     *http.Client
	// tlsHint says what to do when the server's certificate is not trusted.
	tlsHint string
	// prepare finishes the client on its first request: loading the system's CA pool
	// (to add ROX_CA_CERT_FILE to it) takes ~13 ms, which would otherwise delay the first
	// answer of every session, StackRox tools used or not.
	prepare     sync.Once
	prepareWith func()
}

// NewCentralClient validates the configuration and makes a client. It does not connect.
func NewCentralClient(cfg CentralConfig) (*HTTPClient, error) {
	endpoint := cfg.Endpoint
	if endpoint == "" {
		if cfg.Token == "" && cfg.TokenFile == "" {
			return nil, ErrCentralNotConfigured
		}
		// A token without an endpoint: roxctl's default endpoint.
		endpoint = DefaultCentralEndpoint
	}
	base, host, err := centralBase(endpoint)
	if err != nil {
		return nil, err
	}
	token, err := centralToken(cfg)
	if err != nil {
		return nil, err
	}
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: cfg.ServerName, InsecureSkipVerify: cfg.Insecure} //nolint:gosec // only when the user asks
	if tlsCfg.ServerName == "" {
		tlsCfg.ServerName = host
	}
	var prepareWith func()
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("ROX_CA_CERT_FILE (--rox-ca-cert-file): cannot read the CA certificate %s: %w", cfg.CAFile, allowdirs.PathCause(err))
		}
		if !x509.NewCertPool().AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ROX_CA_CERT_FILE (--rox-ca-cert-file): %s holds no PEM certificate", cfg.CAFile)
		}
		prepareWith = func() {
			pool, err := x509.SystemCertPool()
			if err != nil || pool == nil {
				pool = x509.NewCertPool()
			}
			pool.AppendCertsFromPEM(pem)
			tlsCfg.RootCAs = pool
		}
	}
	tr := &http.Transport{
		TLSClientConfig:     tlsCfg,
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 15 * time.Second,
		ForceAttemptHTTP2:   true,
		Proxy:               http.ProxyFromEnvironment,
		// Go's HTTP/2 client lets Central send 4 MiB of an answer ahead of what is read, so
		// a 2 MB answer sat whole in its buffers while it was also being read into image-mcp's:
		// the peak of the bench's GetImage calls was 24–26 MiB, 23 with 1 MiB (the default of
		// Go's own server for a request body), and no slower here; 1 MiB a round trip is
		// still 20 MB/s to a Central 50 ms away.
		HTTP2: &http.HTTP2Config{MaxReceiveBufferPerStream: 1 << 20},
	}
	return &HTTPClient{
		base:   base,
		header: http.Header{"Authorization": {"Bearer " + token}, "Accept": {"application/json"}},
		hc:     &http.Client{Transport: tr, CheckRedirect: noRedirect},
		tlsHint: "give Central's CA certificate with ROX_CA_CERT_FILE (--rox-ca-cert-file), set ROX_SERVER_NAME if Central's certificate names another host, " +
			"or, only for a test instance, ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY=true",
		prepareWith: prepareWith,
	}, nil
}

// Secrets are the token's values to mask in everything image-mcp writes: as given (raw or
// with `Bearer `) and as sent.
func (c CentralConfig) Secrets() []string {
	out := []string{strings.TrimSpace(c.Token)}
	if token, err := centralToken(c); err == nil {
		out = append(out, token)
	}
	return out
}

// DefaultCentralEndpoint is roxctl's endpoint when none is given.
const DefaultCentralEndpoint = "localhost:8443"

// centralToken reads the token (the token file first, as roxctl does) and strips a
// `Bearer ` prefix: users paste the token raw or as a whole header value, and Central
// must see `Bearer` exactly once.
func centralToken(cfg CentralConfig) (string, error) {
	token, from := cfg.Token, "ROX_API_TOKEN"
	if cfg.TokenFile != "" {
		b, err := os.ReadFile(cfg.TokenFile)
		if err != nil {
			return "", fmt.Errorf("ROX_API_TOKEN_FILE (--rox-api-token-file): cannot read the API token from %s: %w", cfg.TokenFile, allowdirs.PathCause(err))
		}
		token, from = string(b), "ROX_API_TOKEN_FILE "+cfg.TokenFile
		if strings.TrimSpace(token) == "" {
			return "", fmt.Errorf("ROX_API_TOKEN_FILE (--rox-api-token-file): %s is empty; put the API token in it", cfg.TokenFile)
		}
	}
	token = strings.TrimSpace(token)
	for {
		t, ok := cutPrefixFold(token, "Bearer ")
		if !ok {
			break
		}
		token = strings.TrimSpace(t)
	}
	if strings.EqualFold(token, "Bearer") {
		token = ""
	}
	if token == "" {
		return "", errors.New("no StackRox API token: set ROX_API_TOKEN (or ROX_API_TOKEN_FILE, or STACKROX_API_KEY) to an API token from Central " +
			"(Platform Configuration → Integrations → API Token), then restart image-mcp")
	}
	if strings.ContainsAny(token, "\r\n\t ") {
		return "", fmt.Errorf("%s: the API token contains whitespace or a line break; give the token alone", from)
	}
	return token, nil
}

// centralBase turns ROX_ENDPOINT into a base URL: host:port, https://host (port 443),
// or host (port 443 as roxctl does for a bare host); never a path.
func centralBase(endpoint string) (base, host string, err error) {
	e := strings.TrimSpace(endpoint)
	scheme := "https"
	if s, rest, ok := strings.Cut(e, "://"); ok {
		if s != "https" {
			return "", "", fmt.Errorf("ROX_ENDPOINT=%q: only https is supported", endpoint)
		}
		e = rest
	}
	if i := strings.IndexAny(e, "/?#"); i >= 0 {
		if strings.Trim(e[i:], "/") != "" {
			return "", "", fmt.Errorf("ROX_ENDPOINT=%q: give host:port only, without a path", endpoint)
		}
		e = e[:i]
	}
	if e == "" {
		return "", "", fmt.Errorf("ROX_ENDPOINT=%q: no host", endpoint)
	}
	h, port, splitErr := net.SplitHostPort(e)
	if splitErr != nil {
		h, port = strings.Trim(e, "[]"), "443"
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return "", "", fmt.Errorf("ROX_ENDPOINT=%q: bad port %q", endpoint, port)
	}
	return scheme + "://" + net.JoinHostPort(h, port), h, nil
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// Do sends the request with the client's headers. The caller's context bounds it: the
// engine applies --timeout to every non-streaming call in one place (tools/send.go).
func (c *HTTPClient) Do(ctx context.Context, req *Request) (*http.Response, error) {
	if c.prepareWith != nil {
		c.prepare.Do(c.prepareWith)
	}
	hr, err := newHTTPRequest(ctx, c.base, req)
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
		if cause := tlsCause(err); cause != nil && c.tlsHint != "" {
			return nil, fmt.Errorf("%s: TLS certificate not trusted: %w; %s", c.base, cause, c.tlsHint)
		}
		return nil, fmt.Errorf("%s: %w", c.base, dialCause(err))
	}
	if err := checkRedirect(resp); err != nil {
		return nil, fmt.Errorf("%s %w", c.base, err)
	}
	return resp, nil
}

// NewHTTPClient makes a client for an extra capability's base URI and fixed headers.
func NewHTTPClient(base string, header http.Header) (*HTTPClient, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("base URI %q: want http(s)://host[:port][/path]", base)
	}
	return &HTTPClient{
		base:   strings.TrimSuffix(base, "/"),
		header: header,
		hc:     &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}, Proxy: http.ProxyFromEnvironment}, CheckRedirect: noRedirect},
	}, nil
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
