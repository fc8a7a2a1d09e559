// Package central is StackRox Central's upstream kind: its settings, with roxctl's
// environment variables (ROX_ENDPOINT, ROX_API_TOKEN, …), the API token sent as a bearer
// token over verified TLS, and the kind that connects every StackRox capability to it.
package central

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/image-mcp/image-mcp/internal/allowdirs"
)

// Config is how to reach StackRox Central, with roxctl's conventions.
type Config struct {
	Endpoint   string // ROX_ENDPOINT: host:port, or https://host[:port]
	Token      string // ROX_API_TOKEN, or STACKROX_API_KEY (the seed's bind)
	TokenFile  string // ROX_API_TOKEN_FILE
	CAFile     string // ROX_CA_CERT_FILE
	Insecure   bool   // ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY
	ServerName string // ROX_SERVER_NAME
}

// ErrNotConfigured is the answer of every StackRox tool when no Central is set.
var ErrNotConfigured = errors.New("no StackRox Central is configured: set ROX_ENDPOINT (host:port of Central, e.g. central.example.com:443) " +
	"and ROX_API_TOKEN (an API token; or ROX_API_TOKEN_FILE), or the flags --rox-endpoint and --rox-api-token-file, then restart image-mcp")

// Secrets are the token's values to mask in everything image-mcp writes: as given (raw or
// with `Bearer `) and as sent.
func (c Config) Secrets() []string {
	out := []string{strings.TrimSpace(c.Token)}
	if token, err := centralToken(c); err == nil {
		out = append(out, token)
	}
	return out
}

// DefaultEndpoint is roxctl's endpoint when none is given.
const DefaultEndpoint = "localhost:8443"

// centralToken reads the token (the token file first, as roxctl does) and strips a
// `Bearer ` prefix: users paste the token raw or as a whole header value, and Central
// must see `Bearer` exactly once.
func centralToken(cfg Config) (string, error) {
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
