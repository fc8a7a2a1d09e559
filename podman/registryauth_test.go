package podman

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/upstream"
)

func TestSplitReference(t *testing.T) {
	for _, c := range []struct{ ref, host, repo string }{
		{"127.0.0.1:5000/app:1", "127.0.0.1:5000", "app"},
		{"127.0.0.1:5000/ns/app", "127.0.0.1:5000", "ns/app"},
		{"docker://quay.io/ns/app@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "quay.io", "ns/app"},
		{"localhost/app:1", "localhost", "app"},
		{"busybox", "docker.io", "library/busybox"},
		{"user/app:2", "docker.io", "user/app"},
		{"", "", ""},
	} {
		if h, r := splitReference(c.ref); h != c.host || r != c.repo {
			t.Errorf("splitReference(%q) = %q, %q; want %q, %q", c.ref, h, r, c.host, c.repo)
		}
	}
	if got := authKeys("quay.io/a/b/c:1"); !slices.Equal(got, []string{"quay.io/a/b/c", "quay.io/a/b", "quay.io/a", "quay.io"}) {
		t.Errorf("authKeys = %v", got)
	}
	if got := normalizeAuthKey("https://index.docker.io/v1/"); got != "docker.io" {
		t.Errorf("normalizeAuthKey = %q", got)
	}
}

// The most specific entry of the first file that has one wins; Docker's config counts.
func TestLookupAuthFiles(t *testing.T) {
	home := t.TempDir()
	files := authFiles(Env{Home: home, XDGRuntimeDir: filepath.Join(home, "run"), RegistryAuthFile: filepath.Join(home, "explicit.json")})
	write := func(path string, auths map[string]string) {
		m := map[string]any{}
		for k, up := range auths {
			m[k] = map[string]string{"auth": base64.StdEncoding.EncodeToString([]byte(up))}
		}
		b, _ := json.Marshal(map[string]any{"auths": m})
		os.MkdirAll(filepath.Dir(path), 0o700)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(home, ".config/containers/auth.json"), map[string]string{"quay.io": "host:pw1", "quay.io/team": "team:pw2"})
	write(filepath.Join(home, ".docker/config.json"), map[string]string{"https://index.docker.io/v1/": "hub:pw3"})

	for _, c := range []struct{ ref, user, file string }{
		{"quay.io/other/x:1", "host", ".config/containers/auth.json"},
		{"quay.io/team/x:1", "team", ".config/containers/auth.json"},
		{"busybox:latest", "hub", ".docker/config.json"},
		{"ghcr.io/x/y", "", ""},
	} {
		ac, file, searched, err := lookupAuthFiles(files, c.ref)
		if err != nil {
			t.Fatal(err)
		}
		if c.user == "" {
			if len(searched) != 4 {
				t.Errorf("searched %v, want the 4 files", searched)
			}
			if ac != nil {
				t.Errorf("%s: got credentials %q, want none", c.ref, ac.Username)
			}
			continue
		}
		if ac == nil || ac.Username != c.user || file != filepath.Join(home, c.file) {
			t.Errorf("%s: got %+v from %s, want user %s from %s", c.ref, ac, file, c.user, c.file)
		}
	}

	os.WriteFile(filepath.Join(home, "explicit.json"), []byte("{not json: hunter2"), 0o600)
	if _, _, _, err := lookupAuthFiles(files, "quay.io/x"); err == nil || !strings.Contains(err.Error(), "explicit.json") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("a broken auth file: %v", err)
	}
}

