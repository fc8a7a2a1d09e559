package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/image-mcp/image-mcp/internal/fakecentral"
)

// runDoctor runs `image-mcp doctor` in the tests' clean environment.
func runDoctor(t *testing.T, noPod bool, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"doctor"}, args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + workDir, "XDG_RUNTIME_DIR=" + filepath.Join(workDir, "no-runtime-dir")}
	if !noPod {
		cmd.Env = append(cmd.Env, "CONTAINER_HOST=unix://"+podmanSock)
	}
	cmd.Env = append(cmd.Env, env...)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	code := 0
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), code
}

func TestDoctor(t *testing.T) {
	needPodman(t)
	fc := StartFakeCentral(t, FakeCentralOptions{})
	for _, c := range append(doctorPodmanCases(t, fc), doctorCentralCases(fc)...) {
		t.Run(c.name, func(t *testing.T) {
			out, code := runDoctor(t, c.noPod, c.env, c.args...)
			if code != c.wantCode {
				t.Fatalf("exit code %d, want %d:\n%s", code, c.wantCode, out)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Fatalf("report lacks %q:\n%s", w, out)
				}
			}
			for _, w := range c.not {
				if strings.Contains(out, w) {
					t.Fatalf("report has %q:\n%s", w, out)
				}
			}
		})
	}
}

// doctorCase is one doctor run: its environment, exit code, what the report must and
// must not say.
type doctorCase struct {
	name     string
	noPod    bool
	env      []string
	args     []string
	wantCode int
	want     []string
	not      []string
}

// doctorCentralEnv points doctor at the fake Central with a token.
func doctorCentralEnv(fc *FakeCentral, token string, extra ...string) []string {
	return append([]string{"ROX_ENDPOINT=" + fc.Addr, "ROX_API_TOKEN=" + token}, extra...)
}

// doctorPodmanCases: a healthy machine (with a read-only token too), and the ways Podman
// is missing.
func doctorPodmanCases(t *testing.T, fc *FakeCentral) []doctorCase {
	ca := fc.CAFile
	central := func(token string, extra ...string) []string { return doctorCentralEnv(fc, token, extra...) }
	emptyPath := t.TempDir()
	return []doctorCase{
		{"healthy", false, central(adminToken, "ROX_CA_CERT_FILE="+ca), nil, 0, []string{
			"[ok]   found unix://" + podmanSock + " (from CONTAINER_HOST)",
			"[ok]   reachable: libpod API " + podmanVer + " (image-mcp needs ≥ 4.0.0)",
			", rootful, storage " + workDir, // the test service runs as root
			// Each CI lane's Podman must be one of the releases doctor (and the README) name.
			"CI tests image-mcp against Podman 4.3.x and 5.8.x; this one is " + podmanVer,
			"tools that need more than Podman 4.0.0: build-image-from-host (≥ 5.7.0), load-image-from-host (≥ 5.7.0), resolve-image-short-name (≥ 5.0.0)",
			"[ok]   connected over TLS, certificate verified",
			"[ok]   token accepted (image-mcp-ci, expires " + fakecentral.TokenExpires + ")",
			fmt.Sprintf("[ok]   Image read permission: yes (GET /v1/imagescount answered %d image(s))", fc.ImageCount()),
			"[ok]   Image write permission: yes",
			"No problems",
		}, []string{"[FAIL]"}},
		{"healthy without Central", false, nil, nil, 0, []string{"[ok]   reachable", "not configured: the StackRox tools are off"}, []string{"[FAIL]"}},
		{"read-only role is a warning", false, central(readToken, "ROX_CA_CERT_FILE="+ca), nil, 0, []string{
			"[ok]   Image read permission: yes", "[warn] Image write permission: no", "fix: use a token whose role has Image write", "No problems; 1 warning(s)",
		}, nil},
		{"no Podman, autostart off", true, nil, []string{"--no-autostart"}, 1, []string{
			"looked at, in order: unix://" + workDir + "/no-runtime-dir/podman/podman.sock",
			"[FAIL] no Podman service found, and autostart is off",
			"fix: start Podman's API socket: `systemctl --user enable --now podman.socket`",
			"1 problem(s)",
		}, nil},
		{"no Podman installed", true, []string{"PATH=" + emptyPath}, nil, 1, []string{
			"[FAIL] no Podman service found: podman is not installed (not on PATH)",
			"fix: start Podman's API socket",
		}, nil},
		{"Podman not answering", true, []string{"CONTAINER_HOST=unix://" + workDir + "/nothing.sock"}, nil, 1, []string{
			"[ok]   found unix://" + workDir + "/nothing.sock (from CONTAINER_HOST)",
			"[FAIL] cannot reach the Podman service at unix://" + workDir + "/nothing.sock",
		}, nil},
	}
}

