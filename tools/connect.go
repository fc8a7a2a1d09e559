package tools

import (
	"fmt"
	"net/http"
	"os"
	"regexp"
	"sync"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/internal/redact"
	"github.com/image-mcp/image-mcp/upstream"
)

// Upstreams holds one client per upstream, made once: the Podman service, StackRox
// Central, and any plain HTTP API of an extra capability.
type Upstreams struct {
	Podman *upstream.PodmanClient
	// PodmanLater, when set, gives the Podman client instead of Podman, waiting for it
	// on first use: the serve command discovers Podman in the background, so that
	// discovery (socket probes, preparing autostart) does not delay the first answers.
	PodmanLater func() *upstream.PodmanClient
	// Central is nil when it is not configured or its settings are wrong; CentralErr says why.
	Central    *upstream.HTTPClient
	CentralErr error
	// Redact, when set, is told an extra capability's authentication value.
	Redact *redact.Set

	mu   sync.Mutex
	http map[*capabilities.Capability]httpClient
}

type httpClient struct {
	c   *upstream.HTTPClient
	err error
}

// Connect is the engine's Connector.
func (u *Upstreams) Connect(c *capabilities.Capability) (upstream.Client, error) {
	switch c.Upstream {
	case capabilities.UpstreamPodman:
		if u.PodmanLater != nil {
			return u.PodmanLater(), nil
		}
		return u.Podman, nil
	case capabilities.UpstreamCentral:
		if u.Central == nil {
			return nil, u.CentralErr
		}
		return u.Central, nil
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.http == nil {
		u.http = map[*capabilities.Capability]httpClient{}
	}
	hc, ok := u.http[c]
	if !ok {
		hc.c, hc.err = newCapabilityClient(c, u.Redact)
		u.http[c] = hc
	}
	if hc.err != nil {
		return nil, hc.err
	}
	return hc.c, nil
}

var envTemplate = regexp.MustCompile(`\{\{\s*env\.([A-Za-z0-9_]+)\s*\}\}`)

// newCapabilityClient makes a client from a capability's baseUri and authentication,
// filling `{{env.NAME}}` from the environment variable its binds name; red is told the
// authentication value.
func newCapabilityClient(c *capabilities.Capability, red *redact.Set) (*upstream.HTTPClient, error) {
	header := http.Header{}
	if a := c.Auth; a != nil {
		value, missing := fillEnv(c, a.Value)
		if missing != "" {
			return nil, fmt.Errorf("%s needs the environment variable %s (its authentication value); set it and restart image-mcp", c.File, missing)
		}
		red.Keep(value)
		switch a.Placement {
		case "", "header":
			header.Set(a.Key, value)
		default:
			return nil, fmt.Errorf("%s: authentication placement %q is not supported (want header)", c.File, a.Placement)
		}
	}
	base, missing := fillEnv(c, c.BaseURI)
	if missing != "" {
		return nil, fmt.Errorf("%s needs the environment variable %s (its baseUri); set it and restart image-mcp", c.File, missing)
	}
	return upstream.NewHTTPClient(base, header)
}

// fillEnv replaces `{{env.NAME}}` with the environment variable the binds give NAME
// (or NAME itself), and names the first variable that is not set.
func fillEnv(c *capabilities.Capability, s string) (value, missing string) {
	value = envTemplate.ReplaceAllStringFunc(s, func(m string) string {
		name := envTemplate.FindStringSubmatch(m)[1]
		envName := name
		if bound, ok := c.Binds[name]; ok {
			envName = bound
		}
		v, ok := os.LookupEnv(envName)
		if !ok && missing == "" {
			missing = envName
		}
		return v
	})
	return value, missing
}
