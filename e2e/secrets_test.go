package e2e

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/internal/fakecentral"
)

// encodings are the forms a secret could leak in.
func encodings(s string) []string {
	return []string{s, base64.StdEncoding.EncodeToString([]byte(s)), base64.URLEncoding.EncodeToString([]byte(s)),
		base64.RawStdEncoding.EncodeToString([]byte(s)), base64.RawURLEncoding.EncodeToString([]byte(s))}
}

// With a canary API token, a canary registry password in X-Registry-Auth (and
// X-Registry-Config) and a canary in REGISTRY_AUTH_FILE, every tool runs once on a success
// path and once on a failure path at log level debug: no canary, raw or base64, reaches a
// log line or a tool result.
func TestSecretsNeverLeak(t *testing.T) {
	needPodman(t)
	stamp := fmt.Sprint(time.Now().UnixNano())
	token := "canary-token-" + stamp
	password := "canary-password-" + stamp
	filePassword := "canary-authfile-" + stamp
	regAuth := base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf(`{"username":"canary-user","password":%q,"serveraddress":%q}`, password, registry)))
	regConfig := base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf(`{%q:{"username":"canary-user","password":%q}}`, registry, password)))
	dir := t.TempDir()
	authFile := filepath.Join(dir, "auth.json")
	os.WriteFile(authFile, []byte(fmt.Sprintf(`{"auths":{%q:{"auth":%q}}}`, registry, base64.StdEncoding.EncodeToString([]byte("canary-user:"+filePassword)))), 0o600)
	var canaries []string
	for _, s := range []string{token, "Bearer " + token, password, filePassword, "canary-user:" + password, "canary-user:" + filePassword} {
		canaries = append(canaries, encodings(s)...)
	}
	canaries = append(canaries, regAuth, regConfig)

	central := StartFakeCentral(t, FakeCentralOptions{})
	central.SetRole(token, fakecentral.RoleAdmin)
	env := append(central.Env(token), "REGISTRY_AUTH_FILE="+authFile)
	s := StartServer(t, ServerOptions{Args: []string{"--log-level", "debug", "--timeout", "30s"}, Env: env})

	r := &leakRun{s: s, central: central, token: token, regAuth: regAuth, regConfig: regConfig, dir: dir, covered: map[string]bool{}}
	ctxDir := filepath.Join(dir, "ctx")
	os.MkdirAll(ctxDir, 0o755)
	os.WriteFile(filepath.Join(ctxDir, "Containerfile"), []byte("FROM "+baseImage+"\nLABEL secrets=1\n"), 0o644)
	pushed := registry + "/secrets:1"
	defer func() {
		// pushed is a second name of the base image: untag only that name, never remove.
		PodmanRaw("POST", "/libpod/images/"+pushed+"/untag?repo="+registry+"/secrets&tag=1", nil)
		for _, ref := range []string{"localhost/secrets-import:1", "localhost/secrets-build:1"} {
			PodmanRaw("DELETE", "/libpod/images/"+ref+"?force=true", nil)
		}
		if code, _, err := PodmanRaw("GET", "/libpod/images/"+baseImage+"/exists", nil); err != nil || code != 204 {
			t.Errorf("%s is gone after the secrets test (HTTP %d, %v)", baseImage, code, err)
		}
	}()
	r.successPath(t, ctxDir, pushed)
	r.forbidden(t)
	r.failurePath(t)
	checkNoCanary(t, s.StderrText(), r.outputs, canaries)
}

// leakRun is a server with canary credentials and what its tools answered.
type leakRun struct {
	s                              *Server
	central                        *FakeCentral
	token, regAuth, regConfig, dir string
	covered                        map[string]bool // tools called on a success path
	outputs                        []string        // every result's text, labelled
}

func (r *leakRun) record(label string, res string) { r.outputs = append(r.outputs, label+": "+res) }