// doctorCentralCases: what doctor says of each way a setting, Central, its token or its
// TLS is wrong.
func doctorCentralCases(fc *FakeCentral) []doctorCase {
	ca := fc.CAFile
	central := func(token string, extra ...string) []string { return doctorCentralEnv(fc, token, extra...) }
	return []doctorCase{
		{"bad boolean setting", false, central(adminToken, "ROX_CA_CERT_FILE="+ca, "ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY=yes please"), nil, 1, []string{
			"[FAIL] ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY", "fix: correct the setting",
		}, nil},
		{"bad token", false, central("expired-or-wrong", "ROX_CA_CERT_FILE="+ca), nil, 1, []string{
			"[ok]   connected over TLS",
			"[FAIL] Central rejected the API token: credentials not found: token-based: cannot extract identity: token validation failed (HTTP 401)",
			"fix: create an API token in Central",
		}, []string{"expired-or-wrong"}},
		{"no Image read", false, central(noneToken, "ROX_CA_CERT_FILE="+ca), nil, 1, []string{
			"[FAIL] the token's role may not read images: not authorized: \"READ_ACCESS\" for \"Image\" (HTTP 403)",
			"fix: give the token a role with Image read access",
		}, nil},
		{"untrusted certificate", false, central(adminToken), nil, 1, []string{
			"[FAIL] TLS: Central's certificate is not trusted",
			"fix: give the CA that signed Central's certificate with ROX_CA_CERT_FILE",
		}, []string{"token accepted"}},
		{"certificate for another name", false, central(adminToken, "ROX_CA_CERT_FILE="+ca, "ROX_SERVER_NAME=central.wrong.example"), nil, 1, []string{
			"[FAIL] TLS: Central's certificate is not for this name", "fix: use the name the certificate is for in ROX_ENDPOINT, or set ROX_SERVER_NAME",
		}, nil},
		{"verification off is a warning", false, central(adminToken, "ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY=true"), nil, 0, []string{
			"[warn] TLS certificate verification is off", "connected over TLS (not verified)", "[ok]   token accepted",
		}, nil},
		{"Central not listening", false, []string{"ROX_ENDPOINT=127.0.0.1:1", "ROX_API_TOKEN=" + adminToken}, nil, 1, []string{
			"[FAIL] cannot reach Central at 127.0.0.1:1", "fix: check ROX_ENDPOINT",
		}, nil},
		{"token without endpoint: roxctl's default, as the server does", false, []string{"ROX_API_TOKEN=" + adminToken}, nil, 1, []string{
			"[ok]   endpoint localhost:8443", "Central at localhost:8443",
		}, []string{"not configured"}},
	}
}

// With no socket, doctor tries what the server would do: start a service itself.
func TestDoctorAutostart(t *testing.T) {
	needPodman(t)
	dir, err := os.MkdirTemp(workDir, "ds")
	if err != nil {
		t.Fatal(err)
	}
	out, code := runDoctor(t, true, isolatedPodmanEnv(t, dir))
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	for _, w := range []string{"the server would start `podman system service` itself", "[ok]   reachable: libpod API", "[warn] the Podman service runs only while image-mcp runs"} {
		if !strings.Contains(out, w) {
			t.Fatalf("report lacks %q:\n%s", w, out)
		}
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "xdg", "image-mcp")); len(entries) != 0 {
		t.Fatalf("doctor left %v behind", entries)
	}
}
