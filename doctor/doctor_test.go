package doctor_test

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/image-mcp/image-mcp/central"
	"github.com/image-mcp/image-mcp/doctor"
	"github.com/image-mcp/image-mcp/internal/fakecentral"
	"github.com/image-mcp/image-mcp/podman"
)

// podmanStandIn answers /_ping with a libpod API version on a unix socket, as a Podman
// service does, and /libpod/info with a small summary.
func podmanStandIn(t *testing.T, version string) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "podman.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Libpod-Api-Version", version)
		if strings.HasSuffix(r.URL.Path, "/libpod/info") {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"host":{"security":{"rootless":false}},"store":{"graphDriverName":"vfs"},"version":{"Version":"` + version + `"}}`))
			return
		}
		w.Write([]byte("OK"))
	}))
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return sock
}

// doctor.Run against a stand-in Podman and the fake Central: each row is one situation a
// user meets, with the report's verdict and the lines that tell them what to do.
func TestDoctorReport(t *testing.T) {
	fc, err := fakecentral.Start(fakecentral.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer fc.Close()
	good := podmanStandIn(t, "4.3.1")
	old := podmanStandIn(t, "3.4.4")
	rox := func(token, ca string) central.Config {
		return central.Config{Endpoint: fc.Addr, Token: token, CAFile: ca}
	}
	for _, tc := range []struct {
		name      string
		podman    string // socket; "" for none anywhere
		autostart bool
		central   central.Config
		code      int
		want      []string
	}{
		{name: "all well, no Central", podman: good, code: 0,
			want: []string{"[ok]   reachable: libpod API 4.3.1", "not configured: the StackRox tools are off", "No problems"}},
		{name: "Podman too old", podman: old, code: 1,
			want: []string{"[FAIL]", "upgrade Podman to"}},
		{name: "no Podman, no autostart", autostart: false, code: 1,
			want: []string{"[FAIL] no Podman service found, and autostart is off", "fix: start Podman's API socket"}},
		{name: "Central with a read token", podman: good, central: rox(fakecentral.ReadToken, fc.CAFile), code: 0,
			want: []string{"[ok]   connected over TLS, certificate verified", "[ok]   token accepted (image-mcp-analyst, expires " + fakecentral.TokenExpires + ")",
				"Image read permission: yes", "[warn] Image write permission: no (the token's role has READ_ACCESS to Image)"}},
		{name: "Central rejects the token", podman: good, central: rox("wrong", fc.CAFile), code: 1,
			want: []string{"[FAIL] Central rejected the API token", "token validation failed"}},
		{name: "the role may not read images", podman: good, central: rox(fakecentral.NoneToken, fc.CAFile), code: 1,
			want: []string{"[FAIL] the token's role may not read images", `"READ_ACCESS" for "Image"`}},
		{name: "Central's CA not given", podman: good, central: rox(fakecentral.ReadToken, ""), code: 1,
			want: []string{"[FAIL]", "ROX_CA_CERT_FILE"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			env := podman.Env{Home: dir, XDGRuntimeDir: filepath.Join(dir, "run"), XDGConfigHome: filepath.Join(dir, "config"),
				ContainersConf: filepath.Join(dir, "none.conf"), ConnectionsConf: filepath.Join(dir, "none.json"), RunDir: filepath.Join(dir, "system-run"), UID: 1000, GOOS: "linux"}
			if tc.podman != "" {
				env.Flag = "unix://" + tc.podman
			}
			var out bytes.Buffer
			code := doctor.Run(context.Background(), doctor.Config{Podman: env, Autostart: tc.autostart, Central: tc.central}, &out)
			if code != tc.code {
				t.Errorf("exit code %d, want %d", code, tc.code)
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("report lacks %q", w)
				}
			}
			if t.Failed() {
				t.Logf("report:\n%s", out.String())
			}
		})
	}
}
