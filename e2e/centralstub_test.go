package e2e

import (
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// CentralStub is a small TLS stand-in for StackRox Central (the contract's happy answers
// and its error shape), whose behaviour a test can switch to a fault. The fuller fake
// Central lives elsewhere; this one only needs to be enough for faults and secrets.
type CentralStub struct {
	srv   *httptest.Server
	CA    string
	mu    sync.Mutex
	fault string // "", "500", "garbage", "truncated", "hang"
	hang  chan struct{}
}

func StartCentralStub(t testing.TB) *CentralStub {
	t.Helper()
	c := &CentralStub{hang: make(chan struct{})}
	c.srv = httptest.NewTLSServer(http.HandlerFunc(c.serve))
	c.CA = filepath.Join(t.TempDir(), "central-ca.pem")
	if err := os.WriteFile(c.CA, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		close(c.hang)
		c.srv.CloseClientConnections()
		c.srv.Close()
	})
	return c
}

// Env points image-mcp at the stub with a token.
func (c *CentralStub) Env(token string) []string {
	return []string{"ROX_ENDPOINT=" + strings.TrimPrefix(c.srv.URL, "https://"), "ROX_API_TOKEN=" + token, "ROX_CA_CERT_FILE=" + c.CA}
}

// SetFault switches what every following request gets.
func (c *CentralStub) SetFault(f string) {
	c.mu.Lock()
	c.fault = f
	c.mu.Unlock()
}

func rpcError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"code":%d,"message":%q,"details":[],"error":%q}`, code, msg, msg)
}

func (c *CentralStub) serve(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	fault := c.fault
	c.mu.Unlock()
	switch fault {
	case "500":
		rpcError(w, 500, 13, "internal error: the database is unavailable")
		return
	case "garbage":
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte("\x00\x01<html>502 Bad Gateway</html>\xff{{{"))
		return
	case "truncated":
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "100000")
		w.Write([]byte(`{"images":[{"id":"sha256:1","name":"nginx"},{"id":"sha2`))
		w.(http.Flusher).Flush()
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
			}
		}
		return
	case "hang":
		select {
		case <-r.Context().Done():
		case <-c.hang:
		}
		return
	}
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "Bearer ") || strings.Contains(auth, "bad") {
		w.Header().Set("WWW-Authenticate", "Bearer")
		rpcError(w, 401, 16, "credentials not found: token-based: cannot extract identity: token validation failed")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == "GET" && r.URL.Path == "/v1/images":
		w.Write([]byte(`{"images":[{"id":"sha256:aa","name":"docker.io/library/nginx:1.25","components":4,"cves":5,"fixableCves":5,"priority":"3"}]}`))
	case r.Method == "GET" && r.URL.Path == "/v1/imagescount":
		w.Write([]byte(`{"count": 1}`))
	case r.Method == "GET" && r.URL.Path == "/v1/images/cache/invalidate":
		w.Write([]byte(`{}`))
	case r.Method == "DELETE" && r.URL.Path == "/v1/images":
		if !r.URL.Query().Has("query.query") {
			rpcError(w, 500, 13, "a scoping query is required")
			return
		}
		fmt.Fprintf(w, `{"numDeleted": 1, "dryRun": %v}`, r.URL.Query().Get("confirm") != "true")
	case r.Method == "POST" && r.URL.Path == "/v1/images/scan":
		rpcError(w, 400, 3, "image name must be specified: invalid arguments")
	case r.Method == "GET" && r.URL.Path == "/v1/images/sha256:aa":
		w.Write([]byte(`{"id":"sha256:aa","name":{"fullName":"docker.io/library/nginx:1.25"},"scan":{"components":[]}}`))
	case r.URL.Path == "/v1/images/unauthorized":
		rpcError(w, 403, 7, `not authorized: "READ_ACCESS" for "Image"`)
	case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/v1/images/"):
		rpcError(w, 404, 5, fmt.Sprintf("image with id %q does not exist: not found", strings.TrimPrefix(r.URL.Path, "/v1/images/")))
	default:
		rpcError(w, 404, 5, "Not Found")
	}
}
