package central

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/image-mcp/image-mcp/upstream"
)

func TestCentralBase(t *testing.T) {
	cases := []struct {
		endpoint, base, host, err string
	}{
		{endpoint: "central.example.com:8443", base: "https://central.example.com:8443", host: "central.example.com"},
		{endpoint: "central.example.com", base: "https://central.example.com:443", host: "central.example.com"},
		{endpoint: "https://central.example.com", base: "https://central.example.com:443", host: "central.example.com"},
		{endpoint: "https://central.example.com/", base: "https://central.example.com:443", host: "central.example.com"},
		{endpoint: "https://central.example.com:9443", base: "https://central.example.com:9443", host: "central.example.com"},
		{endpoint: " 127.0.0.1:8443 ", base: "https://127.0.0.1:8443", host: "127.0.0.1"},
		{endpoint: "[::1]:8443", base: "https://[::1]:8443", host: "::1"},
		{endpoint: "[::1]", base: "https://[::1]:443", host: "::1"},
		{endpoint: "http://central.example.com", err: "only https"},
		{endpoint: "grpc://central:443", err: "only https"},
		{endpoint: "central.example.com:8443/v1", err: "without a path"},
		{endpoint: "https://central.example.com/central", err: "without a path"},
		{endpoint: "central:8443?x=1", err: "without a path"},
		{endpoint: "https://", err: "no host"},
		{endpoint: "central:https", err: "bad port"},
		{endpoint: "central:70000", err: "bad port"},
		{endpoint: "central:", err: "bad port"},
	}
	for _, c := range cases {
		t.Run(c.endpoint, func(t *testing.T) {
			base, host, err := centralBase(c.endpoint)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "ROX_ENDPOINT") {
					t.Fatalf("centralBase(%q) = %q, %v; want an error naming ROX_ENDPOINT with %q", c.endpoint, base, err, c.err)
				}
				return
			}
			if err != nil || base != c.base || host != c.host {
				t.Fatalf("centralBase(%q) = %q, %q, %v; want %q, %q", c.endpoint, base, host, err, c.base, c.host)
			}
		})
	}
}

func TestCentralToken(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name      string
		token     string
		tokenFile string
		header    string // the Authorization value sent
		err       string // or the error naming the variable
	}{
		{name: "raw", token: "abc.def", header: "Bearer abc.def"},
		{name: "prefixed", token: "Bearer abc.def", header: "Bearer abc.def"},
		{name: "prefixed lower case", token: "bearer abc.def", header: "Bearer abc.def"},
		{name: "prefixed twice", token: "Bearer Bearer abc.def", header: "Bearer abc.def"},
		{name: "spaces and newline", token: "  Bearer   abc.def \n", header: "Bearer abc.def"},
		{name: "file", tokenFile: file("t1", "abc.def\n"), header: "Bearer abc.def"},
		{name: "prefixed file", tokenFile: file("t2", "Bearer abc.def\r\n"), header: "Bearer abc.def"},
		{name: "file wins over the variable", token: "other", tokenFile: file("t3", "abc.def"), header: "Bearer abc.def"},
		{name: "missing", err: "ROX_API_TOKEN"},
		{name: "only Bearer", token: "Bearer ", err: "ROX_API_TOKEN"},
		{name: "inner space", token: "abc def", err: "ROX_API_TOKEN"},
		{name: "inner newline", token: "abc\ndef", err: "line break"},
		{name: "unreadable file", tokenFile: filepath.Join(dir, "nope"), err: "ROX_API_TOKEN_FILE"},
		{name: "empty file", tokenFile: file("t4", " \n"), err: "ROX_API_TOKEN_FILE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl, err := settingsOf(Config{Endpoint: "central:8443", Token: c.token, TokenFile: c.tokenFile})
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want one naming %q", err, c.err)
				}
				if c.token != "" && strings.Contains(err.Error(), strings.TrimSpace(c.token)) {
					t.Fatalf("the error shows the token: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if h := cl.header.Values("Authorization"); len(h) != 1 || h[0] != c.header {
				t.Fatalf("Authorization = %q, want exactly %q", h, c.header)
			}
		})
	}
}

