package e2e

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestRegistryAuth pulls and pushes against a registry with htpasswd auth: without
// credentials, with them in X-Registry-Auth, and with them in an auth file. The password
// never shows in a result or in the debug log.
func TestRegistryAuth(t *testing.T) {
	needPodman(t)
	reg, user, pass, authFile := startAuthRegistry(t, "e2e-user", map[string]string{"other.test": "x:y"})
	header, _ := json.Marshal(map[string]string{"username": user, "password": pass})
	headerB64 := base64.URLEncoding.EncodeToString(header)
	wrongB64 := base64.URLEncoding.EncodeToString([]byte(`{"username":"` + user + `","password":"wrong-` + pass + `"}`))

	noFile := StartServer(t, ServerOptions{Args: []string{"--log-level", "debug"}})
	withFile := StartServer(t, ServerOptions{Args: []string{"--log-level", "debug"}, Env: []string{"REGISTRY_AUTH_FILE=" + authFile}})

	local := "localhost/streams-auth:1"
	remote := reg + "/auth/img:1"
	tagImage(t, baseImage, "localhost/streams-auth", "1")
	t.Cleanup(func() { removeImage(t, local); removeImage(t, remote) })

	var results []*mcp.CallToolResult
	keep := func(r *mcp.CallToolResult) *mcp.CallToolResult { results = append(results, r); return r }

	t.Run("without credentials", func(t *testing.T) {
		keep(noFile.MustFail(t, "push-image", map[string]any{"name": local, "destination": remote, "tlsVerify": false},
			registryRefusal(), "No credentials for "+reg, "X-Registry-Auth", "podman login"))
		keep(noFile.MustFail(t, "pull-images", map[string]any{"reference": remote, "tlsVerify": false},
			"No credentials for "+reg))
	})
	t.Run("wrong password in the argument", func(t *testing.T) {
		keep(noFile.MustFail(t, "push-image", map[string]any{"name": local, "destination": remote, "tlsVerify": false, "X-Registry-Auth": wrongB64},
			"refused the credentials given in X-Registry-Auth"))
	})
	t.Run("credentials in the argument", func(t *testing.T) {
		keep(noFile.MustSucceed(t, "push-image", map[string]any{"name": local, "destination": remote, "tlsVerify": false, "X-Registry-Auth": headerB64}))
		removeImage(t, remote)
		// Plain JSON is accepted too and encoded for Podman.
		keep(noFile.MustSucceed(t, "pull-images", map[string]any{"reference": remote, "tlsVerify": false, "X-Registry-Auth": string(header)}))
		if inspectID(t, remote) == "" {
			t.Fatal("pull reported success but the image is not there")
		}
	})
	t.Run("credentials from REGISTRY_AUTH_FILE", func(t *testing.T) {
		removeImage(t, remote)
		keep(withFile.MustSucceed(t, "pull-images", map[string]any{"reference": remote, "tlsVerify": false}))
		if inspectID(t, remote) == "" {
			t.Fatal("pull reported success but the image is not there")
		}
		keep(withFile.MustSucceed(t, "push-image", map[string]any{"name": local, "destination": reg + "/auth/img:2", "tlsVerify": false}))
		if !strings.Contains(withFile.LoggedText(authFile), authFile) {
			t.Errorf("the debug log does not say the credentials came from %s", authFile)
		}
	})

	for _, secret := range []string{pass, headerB64, base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))} {
		for _, r := range results {
			b, _ := json.Marshal(r)
			if strings.Contains(string(b), secret) {
				t.Fatalf("a result carries a credential: %s", b)
			}
		}
		for _, s := range []*Server{noFile, withFile} {
			if strings.Contains(s.StderrText(), secret) {
				t.Fatalf("the log carries a credential:\n%s", s.StderrText())
			}
		}
	}
}

// startAuthRegistry runs a loopback registry with htpasswd auth for user (a fresh password)
// and writes an auth file holding its credentials, plus extra entries (host → user:password).
func startAuthRegistry(t *testing.T, user string, extra map[string]string) (reg, _, pass, authFile string) {
	t.Helper()
	htpasswd, err := lookTool("htpasswd")
	if err != nil {
		t.Fatal("htpasswd (apache2-utils) is needed: ", err)
	}
	dir := t.TempDir()
	pass = fmt.Sprintf("Pw-%d-secret", time.Now().UnixNano())
	out, err := exec.Command(htpasswd, "-Bbn", user, pass).Output()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "htpasswd"), out, 0o600); err != nil {
		t.Fatal(err)
	}
	reg, stop, err := StartRegistry(dir, fmt.Sprintf("auth:\n  htpasswd:\n    realm: e2e\n    path: %s\n", filepath.Join(dir, "htpasswd")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	auths := map[string]any{reg: map[string]string{"auth": base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))}}
	for host, up := range extra {
		auths[host] = map[string]string{"auth": base64.StdEncoding.EncodeToString([]byte(up))}
	}
	af, _ := json.Marshal(map[string]any{"auths": auths})
	authFile = filepath.Join(dir, "auth.json")
	if err := os.WriteFile(authFile, af, 0o600); err != nil {
		t.Fatal(err)
	}
	return reg, user, pass, authFile
}

// registryRefusal is how the connected Podman words a registry's 401 to a push without
// credentials, as seen: 4.3.1 passes on the registry's "unauthorized", 5.8 says
// "authentication required" (its containers/image maps the 401 itself).
func registryRefusal() string {
	if olderThan(podmanVer, "5.0.0") {
		return "unauthorized"
	}
	return "authentication required"
}
