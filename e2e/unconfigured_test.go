package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// systemPodmanSocket is a Podman socket at a default place of this machine, if any: the
// server would find it, so "no Podman anywhere" cannot be staged here.
func systemPodmanSocket() string {
	for _, p := range []string{filepath.Join("/run/user", itoa(os.Getuid()), "podman/podman.sock"), "/run/podman/podman.sock"} {
		if fi, err := os.Stat(p); err == nil && fi.Mode()&os.ModeSocket != 0 {
			return p
		}
	}
	return ""
}

func itoa(n int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		if n /= 10; n == 0 {
			return string(b)
		}
	}
}

// No Podman at start is not fatal: the server starts, lists its tools, and a Podman call
// says where it looked and how to start one.
func TestNoPodman(t *testing.T) {
	howTo := []string{"podman system service", "systemctl --user enable --now podman.socket", "--podman-url", "CONTAINER_HOST"}
	missing := filepath.Join(workDir, "no-podman-here.sock")
	cases := []struct {
		name string
		opts ServerOptions
		want []string
	}{
		{"socket configured but nobody listens", ServerOptions{NoPod: true, Env: []string{"CONTAINER_HOST=unix://" + missing}},
			[]string{"cannot reach the Podman service at unix://" + missing + " (from CONTAINER_HOST)"}},
		{"--podman-url with a bad scheme", ServerOptions{NoPod: true, Args: []string{"--podman-url", "http://127.0.0.1:1"}},
			[]string{`unsupported Podman URL scheme "http"`}},
	}
	if sys := systemPodmanSocket(); sys == "" {
		cases = append(cases, struct {
			name string
			opts ServerOptions
			want []string
		}{"no socket anywhere, autostart off", ServerOptions{NoPod: true, Args: []string{"--no-autostart"}},
			[]string{"no Podman service found", "Looked at: unix://" + filepath.Join(workDir, "no-runtime-dir", "podman/podman.sock"), "/run/podman/podman.sock"}}, struct {
			name string
			opts ServerOptions
			want []string
		}{"no socket anywhere, no podman binary to autostart", ServerOptions{NoPod: true, Env: []string{"PATH=" + filepath.Join(workDir, "empty-path")}},
			[]string{"no Podman service found", "/run/podman/podman.sock"}})
	} else {
		t.Logf("this machine has a Podman socket at %s; the server would find it, so only configured-but-missing sockets are tested", sys)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := StartServer(t, tc.opts)
			sameToolNames(t, "tools/list without Podman", toolNames(listTools(t, s)))
			for tool, args := range map[string]map[string]any{
				"list-images":   nil,
				"inspect-image": {"name": "x"},
				"image-exists":  {"name": "x"},
				"tag-image":     {"name": "x", "repo": "localhost/y"},
			} {
				s.MustFail(t, tool, args, append(append([]string{tool + ":"}, tc.want...), howTo...)...)
			}
			// StackRox tools are independent of Podman: they still answer their own error.
			s.MustFail(t, "listimages-returns-all-images", nil, "ROX_ENDPOINT")
			if !strings.Contains(s.StderrText(), "serving MCP on stdio") {
				t.Errorf("no start log on stderr:\n%s", s.StderrText())
			}
		})
	}
}

// The StackRox tools with no Central configured say which variables to set.
func TestStackRoxNotConfigured(t *testing.T) {
	s := StartServer(t, ServerOptions{})
	calls := map[string]map[string]any{
		"stackrox-list-images":       nil,
		"stackrox-count-images":      {"query": "Image:nginx"},
		"stackrox-get-image":         {"id": "sha256:abc"},
		"stackrox-scan-image":        {"body": map[string]any{"imageName": "quay.io/x/y:1"}},
		"stackrox-delete-images":     {"query.query": "Image:x"},
		"stackrox-invalidate-caches": nil,
	}
	for tool, args := range calls {
		s.MustFail(t, tool, args, tool+":", "no StackRox Central is configured", "ROX_ENDPOINT", "ROX_API_TOKEN")
	}
	// Bad arguments are still named first.
	s.MustFail(t, "getimage-returns-image-given-its", nil, `missing required argument "id"`)

	// An endpoint without a token names the token variables.
	s2 := StartServer(t, ServerOptions{Env: []string{"ROX_ENDPOINT=central.invalid:443"}})
	s2.MustFail(t, "listimages-returns-all-images", nil, "ROX_API_TOKEN", "ROX_API_TOKEN_FILE")
	if !strings.Contains(s2.StderrText(), "ROX_API_TOKEN") {
		t.Errorf("the wrong StackRox settings are not logged at start:\n%s", s2.StderrText())
	}
}