// successPath calls every tool once where it should work (mustWork: it must).
func (r *leakRun) successPath(t *testing.T, ctxDir, pushed string) {
	s, central, regAuth, regConfig, dir := r.s, r.central, r.regAuth, r.regConfig, r.dir
	type call struct {
		method, path string
		args         map[string]any
		mustWork     bool
	}
	calls := []call{
		{"GET", "/libpod/images/json", map[string]any{}, true},
		{"GET", "/libpod/images/{name}/exists", map[string]any{"name": baseImage}, true},
		{"GET", "/libpod/images/{name}/json", map[string]any{"name": baseImage}, true},
		{"GET", "/libpod/images/{name}/history", map[string]any{"name": baseImage}, true},
		{"GET", "/libpod/images/{name}/tree", map[string]any{"name": baseImage}, false},
		{"GET", "/libpod/images/{name}/changes", map[string]any{"name": baseImage}, false},
		{"GET", "/libpod/images/{name}/resolve", map[string]any{"name": "busybox"}, false},
		{"POST", "/libpod/images/{name}/tag", map[string]any{"name": baseImage, "repo": registry + "/secrets", "tag": "1"}, true},
		{"POST", "/libpod/images/{name}/push", map[string]any{"name": pushed, "tlsVerify": false, "X-Registry-Auth": regAuth}, true},
		{"POST", "/libpod/images/pull", map[string]any{"reference": pushed, "tlsVerify": false, "X-Registry-Auth": regAuth}, true},
		{"GET", "/libpod/images/{name}/get", map[string]any{"name": baseImage, "output": filepath.Join(dir, "one.tar")}, true},
		{"GET", "/libpod/images/export", map[string]any{"references": []string{baseImage}, "output": filepath.Join(dir, "multi.tar")}, true},
		{"POST", "/libpod/images/load", map[string]any{"upload": filepath.Join(dir, "one.tar")}, true},
		{"POST", "/libpod/images/import", map[string]any{"upload": busyboxTar, "reference": "localhost/secrets-import:1"}, true},
		{"POST", "/libpod/build", map[string]any{"context": ctxDir, "t": "localhost/secrets-build:1", "X-Registry-Config": regConfig}, true},
		{"GET", "/libpod/images/search", map[string]any{"term": registry + "/secrets", "tlsVerify": false}, false},
		{"POST", "/libpod/images/scp/{name}", map[string]any{"name": baseImage}, false},
		{"POST", "/libpod/local/build", map[string]any{"localcontextdir": ctxDir, "X-Registry-Config": regConfig}, false},
		{"POST", "/libpod/local/images/load", map[string]any{"path": filepath.Join(dir, "one.tar")}, false},
		{"POST", "/libpod/images/prune", map[string]any{"filters": `{"label":["secrets-never-set=1"]}`}, false},
		{"POST", "/libpod/images/{name}/untag", map[string]any{"name": pushed, "repo": registry + "/secrets", "tag": "1"}, true},
		{"DELETE", "/libpod/images/remove", map[string]any{"images": []string{"localhost/secrets-import:1", "localhost/secrets-build:1"}, "force": true}, true},
		{"DELETE", "/libpod/images/{name}", map[string]any{"name": "localhost/secrets-none:1"}, false},
		{"GET", "/v1/images", map[string]any{"query": "Image:nginx"}, true},
		{"GET", "/v1/imagescount", map[string]any{}, true},
		{"GET", "/v1/images/cache/invalidate", map[string]any{}, true},
		{"DELETE", "/v1/images", map[string]any{"query.query": "Image:nginx"}, true},
		{"POST", "/v1/images/scan", map[string]any{"body": map[string]any{"imageName": ""}}, false},
		{"GET", "/v1/images/{id}", map[string]any{"id": central.ImageIDs()[0]}, true},
	}
	for _, c := range calls {
		tl := toolFor(t, c.method, c.path)
		r.covered[tl.Name] = true
		res := s.Call(t, tl.Name, c.args)
		if c.mustWork && res.IsError {
			t.Errorf("%s(%v) failed: %s", tl.Name, c.args, Text(res))
		}
		r.record(tl.Name, Text(res))
	}
}

// forbidden: Central's 403, the token's role losing Image access for one call.
func (r *leakRun) forbidden(t *testing.T) {
	r.central.SetRole(r.token, fakecentral.RoleNone)
	get := toolFor(t, "GET", "/v1/images/{id}").Name
	res := r.s.MustFail(t, get, map[string]any{"id": r.central.ImageIDs()[0]}, "HTTP 403")
	r.record(get+" (403)", Text(res))
	r.central.SetRole(r.token, fakecentral.RoleAdmin)
}

// failurePath calls every tool where it fails: a missing image, a missing file, an unknown
// ID; the auth headers ride along wherever a tool takes them.
func (r *leakRun) failurePath(t *testing.T) {
	s, regAuth, regConfig, dir := r.s, r.regAuth, r.regConfig, r.dir
	for _, tl := range embeddedTools(t) {
		if !r.covered[tl.Name] {
			t.Errorf("no success-path call of %s", tl.Name)
		}
		args := requiredArgs(tl, dir)
		for _, a := range tl.Args {
			switch a.Name {
			case "X-Registry-Auth":
				args[a.Name] = regAuth
			case "X-Registry-Config":
				args[a.Name] = regConfig
			case "tlsVerify":
				args[a.Name] = false
			}
			if a.Role == capabilities.RoleInputFile {
				args[a.Name] = filepath.Join(dir, "missing.tar")
			}
		}
		switch {
		case tl.Capability.Upstream == "central" && tl.Method == "GET" && strings.Contains(tl.Path, "{id}"):
			args["id"] = "sha256:missing"
		case tl.Method == "DELETE" && tl.Path == "/libpod/images/remove":
			// Without `images` Podman removes EVERY image: name a missing one.
			args["images"] = []string{"localhost/secrets-none:1"}
		case tl.Method == "POST" && tl.Path == "/libpod/images/prune":
			args["filters"] = "not json" // fails in Podman instead of pruning the shared store
		}
		res := s.Call(t, tl.Name, args)
		r.record(tl.Name+" (failure path)", Text(res))
	}
}

// checkNoCanary fails for every canary in a log line or a tool result.
func checkNoCanary(t *testing.T, logs string, outputs, canaries []string) {
	if !strings.Contains(logs, "DBG") || !strings.Contains(logs, "tool call") {
		t.Fatalf("the debug log is missing; the test would prove nothing:\n%s", clipTo(logs, 2000))
	}
	for _, c := range canaries {
		for _, line := range strings.Split(logs, "\n") {
			if strings.Contains(line, c) {
				t.Errorf("a canary (%.24s…) is in a log line: %s", c, clipTo(line, 400))
			}
		}
		for _, o := range outputs {
			if strings.Contains(o, c) {
				t.Errorf("a canary (%.24s…) is in a tool result: %s", c, clipTo(o, 400))
			}
		}
	}
}
