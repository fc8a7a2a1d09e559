package e2e

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A build whose base image is in a registry with htpasswd auth gets the credentials of the
// user's auth file in X-Registry-Config (the base image is named in the Containerfile, not
// in an argument). Without them the build fails with a hint; the password shows nowhere.
func TestBuildFromPrivateRegistry(t *testing.T) {
	needPodman(t)
	reg, user, pass, authFile := startAuthRegistry(t, "build-user", nil)

	// The base image goes to the private registry through the shared test Podman.
	base := reg + "/build/base:1"
	pusher := StartServer(t, ServerOptions{Env: []string{"REGISTRY_AUTH_FILE=" + authFile}})
	pusher.MustSucceed(t, "push-image", map[string]any{"name": baseImage, "destination": base, "tlsVerify": false})

	// A Podman of its own that may reach this registry over plain HTTP (a build has no
	// tlsVerify in the spec); the registry is new to it, so the build must pull the base.
	sock := startPodmanWithRegistries(t, "ba", fmt.Sprintf("[[registry]]\nlocation = %q\ninsecure = true\n", reg))

	ctxDir := t.TempDir()
	os.WriteFile(filepath.Join(ctxDir, "Containerfile"), []byte("FROM "+base+"\nLABEL built.from=private\n"), 0o644)
	build := map[string]any{"context": ctxDir, "t": "localhost/build-auth:1", "networkmode": "none"}
	env := func(extra ...string) []string { return append([]string{"CONTAINER_HOST=unix://" + sock}, extra...) }

	without := StartServer(t, ServerOptions{NoPod: true, Env: env(), Args: []string{"--log-level", "debug"}})
	res1 := without.MustFail(t, "build-image", build, "No registry credentials were found", "podman login")

	with := StartServer(t, ServerOptions{NoPod: true, Env: env("REGISTRY_AUTH_FILE=" + authFile), Args: []string{"--log-level", "debug"}})
	res2 := with.MustSucceed(t, "build-image", build)
	var sum struct {
		ID string `json:"id"`
	}
	Structured(t, res2, &sum)
	if len(sum.ID) != 64 {
		t.Fatalf("the build reported no image ID: %s", Text(res2))
	}
	exists := with.MustSucceed(t, "image-exists", map[string]any{"name": "localhost/build-auth:1"})
	if !strings.Contains(Text(exists), `"exists":true`) {
		t.Fatalf("the built image is not in the build's Podman: %s", Text(exists))
	}

	for _, secret := range []string{pass, base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))} {
		for _, r := range []any{res1, res2} {
			if b, _ := json.Marshal(r); strings.Contains(string(b), secret) {
				t.Fatalf("a result carries a credential: %v", r)
			}
		}
		for _, s := range []*Server{without, with, pusher} {
			if strings.Contains(s.StderrText(), secret) {
				t.Fatalf("the log carries a credential:\n%s", s.StderrText())
			}
		}
	}
}
