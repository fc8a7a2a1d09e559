package httpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/internal/redact"
	"github.com/image-mcp/image-mcp/upstream"
)

// notes is an extra capability whose base URI and key come from the environment through
// its binds, as e2e/testdata/notes.yaml's do.
func notes() *capabilities.Capability {
	return &capabilities.Capability{File: "notes.yaml", BaseURI: "{{env.NOTES_URL}}/api",
		Auth:  &capabilities.Authentication{Type: "apikey", Key: "X-Api-Key", Value: "{{ env.NOTES_KEY }}", Placement: "header"},
		Binds: map[string]string{"NOTES_KEY": "NOTES_TEST_TOKEN"}}
}

// The environment fills the templates through getenv (a bound name reads its variable);
// the key travels in its header and is kept as a secret; the client is made once.
func TestConnect(t *testing.T) {
	var got *http.Request
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r }))
	defer api.Close()
	env := map[string]string{"NOTES_URL": api.URL, "NOTES_TEST_TOKEN": "notes-secret-key"}
	red := &redact.Set{}
	k := NewKind(func(name string) string { return env[name] }, red)
	cp := notes()
	c, err := k.Connect(cp)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(context.Background(), &upstream.Request{Method: "GET", Path: "/v1/notes"})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got.URL.Path != "/api/v1/notes" || got.Header.Get("X-Api-Key") != "notes-secret-key" {
		t.Fatalf("sent %s with key %q", got.URL.Path, got.Header.Get("X-Api-Key"))
	}
	if red.String("notes-secret-key") == "notes-secret-key" {
		t.Fatal("the key is not kept as a secret")
	}
	env["NOTES_URL"] = "http://elsewhere.invalid"
	if again, _ := k.Connect(cp); again != c {
		t.Fatal("a second Connect made another client")
	}
}

// What is missing or wrong names the variable or the setting, and the error stays.
func TestConnectErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		edit func(*capabilities.Capability)
		want string
	}{
		{"no key", map[string]string{"NOTES_URL": "http://h"}, nil, "notes.yaml needs the environment variable NOTES_TEST_TOKEN (its authentication value)"},
		{"empty key", map[string]string{"NOTES_URL": "http://h", "NOTES_TEST_TOKEN": ""}, nil, "needs the environment variable NOTES_TEST_TOKEN"},
		{"no URL", map[string]string{"NOTES_TEST_TOKEN": "k"}, nil, "notes.yaml needs the environment variable NOTES_URL (its baseUri)"},
		{"placement", map[string]string{"NOTES_URL": "http://h", "NOTES_TEST_TOKEN": "k"}, func(c *capabilities.Capability) { c.Auth.Placement = "query" },
			`notes.yaml: authentication placement "query" is not supported (want header)`},
		{"not a URL", map[string]string{"NOTES_URL": "ftp://h", "NOTES_TEST_TOKEN": "k"}, nil, `base URI "ftp://h/api": want http(s)://host[:port][/path]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cp := notes()
			if tc.edit != nil {
				tc.edit(cp)
			}
			k := NewKind(func(name string) string { return tc.env[name] }, nil)
			for range 2 {
				if c, err := k.Connect(cp); c != nil || err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("Connect: %v, %v; want %q", c, err, tc.want)
				}
			}
		})
	}
}
