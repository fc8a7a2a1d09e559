package podman

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/image-mcp/image-mcp/internal/upstreamhttp"
	"github.com/image-mcp/image-mcp/upstream"
)

// Endpoint is where a Podman service was looked for, and where it was chosen.
// Discover (discovery.go) fills it.
type Endpoint struct {
	URL    string   // unix:///path, tcp://host:port or ssh://user@host[:port]/path
	Source string   // how it was chosen: --podman-url, CONTAINER_HOST, a connection, a socket, autostart
	Tried  []string // candidates looked at, in order, for messages
	// Warnings are things discovery noticed and skipped (unreadable config, stale socket).
	Warnings []string
	// SSH holds the identity and known_hosts of an ssh:// URL.
	SSH SSHOptions
	// Err is a configuration problem found during discovery (e.g. a named connection that
	// does not exist); every Podman call answers it.
	Err error
	// AuthFiles are the registry auth files, in the order Podman reads them, whose
	// credentials a call sends (see prepare.go).
	AuthFiles []string
}

// Client talks to the Podman service's libpod API. One client, one pooled
// transport, for the life of the server; the API version is read once and read again
// after the connection fails (the service may have been restarted or upgraded).
type Client struct {
	endpoint Endpoint
	hc       *http.Client
	dialErr  error

	// start, when set, makes sure the service runs before its version is read (autostart).
	start func(context.Context) error

	mu      sync.Mutex
	version string
}

// NotReachableError says where Podman was looked for and how to start it.
type NotReachableError struct {
	Endpoint Endpoint
	Err      error
}

func (e *NotReachableError) Error() string {
	var b strings.Builder
	if e.Endpoint.URL == "" {
		b.WriteString("no Podman service found")
	} else {
		fmt.Fprintf(&b, "cannot reach the Podman service at %s (from %s)", e.Endpoint.URL, e.Endpoint.Source)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if len(e.Endpoint.Tried) > 1 || e.Endpoint.URL == "" {
		fmt.Fprintf(&b, ". Looked at: %s", strings.Join(e.Endpoint.Tried, ", "))
	}
	switch {
	case strings.HasPrefix(e.Endpoint.URL, "ssh://"):
		// The ssh errors say what to do on the remote host themselves.
		b.WriteString(".")
	case strings.HasPrefix(e.Endpoint.URL, "tcp://"):
		b.WriteString(". Check the address, and that `podman system service --time=0 tcp://HOST:PORT` runs there.")
	default:
		b.WriteString(". Start one with `systemctl --user enable --now podman.socket` (rootless), " +
			"`sudo systemctl enable --now podman.socket` (rootful) or `podman system service --time=0 unix://$XDG_RUNTIME_DIR/podman/podman.sock`, " +
			"or point image-mcp at a running one with --podman-url or CONTAINER_HOST (unix:///path/to/podman.sock, tcp://host:port or ssh://user@host/path/to/podman.sock).")
	}
	return b.String()
}

func (e *NotReachableError) Unwrap() error { return e.Err }

// NewClient makes a client for the endpoint. It does not connect.
func NewClient(ep Endpoint) *Client {
	c := &Client{endpoint: ep, dialErr: ep.Err}
	tr := &http.Transport{
		MaxIdleConns:        64,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	if ep.URL != "" {
		u, err := url.Parse(ep.URL)
		switch {
		case err != nil:
			c.dialErr = fmt.Errorf("invalid Podman URL %q: %w", ep.URL, err)
		case u.Scheme == "unix":
			path := u.Path
			tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, "unix", path)
			}
		case ep.Err != nil:
		case u.Scheme == "ssh":
			d, err := newSSHDialer(u, ep.SSH)
			if err != nil {
				c.dialErr = err
			} else {
				tr.DialContext = d.DialContext
			}
		case u.Scheme == "tcp":
			host := u.Host
			tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, "tcp", host)
			}
		default:
			c.dialErr = fmt.Errorf("unsupported Podman URL scheme %q in %q (want unix://, tcp:// or ssh://)", u.Scheme, ep.URL)
		}
	}
	c.hc = &http.Client{Transport: tr, CheckRedirect: upstreamhttp.NoRedirect}
	return c
}