// Pull and push send the auth files as Podman's remote client does: base64url of a map,
// each registry its own entry and no default, whatever the reference (a short name too,
// which Podman may resolve to any registry); given JSON is encoded; every secret is
// reported for masking.
func TestApplyRegistryAuth(t *testing.T) {
	home := t.TempDir()
	files := authFiles(Env{Home: home, RegistryAuthFile: filepath.Join(home, "a.json")})
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	os.WriteFile(filepath.Join(home, "a.json"), []byte(`{"auths":{"reg.test:5000":{"auth":"`+b64("u:p?>s/w~rd")+`"},`+
		`"https://index.docker.io/v1/":{"auth":"`+b64("duser:docker-pw")+`"}}}`), 0o600)
	tool := &capabilities.Tool{Name: "push", Args: []*capabilities.Argument{
		{Name: "name", In: "path", Type: "string"}, {Name: "destination", In: "query", Type: "string"},
		{Name: "X-Registry-Auth", Wire: "X-Registry-Auth", In: "header", Type: "string"},
	}, RegistryAuth: &capabilities.RegistryAuthRule{Header: "X-Registry-Auth", Reference: []string{"destination", "name"}}}
	want := map[string]authConfig{"reg.test:5000": {Username: "u", Password: "p?>s/w~rd"}, "docker.io": {Username: "duser", Password: "docker-pw"}}

	for _, c := range []struct {
		ref, registry, source string
		short                 bool
	}{
		{"reg.test:5000/x:1", "reg.test:5000", filepath.Join(home, "a.json"), false},
		{"docker.io/library/centos", "docker.io", filepath.Join(home, "a.json"), false},
		{"centos", "docker.io", filepath.Join(home, "a.json"), true},
		{"team/app:1", "docker.io", filepath.Join(home, "a.json"), true},
		{"quay.io/x/y", "quay.io", "", false},
	} {
		req := &upstream.Request{Header: http.Header{}}
		rc, err := applyRegistryAuth(files, testCall{tool: tool, args: map[string]any{"name": "localhost/x:1", "destination": c.ref}}, req)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := base64.URLEncoding.DecodeString(req.Header.Get("X-Registry-Auth"))
		if err != nil {
			t.Fatalf("%s: header is not base64url: %v", c.ref, err)
		}
		var got map[string]authConfig
		if err := json.Unmarshal(raw, &got); err != nil || len(got) != len(want) || got["reg.test:5000"] != want["reg.test:5000"] || got["docker.io"] != want["docker.io"] {
			t.Fatalf("%s: header decodes to %s (%v), want each registry its own entry: %v", c.ref, raw, err, want)
		}
		if rc.registry != c.registry || rc.source != c.source || rc.shortName != c.short {
			t.Errorf("%s: registry %q source %q short %v; want %q %q %v", c.ref, rc.registry, rc.source, rc.shortName, c.registry, c.source, c.short)
		}
		for _, sec := range []string{"p?>s/w~rd", "u:p?>s/w~rd", "docker-pw", "duser:docker-pw", req.Header.Get("X-Registry-Auth")} {
			if !slices.Contains(rc.Secrets(), sec) {
				t.Errorf("%s: %q is not among the secrets to mask", c.ref, sec)
			}
		}
	}

	req := &upstream.Request{Header: http.Header{}}
	rc, err := applyRegistryAuth(files, testCall{tool: tool, args: map[string]any{"name": "reg.test:5000/x:1", "X-Registry-Auth": `{"username":"a","password":"given-pw"}`}}, req)
	if err != nil {
		t.Fatal(err)
	}
	if raw, _ := base64.URLEncoding.DecodeString(req.Header.Get("X-Registry-Auth")); string(raw) != `{"username":"a","password":"given-pw"}` {
		t.Fatalf("JSON argument sent as %q", req.Header.Get("X-Registry-Auth"))
	}
	if !slices.Contains(rc.Secrets(), "given-pw") || !slices.Contains(rc.Secrets(), "a:given-pw") {
		t.Errorf("the given password is not among the secrets: %v", rc.Secrets())
	}
}

// A build's X-Registry-Config carries every registry of the auth files, the first file
// winning for a registry in several; entries without credentials are left out; every
// value is reported for masking.
func TestApplyRegistryAuthAll(t *testing.T) {
	home := t.TempDir()
	files := authFiles(Env{Home: home, XDGRuntimeDir: filepath.Join(home, "run"), RegistryAuthFile: filepath.Join(home, "explicit.json")})
	write := func(path, doc string) {
		os.MkdirAll(filepath.Dir(path), 0o700)
		if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	write(filepath.Join(home, "explicit.json"), `{"auths": {"quay.io": {"auth": "`+b64("first:pw-first")+`"}, "helper.example": {}}}`)
	write(filepath.Join(home, ".docker/config.json"), `{"auths": {"quay.io": {"auth": "`+b64("second:pw-second")+`"}, "https://index.docker.io/v1/": {"auth": "`+b64("hub:pw-hub")+`"}}}`)

	tool := &capabilities.Tool{Name: "build", Args: []*capabilities.Argument{{Name: "X-Registry-Config", Wire: "X-Registry-Config", In: "header", Type: "string"}},
		RegistryAuth: &capabilities.RegistryAuthRule{Header: "X-Registry-Config", All: true}}
	req := &upstream.Request{Header: http.Header{}}
	rc, err := applyRegistryAuth(files, testCall{tool: tool}, req)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.URLEncoding.DecodeString(req.Header.Get("X-Registry-Config"))
	if err != nil {
		t.Fatalf("header is not base64url: %v", err)
	}
	var got map[string]authConfig
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]authConfig{"quay.io": {Username: "first", Password: "pw-first"}, "docker.io": {Username: "hub", Password: "pw-hub"}}
	if len(got) != len(want) || got["quay.io"] != want["quay.io"] || got["docker.io"] != want["docker.io"] {
		t.Fatalf("X-Registry-Config = %v, want %v", got, want)
	}
	for _, sec := range []string{"pw-first", "pw-hub", req.Header.Get("X-Registry-Config")} {
		if !slices.Contains(rc.Secrets(), sec) {
			t.Errorf("%q is not among the secrets to mask", sec)
		}
	}

	// Given as an argument (a map, in plain JSON), it is encoded and its passwords scrubbed.
	req = &upstream.Request{Header: http.Header{}}
	rc, err = applyRegistryAuth(files, testCall{tool: tool, args: map[string]any{"X-Registry-Config": `{"r.example": {"username": "u", "password": "pw-given"}}`}}, req)
	if err != nil {
		t.Fatal(err)
	}
	if dec, _ := base64.URLEncoding.DecodeString(req.Header.Get("X-Registry-Config")); !strings.Contains(string(dec), "pw-given") {
		t.Errorf("the given config was not sent: %q", dec)
	}
	if !slices.Contains(rc.Secrets(), "pw-given") {
		t.Error("a password in a given X-Registry-Config is not among the secrets to mask")
	}
}
