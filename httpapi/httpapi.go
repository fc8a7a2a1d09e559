// Package httpapi is the upstream kind of the capabilities given with --capability: a
// plain HTTP API at the spec's baseUri, with the authentication header the spec declares,
// its values filled from the environment through the spec's binds.
package httpapi

import (
	"fmt"
	"net/http"
	"regexp"
	"sync"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/internal/redact"
	"github.com/image-mcp/image-mcp/internal/upstreamhttp"
	"github.com/image-mcp/image-mcp/upstream"
)

// Kind connects each capability to the API its baseUri names. A capability's client, or
// why it has none, is made at its first use and kept.
type Kind struct {
	getenv  func(string) string
	secrets *redact.Set

	mu      sync.Mutex
	clients map[*capabilities.Capability]connected
}

type connected struct {
	c   *upstreamhttp.Client
	err error
}

// NewKind is the kind that reads `{{env.NAME}}` through getenv and tells secrets each
// authentication value (nil: nobody).
func NewKind(getenv func(string) string, secrets *redact.Set) *Kind {
	return &Kind{getenv: getenv, secrets: secrets, clients: map[*capabilities.Capability]connected{}}
}

// Connect gives the client of c, or why there is none (a variable not set, a bad base URI).
func (k *Kind) Connect(c *capabilities.Capability) (upstream.Client, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	cc, ok := k.clients[c]
	if !ok {
		cc.c, cc.err = k.newClient(c)
		k.clients[c] = cc
	}
	if cc.err != nil {
		return nil, cc.err
	}
	return cc.c, nil
}

var envTemplate = regexp.MustCompile(`\{\{\s*env\.([A-Za-z0-9_]+)\s*\}\}`)

// newClient makes a client from a capability's baseUri and authentication.
func (k *Kind) newClient(c *capabilities.Capability) (*upstreamhttp.Client, error) {
	header := http.Header{}
	if a := c.Auth; a != nil {
		value, missing := k.fillEnv(c, a.Value)
		if missing != "" {
			return nil, fmt.Errorf("%s needs the environment variable %s (its authentication value); set it and restart image-mcp", c.File, missing)
		}
		k.secrets.Keep(value)
		switch a.Placement {
		case "", "header":
			header.Set(a.Key, value)
		default:
			return nil, fmt.Errorf("%s: authentication placement %q is not supported (want header)", c.File, a.Placement)
		}
	}
	base, missing := k.fillEnv(c, c.BaseURI)
	if missing != "" {
		return nil, fmt.Errorf("%s needs the environment variable %s (its baseUri); set it and restart image-mcp", c.File, missing)
	}
	return upstreamhttp.New(base, header, upstreamhttp.Options{})
}

// fillEnv replaces `{{env.NAME}}` with the environment variable the binds give NAME
// (or NAME itself), and names the first variable that is not set (or set empty).
func (k *Kind) fillEnv(c *capabilities.Capability, s string) (value, missing string) {
	value = envTemplate.ReplaceAllStringFunc(s, func(m string) string {
		name := envTemplate.FindStringSubmatch(m)[1]
		envName := name
		if bound, ok := c.Binds[name]; ok {
			envName = bound
		}
		v := k.getenv(envName)
		if v == "" && missing == "" {
			missing = envName
		}
		return v
	})
	return value, missing
}
