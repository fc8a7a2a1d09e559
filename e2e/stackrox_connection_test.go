package e2e

// How image-mcp finds and trusts Central: endpoint forms, tokens, CA and server name.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStackRoxConnection(t *testing.T) {
	fc := StartFakeCentral(t, FakeCentralOptions{})
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte("Bearer "+adminToken+"\n"), 0o600)
	emptyFile := filepath.Join(dir, "empty")
	os.WriteFile(emptyFile, nil, 0o600)
	ep := "ROX_ENDPOINT=" + fc.Addr
	ca := "ROX_CA_CERT_FILE=" + fc.CAFile
	_, port, _ := strings.Cut(fc.Addr, ":")

	cases := []struct {
		name string
		env  []string
		args []string
		want []string // substrings of the error; none: success
	}{
		{"raw token", []string{ep, ca, "ROX_API_TOKEN=" + adminToken}, nil, nil},
		{"token already prefixed", []string{ep, ca, "ROX_API_TOKEN=Bearer " + adminToken}, nil, nil},
		{"seed's STACKROX_API_KEY", []string{ep, ca, "STACKROX_API_KEY=" + adminToken}, nil, nil},
		{"token file", []string{ep, ca, "ROX_API_TOKEN_FILE=" + tokenFile}, nil, nil},
		{"token file flag and endpoint flag", []string{ca}, []string{"--rox-endpoint", fc.Addr, "--rox-api-token-file", tokenFile}, nil},
		{"https URL endpoint", []string{"ROX_ENDPOINT=https://127.0.0.1:" + port + "/", ca, "ROX_API_TOKEN=" + adminToken}, nil, nil},
		{"server name", []string{"ROX_ENDPOINT=127.0.0.1:" + port, ca, "ROX_SERVER_NAME=central.stackrox", "ROX_API_TOKEN=" + adminToken}, nil, nil},
		{"insecure without CA", []string{ep, "ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY=true", "ROX_API_TOKEN=" + adminToken}, nil, nil},
		{"insecure flag", []string{ep, "ROX_API_TOKEN=" + adminToken}, []string{"--rox-insecure-skip-tls-verify"}, nil},
		{"no CA: refused", []string{ep, "ROX_API_TOKEN=" + adminToken}, nil, []string{"certificate", "unknown authority", "ROX_CA_CERT_FILE"}},
		{"wrong server name: refused", []string{ep, ca, "ROX_SERVER_NAME=other.example", "ROX_API_TOKEN=" + adminToken}, nil, []string{"certificate", "other.example", "ROX_SERVER_NAME"}},
		{"endpoint with a path", []string{"ROX_ENDPOINT=" + fc.Addr + "/v1", ca, "ROX_API_TOKEN=" + adminToken}, nil, []string{"ROX_ENDPOINT", "without a path"}},
		{"plain http endpoint", []string{"ROX_ENDPOINT=http://" + fc.Addr, ca, "ROX_API_TOKEN=" + adminToken}, nil, []string{"ROX_ENDPOINT", "https"}},
		{"unreadable CA file", []string{ep, "ROX_CA_CERT_FILE=" + filepath.Join(dir, "missing.pem"), "ROX_API_TOKEN=" + adminToken}, nil, []string{"ROX_CA_CERT_FILE", "missing.pem", "no such file"}},
		{"CA file without PEM", []string{ep, "ROX_CA_CERT_FILE=" + tokenFile, "ROX_API_TOKEN=" + adminToken}, nil, []string{"ROX_CA_CERT_FILE", "no PEM certificate"}},
		{"missing token", []string{ep, ca}, nil, []string{"ROX_API_TOKEN", "no StackRox API token"}},
		{"empty token file", []string{ep, ca, "ROX_API_TOKEN_FILE=" + emptyFile}, nil, []string{"ROX_API_TOKEN_FILE", "empty"}},
		{"bad insecure value", []string{ep, ca, "ROX_API_TOKEN=" + adminToken, "ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY=maybe"}, nil, []string{"ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := len(fc.Requests())
			s := startRox(t, fc, c.env, c.args...)
			if c.want != nil {
				res := s.MustFail(t, roxCount, nil, c.want...)
				if strings.Contains(Text(res), adminToken) {
					t.Fatalf("the error shows the token: %s", Text(res))
				}
				return
			}
			s.MustSucceed(t, roxCount, nil)
			reqs := fc.Requests()
			if len(reqs) != n+1 {
				t.Fatalf("want 1 request, the fake got %d", len(reqs)-n)
			}
			if h := reqs[n].Header.Values("Authorization"); len(h) != 1 || h[0] != "Bearer "+adminToken {
				t.Fatalf("Authorization sent: %q, want exactly one %q", h, "Bearer "+adminToken)
			}
		})
	}
	t.Run("token not logged", func(t *testing.T) {
		s := startRox(t, fc, []string{ep, ca, "ROX_API_TOKEN=" + adminToken}, "--log-level", "debug")
		s.MustSucceed(t, roxCount, nil)
		if strings.Contains(s.StderrText(), adminToken) {
			t.Fatal("the token is in the log")
		}
	})
}
