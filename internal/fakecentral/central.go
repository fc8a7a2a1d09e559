// Package fakecentral is a fake StackRox Central for the end-to-end tests and the bench.
// It keeps the REST contract of a real Central as docs/stackrox.md describes it (read from
// the StackRox sources): gateway routing, query parameter rules, auth, error bodies, and the
// ImageService operations over an image set built from real fixtures (testdata/), and
// AuthService's status for doctor. It rejects what a real Central rejects, so a client bug
// fails a test; faults (SetFault) show how a client copes when Central or a proxy misbehaves.
package fakecentral

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
)

// Central is a running fake Central.
type Central struct {
	Addr   string // 127.0.0.1:port
	URL    string // https://127.0.0.1:port
	CAFile string // PEM of the CA that signed its certificate

	tokens map[string]string // API token → role; SetRole changes it
	dir    string            // holds CAFile
	pool   *x509.CertPool
	srv    *httptest.Server
	mu     sync.Mutex
	images []*fakeImage
	reqs   []RecordedRequest
	// hang makes requests to these paths block until the client goes away.
	hang       map[string]bool
	hangStarts chan string
	hangAborts chan string
	fault      Fault
	override   http.HandlerFunc
	done       chan struct{} // closed by Close: ends hanging requests
}

// RecordedRequest is one request as the fake received it.
type RecordedRequest struct {
	Method   string
	Path     string // as sent, still escaped
	RawQuery string
	Header   http.Header
	Body     []byte
}

// Options set up a fake.
type Options struct {
	// Bulk adds this many generated images (registry.example.com/bulk/app-N:1.0).
	Bulk int
	// Rename gives fixture images other names (full name → new full name), so a test can
	// have Central know an image it pushed to the test registry.
	Rename map[string]string
}

// Start starts a fake Central over TLS (HTTP/2 and HTTP/1.1) with a fresh CA. Close it.
func Start(o Options) (*Central, error) {
	fc := &Central{
		tokens:     map[string]string{AdminToken: RoleAdmin, ReadToken: RoleRead, NoneToken: RoleNone},
		hang:       map[string]bool{},
		done:       make(chan struct{}),
		hangStarts: make(chan string, 16),
		hangAborts: make(chan string, 16),
	}
	var err error
	if fc.images, err = loadFakeImages(o.Bulk); err != nil {
		return nil, err
	}
	for _, img := range fc.images {
		if to, ok := o.Rename[img.name]; ok {
			if err := img.rename(to); err != nil {
				return nil, err
			}
		}
	}
	caPEM, cert, err := newTestCA()
	if err != nil {
		return nil, err
	}
	fc.pool = x509.NewCertPool()
	fc.pool.AppendCertsFromPEM(caPEM)
	if fc.dir, err = os.MkdirTemp("", "fakecentral-"); err != nil {
		return nil, err
	}
	fc.CAFile = filepath.Join(fc.dir, "central-ca.pem")
	if err := os.WriteFile(fc.CAFile, caPEM, 0o644); err != nil {
		os.RemoveAll(fc.dir)
		return nil, err
	}
	fc.srv = httptest.NewUnstartedServer(http.HandlerFunc(fc.serve))
	fc.srv.EnableHTTP2 = true
	fc.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are what some tests want
	fc.srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	fc.srv.StartTLS()
	fc.Addr = fc.srv.Listener.Addr().String()
	fc.URL = "https://" + fc.Addr
	return fc, nil
}

// Close stops the fake and removes its CA file.
func (fc *Central) Close() {
	close(fc.done)
	fc.srv.CloseClientConnections()
	fc.srv.Close()
	os.RemoveAll(fc.dir)
}

// Client is an HTTPS client that trusts the fake's CA: a baseline without image-mcp.
func (fc *Central) Client() *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: fc.pool, MinVersion: tls.VersionTLS12}, ForceAttemptHTTP2: true}}
}

// Env is the environment that points image-mcp at this fake with a token.
func (fc *Central) Env(token string) []string {
	return []string{"ROX_ENDPOINT=" + fc.Addr, "ROX_API_TOKEN=" + token, "ROX_CA_CERT_FILE=" + fc.CAFile}
}

// Requests returns the requests received so far.
func (fc *Central) Requests() []RecordedRequest {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	return append([]RecordedRequest(nil), fc.reqs...)
}

// ImageCount is how many images the fake holds now.
func (fc *Central) ImageCount() int {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	return len(fc.images)
}

// ImageIDs are the ids of the images the fake holds now, in the order ListImages lists them.
func (fc *Central) ImageIDs() []string {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	ids := make([]string, len(fc.images))
	for i, img := range fc.images {
		ids[i] = img.id
	}
	return ids
}
