package podman

import (
	"strings"
	"testing"
)

// Paths handed to a Podman service name this machine's files only when it runs here.
func TestPodmanRemote(t *testing.T) {
	for _, tc := range []struct {
		url    string
		remote bool
	}{
		{"unix:///run/podman/podman.sock", false},
		{"", false}, // autostart: a service started here
		{"tcp://localhost:8080", false},
		{"tcp://127.0.0.1:8080", false},
		{"tcp://[::1]:8080", false},
		{"tcp://build.example.com:8080", true},
		{"tcp://10.0.0.5:8080", true},
		{"ssh://core@localhost/run/podman/podman.sock", true},
	} {
		if got := NewClient(Endpoint{URL: tc.url}).Remote(); got != tc.remote {
			t.Errorf("%q: Remote() = %v, want %v", tc.url, got, tc.remote)
		}
	}
}

func TestPodmanURLSchemes(t *testing.T) {
	for _, tc := range []struct{ url, err string }{
		{"unix:///run/x.sock", ""},
		{"tcp://127.0.0.1:8080", ""},
		{"http://127.0.0.1:8080", `unsupported Podman URL scheme "http"`},
		{"unix://%zz", "invalid Podman URL"},
	} {
		c := NewClient(Endpoint{URL: tc.url, Source: "--podman-url", Tried: []string{tc.url}})
		err := c.usable()
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: %v, want %q", tc.url, err, tc.err)
		}
	}
}
