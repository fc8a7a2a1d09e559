package e2e

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// loggingProxy is a registry's front door that logs the Authorization header of every
// request it passes on (the registry behind it keeps its own htpasswd auth).
type loggingProxy struct {
	Addr string
	mu   sync.Mutex
	auth []string
}

func startLoggingProxy(t *testing.T, registry string) *loggingProxy {
	t.Helper()
	p := &loggingProxy{}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: registry})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.auth = append(p.auth, r.Header.Values("Authorization")...)
		p.mu.Unlock()
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.Addr = srv.Listener.Addr().String()
	return p
}

// received is every Authorization header so far, Basic ones decoded to user:password.
func (p *loggingProxy) received() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, a := range p.auth {
		if b, ok := strings.CutPrefix(a, "Basic "); ok {
			if dec, err := base64.StdEncoding.DecodeString(b); err == nil {
				a += " (" + string(dec) + ")"
			}
		}
		out = append(out, a)
	}
	return out
}

func (p *loggingProxy) reset() {
	p.mu.Lock()
	p.auth = nil
	p.mu.Unlock()
}

// The attack of issue 21: the person's auth file holds a docker.io login, and the Podman
// service resolves short names through an alias (`mcp-e2e-alias`) and an
// unqualified-search registry (`team/app:1`) that both point at another host, a loopback
// registry behind a proxy that logs every Authorization header it receives. Pulls of the
// short names and a build FROM one must never present the docker.io password there; with
// that registry's own login in the auth file as well, it receives exactly that one (the
// per-registry map Podman's remote client sends) and the pulls and the build succeed.
func TestRegistryAuthShortNames(t *testing.T) {
	needPodman(t)
	reg, ruser, rpass, regAuthFile := startAuthRegistry(t, "reg-user", nil)
	proxy := startLoggingProxy(t, reg)

	// The images the short names resolve to, pushed to the registry (not through the proxy).
	pusher := StartServer(t, ServerOptions{Env: []string{"REGISTRY_AUTH_FILE=" + regAuthFile}})
	for _, dest := range []string{reg + "/library/mcp-alias:latest", reg + "/team/app:1"} {
		pusher.MustSucceed(t, "push-image", map[string]any{"name": baseImage, "destination": dest, "tlsVerify": false})
	}

	// A Podman of its own, whose registries.conf sends the short names to the proxy.
	sock := startPodmanWithRegistries(t, "sn", fmt.Sprintf("unqualified-search-registries = [%q]\n[[registry]]\nlocation = %q\ninsecure = true\n[aliases]\n%q = %q\n",
		proxy.Addr, proxy.Addr, "mcp-e2e-alias", proxy.Addr+"/library/mcp-alias"))

	ctxDir := t.TempDir()
	os.WriteFile(filepath.Join(ctxDir, "Containerfile"), []byte("FROM mcp-e2e-alias\nLABEL from.short.name=1\n"), 0o644)

	canary := fmt.Sprintf("docker-io-canary-%d", time.Now().UnixNano())
	dir := t.TempDir()
	hubOnly := writeAuthFile(dir, "hub.json", map[string]string{"https://index.docker.io/v1/": "hub-user:" + canary})
	both := writeAuthFile(dir, "both.json", map[string]string{"docker.io": "hub-user:" + canary, proxy.Addr: ruser + ":" + rpass})

	calls := []struct {
		tool string
		args map[string]any
	}{
		// The build first: it pulls its base only when the base is not there yet.
		{"build-image", map[string]any{"context": ctxDir, "t": "localhost/short-name-build:1", "networkmode": "none"}},
		{"pull-images", map[string]any{"reference": "mcp-e2e-alias", "tlsVerify": false}},
		{"pull-images", map[string]any{"reference": "team/app:1", "tlsVerify": false}},
	}
	proxy.reset()
	t.Run("a docker.io login only", func(t *testing.T) {
		s := StartServer(t, ServerOptions{NoPod: true, Env: []string{"CONTAINER_HOST=unix://" + sock, "REGISTRY_AUTH_FILE=" + hubOnly}})
		for _, c := range calls {
			res := s.MustFail(t, c.tool, c.args)
			if !strings.Contains(strings.ToLower(Text(res)), registryRefusal()) && !strings.Contains(Text(res), "unauthorized") {
				t.Errorf("%s %v: want the registry's refusal, got %s", c.tool, c.args, Text(res))
			}
		}
		res := s.MustFail(t, "pull-images", calls[1].args, "short name", "podman login")
		if strings.Contains(Text(res), canary) {
			t.Errorf("the canary is in a result: %s", Text(res))
		}
	})
	t.Run("each registry its own login", func(t *testing.T) {
		s := StartServer(t, ServerOptions{NoPod: true, Env: []string{"CONTAINER_HOST=unix://" + sock, "REGISTRY_AUTH_FILE=" + both}})
		for _, c := range calls {
			s.MustSucceed(t, c.tool, c.args)
		}
		got := proxy.received()
		if !strings.Contains(strings.Join(got, "\n"), "("+ruser+":"+rpass+")") {
			t.Errorf("the registry never received its own login; the proxy logged %q", got)
		}
	})
	got := proxy.received()
	t.Logf("the proxy received %d Authorization headers", len(got))
	for _, a := range got {
		if strings.Contains(a, canary) || strings.Contains(a, base64.StdEncoding.EncodeToString([]byte("hub-user:"+canary))) {
			t.Errorf("the docker.io password reached another registry: %s", a)
		}
	}
}

// writeAuthFile writes an auth file in dir with one login (user:password) per host.
func writeAuthFile(dir, name string, entries map[string]string) string {
	var parts []string
	for host, up := range entries {
		parts = append(parts, fmt.Sprintf("%q:{\"auth\":%q}", host, base64.StdEncoding.EncodeToString([]byte(up))))
	}
	f := filepath.Join(dir, name)
	os.WriteFile(f, []byte(`{"auths":{`+strings.Join(parts, ",")+`}}`), 0o600)
	return f
}