func TestCentralDefaults(t *testing.T) {
	if _, err := NewClient(Config{}); !errors.Is(err, ErrNotConfigured) {
		t.Fatalf("nothing set: %v", err)
	}
	cl, err := settingsOf(Config{Token: "x"})
	if err != nil || cl.base != "https://localhost:8443" {
		t.Fatalf("a token alone: %+v %v; want roxctl's localhost:8443", cl, err)
	}
	tr := cl.opts.Transport
	if tr.TLSClientConfig.MinVersion < 0x0303 || tr.TLSClientConfig.InsecureSkipVerify {
		t.Fatalf("TLS config %+v: want TLS 1.2 minimum and verification on", tr.TLSClientConfig)
	}
}

// tlsCentral is a TLS server and a PEM file of its certificate (its own CA).
func tlsCentral(t *testing.T, h http.HandlerFunc) (*httptest.Server, string) {
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644)
	return srv, ca
}

// otherCA writes a self-signed CA certificate that signed nothing the tests serve.
func otherCA(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "another CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign, DNSNames: []string{"example.com", "127.0.0.1"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "other-ca.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCentralCA(t *testing.T) {
	srv, ca := tlsCentral(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{}`)) })
	addr := strings.TrimPrefix(srv.URL, "https://")
	notPEM := filepath.Join(t.TempDir(), "x.pem")
	os.WriteFile(notPEM, []byte("not a certificate"), 0o644)
	cases := []struct {
		name     string
		cfg      Config
		buildErr string
		callErr  string
	}{
		{name: "CA given", cfg: Config{CAFile: ca}},
		{name: "no CA", cfg: Config{}, callErr: "ROX_CA_CERT_FILE"},
		// The CA file is added to the system's pool on the first request: only it is trusted.
		{name: "another CA", cfg: Config{CAFile: otherCA(t)}, callErr: "ROX_CA_CERT_FILE"},
		{name: "insecure", cfg: Config{Insecure: true}},
		{name: "server name not in the certificate", cfg: Config{CAFile: ca, ServerName: "other.invalid"}, callErr: "other.invalid"},
		{name: "unreadable CA", cfg: Config{CAFile: "/nonexistent/ca.pem"}, buildErr: "ROX_CA_CERT_FILE (--rox-ca-cert-file): cannot read the CA certificate /nonexistent/ca.pem: no such file or directory"},
		{name: "CA not PEM", cfg: Config{CAFile: notPEM}, buildErr: "no PEM certificate"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.cfg.Endpoint, c.cfg.Token = addr, "tok"
			cl, err := NewClient(c.cfg)
			if c.buildErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.buildErr) {
					t.Fatalf("err = %v, want %q", err, c.buildErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			resp, err := cl.Do(context.Background(), &upstream.Request{Method: "GET", Path: "/v1/images/cache/invalidate"})
			if c.callErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.callErr) || !strings.Contains(err.Error(), "certificate") {
					t.Fatalf("err = %v, want a certificate error mentioning %q", err, c.callErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		})
	}
}

func TestCentralDo(t *testing.T) {
	type seen struct {
		auth     []string
		rawQuery string
	}
	got := make(chan seen, 1)
	aborted := make(chan struct{}, 1)
	arrived := make(chan struct{}, 2)
	srv, ca := tlsCentral(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hang" {
			arrived <- struct{}{}
			<-r.Context().Done()
			aborted <- struct{}{}
			return
		}
		got <- seen{r.Header.Values("Authorization"), r.URL.RawQuery}
		w.Write([]byte(`{}`))
	})
	cl, err := NewClient(Config{Endpoint: srv.URL, Token: "Bearer tok", CAFile: ca})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := cl.Do(context.Background(), &upstream.Request{Method: "GET", Path: "/v1/images", Query: url.Values{"query": {"Image:nginx+CVE:CVE-1 x"}}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	s := <-got
	if len(s.auth) != 1 || s.auth[0] != "Bearer tok" {
		t.Fatalf("Authorization %q", s.auth)
	}
	if s.rawQuery != "query=Image%3Anginx%2BCVE%3ACVE-1%20x" {
		t.Fatalf("raw query %q: + must be %%2B and a space %%20", s.rawQuery)
	}

	start := time.Now()
	// The caller's deadline bounds the request (the engine gives every call --timeout).
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, err = cl.Do(ctx, &upstream.Request{Method: "GET", Path: "/hang"})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "did not answer in time") {
		t.Fatalf("timeout: %v", err)
	}
	<-aborted
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("the timeout took %s", d)
	}
	<-arrived

	// Cancelled once the request is at the server (an event, not a sleep).
	ctx, cancel = context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	if _, err := cl.Do(ctx, &upstream.Request{Method: "GET", Path: "/hang"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	<-aborted
}