// Remote tells whether the service runs on another machine (ssh:// or tcp://): paths
// handed to it are that machine's.
func (c *Client) Remote() bool {
	u, err := url.Parse(c.endpoint.URL)
	switch {
	case err != nil || u.Scheme == "ssh":
		return true
	case u.Scheme == "tcp":
		ip := net.ParseIP(u.Hostname())
		return u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback())
	}
	return false
}

// Version returns the service's libpod API version, asking it once.
func (c *Client) Version(ctx context.Context) (string, error) {
	c.mu.Lock()
	v := c.version
	c.mu.Unlock()
	if v != "" {
		return v, nil
	}
	if err := c.usable(); err != nil {
		return "", err
	}
	if c.start != nil {
		if err := c.start(ctx); err != nil {
			return "", &NotReachableError{Endpoint: c.endpoint, Err: err}
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://d/_ping", nil)
	if err != nil {
		return "", err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.hc.CloseIdleConnections()
		return "", &NotReachableError{Endpoint: c.endpoint, Err: upstreamhttp.DialCause(err)}
	}
	resp.Body.Close()
	v = resp.Header.Get("Libpod-Api-Version")
	if v == "" {
		return "", &NotReachableError{Endpoint: c.endpoint, Err: fmt.Errorf("the service at this address is not Podman (no Libpod-API-Version header; HTTP %d)", resp.StatusCode)}
	}
	if err := checkMinVersion(v, c.endpoint); err != nil {
		return "", err
	}
	c.mu.Lock()
	c.version = v
	c.mu.Unlock()
	return v, nil
}

func (c *Client) usable() error {
	if c.endpoint.Err != nil {
		return c.endpoint.Err
	}
	if c.endpoint.URL == "" {
		return &NotReachableError{Endpoint: c.endpoint}
	}
	if c.dialErr != nil {
		return &NotReachableError{Endpoint: c.endpoint, Err: c.dialErr}
	}
	return nil
}

// Do sends a request under the service's version prefix (/v4.3.1/libpod/...).
func (c *Client) Do(ctx context.Context, req *upstream.Request) (*http.Response, error) {
	resp, err := c.do(ctx, req)
	var nr *NotReachableError
	if err != nil && ctx.Err() == nil && req.Body == nil && errors.As(err, &nr) && nr.Err != nil {
		// The service went away since its version was read (restarted, or an autostarted
		// one died). Ask again, once, when that cannot do anything twice: nothing was sent
		// (the dial failed), or the call only reads.
		var op *net.OpError
		dial := errors.As(err, &op) && op.Op == "dial"
		if dial || req.Method == http.MethodGet || req.Method == http.MethodHead {
			resp, err = c.do(ctx, req)
		}
	}
	return resp, err
}

func (c *Client) do(ctx context.Context, req *upstream.Request) (*http.Response, error) {
	v, err := c.Version(ctx)
	if err != nil {
		return nil, err
	}
	hr, err := upstreamhttp.NewRequest(ctx, "http://d/v"+v, req)
	if err != nil {
		return nil, err
	}
	resp, err := c.hc.Do(hr)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// The service may have gone or been replaced: read its version again next time,
		// and drop pooled connections to the old one.
		c.mu.Lock()
		c.version = ""
		c.mu.Unlock()
		c.hc.CloseIdleConnections()
		return nil, &NotReachableError{Endpoint: c.endpoint, Err: upstreamhttp.DialCause(err)}
	}
	if err := upstreamhttp.CheckRedirect(resp); err != nil {
		return nil, fmt.Errorf("the Podman service at %s %w", c.endpoint.URL, err)
	}
	return resp, nil
}
