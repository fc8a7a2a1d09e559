package central

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/image-mcp/image-mcp/internal/allowdirs"
	"github.com/image-mcp/image-mcp/internal/upstreamhttp"
)

// NewClient validates the configuration and makes a client. It does not connect.
func NewClient(cfg Config) (*upstreamhttp.Client, error) {
	s, err := settingsOf(cfg)
	if err != nil {
		return nil, err
	}
	return upstreamhttp.New(s.base, s.header, s.opts)
}

// settings are what a Central client is made of.
type settings struct {
	base   string
	header http.Header
	opts   upstreamhttp.Options
}

// settingsOf checks cfg and gives the client's settings: the base URL, the bearer token,
// and a transport that verifies Central's certificate (with ROX_CA_CERT_FILE's CA).
func settingsOf(cfg Config) (settings, error) {
	endpoint := cfg.Endpoint
	if endpoint == "" {
		if cfg.Token == "" && cfg.TokenFile == "" {
			return settings{}, ErrNotConfigured
		}
		// A token without an endpoint: roxctl's default endpoint.
		endpoint = DefaultEndpoint
	}
	base, host, err := centralBase(endpoint)
	if err != nil {
		return settings{}, err
	}
	token, err := centralToken(cfg)
	if err != nil {
		return settings{}, err
	}
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: cfg.ServerName, InsecureSkipVerify: cfg.Insecure} //nolint:gosec // only when the user asks
	if tlsCfg.ServerName == "" {
		tlsCfg.ServerName = host
	}
	var prepare func()
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return settings{}, fmt.Errorf("ROX_CA_CERT_FILE (--rox-ca-cert-file): cannot read the CA certificate %s: %w", cfg.CAFile, allowdirs.PathCause(err))
		}
		if !x509.NewCertPool().AppendCertsFromPEM(pem) {
			return settings{}, fmt.Errorf("ROX_CA_CERT_FILE (--rox-ca-cert-file): %s holds no PEM certificate", cfg.CAFile)
		}
		prepare = func() {
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
	return settings{
		base:   base,
		header: http.Header{"Authorization": {"Bearer " + token}, "Accept": {"application/json"}},
		opts: upstreamhttp.Options{
			Transport: tr,
			TLSHint: "give Central's CA certificate with ROX_CA_CERT_FILE (--rox-ca-cert-file), set ROX_SERVER_NAME if Central's certificate names another host, " +
				"or, only for a test instance, ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY=true",
			Prepare: prepare,
		},
	}, nil
}
