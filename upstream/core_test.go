package upstream

import (
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEncodeQuery(t *testing.T) {
	cases := []struct {
		in   url.Values
		want string
	}{
		{url.Values{"query": {"Image:nginx+Fixable:true"}}, "query=Image%3Anginx%2BFixable%3Atrue"},
		{url.Values{"term": {"a b"}}, "term=a%20b"},
		{url.Values{"term": {"a+b c"}}, "term=a%2Bb%20c"},
		{url.Values{"images": {"a", "b"}, "force": {"true"}}, "force=true&images=a&images=b"},
		{url.Values{"pagination.limit": {"5"}}, "pagination.limit=5"},
		{url.Values{"filters": {`{"dangling":["true"]}`}}, "filters=%7B%22dangling%22%3A%5B%22true%22%5D%7D"},
		{url.Values{}, ""},
	}
	for _, tc := range cases {
		got := EncodeQuery(tc.in)
		if got != tc.want {
			t.Errorf("EncodeQuery(%v) = %q, want %q", tc.in, got, tc.want)
		}
		// Whatever the server's decoder, it reads back the same values.
		back, err := url.ParseQuery(got)
		if err != nil || back.Encode() != tc.in.Encode() {
			t.Errorf("%q decodes to %v (%v)", got, back, err)
		}
	}
}

// Socket discovery: --podman-url, then CONTAINER_HOST, then the first socket that exists of
// $XDG_RUNTIME_DIR/podman/podman.sock, /run/user/<uid>/podman/podman.sock, /run/podman/podman.sock.
func TestDiscoverPodman(t *testing.T) {
	dir := t.TempDir()
	xdg := filepath.Join(dir, "xdg")
	os.MkdirAll(filepath.Join(xdg, "podman"), 0o755)
	sock := filepath.Join(xdg, "podman", "podman.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	notSock := filepath.Join(dir, "file")
	os.MkdirAll(filepath.Join(notSock, "podman"), 0o755)
	os.WriteFile(filepath.Join(notSock, "podman", "podman.sock"), nil, 0o600)
	const uid = 1 << 30 // no /run/user/<uid> on any machine

	cases := []struct {
		name   string
		env    PodmanEnv
		url    string
		source string
		tried  int
	}{
		{"flag wins", PodmanEnv{Flag: "unix:///a.sock", ContainerHost: "unix:///b.sock", XDGRuntimeDir: xdg}, "unix:///a.sock", "--podman-url", 1},
		{"CONTAINER_HOST next", PodmanEnv{ContainerHost: "tcp://127.0.0.1:1", XDGRuntimeDir: xdg}, "tcp://127.0.0.1:1", "CONTAINER_HOST", 1},
		{"XDG_RUNTIME_DIR socket", PodmanEnv{XDGRuntimeDir: xdg, UID: uid}, "unix://" + sock, "default", 1},
		{"a file is not a socket", PodmanEnv{XDGRuntimeDir: notSock, UID: uid}, "", "default", 3},
	}
	for _, tc := range cases {
		ep := DiscoverPodman(tc.env)
		if tc.name == "a file is not a socket" {
			if _, err := os.Stat("/run/podman/podman.sock"); err == nil {
				tc.url = "unix:///run/podman/podman.sock" // this machine runs a rootful Podman
			}
		}
		if ep.URL != tc.url || ep.Source != tc.source || len(ep.Tried) != tc.tried {
			t.Errorf("%s: %+v, want url %q source %q, %d tried", tc.name, ep, tc.url, tc.source, tc.tried)
		}
	}
	ep := DiscoverPodman(PodmanEnv{XDGRuntimeDir: notSock, UID: uid})
	if ep.URL == "" {
		msg := (&NotReachableError{Endpoint: ep}).Error()
		for _, w := range []string{"no Podman service found", filepath.Join(notSock, "podman", "podman.sock"), "/run/podman/podman.sock",
			"podman system service", "systemctl --user enable --now podman.socket", "--podman-url", "CONTAINER_HOST"} {
			if !strings.Contains(msg, w) {
				t.Errorf("message lacks %q: %s", w, msg)
			}
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
		c := NewPodmanClient(PodmanEndpoint{URL: tc.url, Source: "--podman-url", Tried: []string{tc.url}})
		err := c.usable()
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: %v, want %q", tc.url, err, tc.err)
		}
	}
}
