package doctor

import (
	"bytes"
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/image-mcp/image-mcp/central"
)

// failConnection classifies the errors a real TLS client gets, by their type.
func TestFailConnection(t *testing.T) {
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	defer tlsSrv.Close()
	plain := httptest.NewServer(http.NotFoundHandler())
	defer plain.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closedAddr := strings.TrimPrefix(closed.URL, "http://")
	closed.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tlsSrv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		name, endpoint, caFile, serverName, want string
	}{
		{"unknown CA", strings.TrimPrefix(tlsSrv.URL, "https://"), "", "", "[FAIL] TLS: Central's certificate is not trusted"},
		{"wrong name", strings.TrimPrefix(tlsSrv.URL, "https://"), ca, "central.example.org", "[FAIL] TLS: Central's certificate is not for this name"},
		// net/http reports a plain HTTP answer in its own words, not as a TLS error.
		{"not TLS", strings.TrimPrefix(plain.URL, "http://"), "", "", "[FAIL] Central at " + strings.TrimPrefix(plain.URL, "http://") + ": "},
		{"nothing listening", closedAddr, "", "", "[FAIL] cannot reach Central at " + closedAddr},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := central.Config{Endpoint: c.endpoint, Token: "t", CAFile: c.caFile, ServerName: c.serverName}
			client, err := central.NewClient(cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = get(context.Background(), client, "/v1/auth/status")
			if err == nil {
				t.Fatal("no error")
			}
			var out bytes.Buffer
			failConnection(&report{w: &out}, cfg, err)
			if !strings.Contains(out.String(), c.want) {
				t.Fatalf("got %q (from %v); want %q", out.String(), err, c.want)
			}
		})
	}
}
