package podman

import (
	"strings"
	"testing"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/internal/allowdirs"
	"github.com/image-mcp/image-mcp/upstream"
)

// testCall is an upstream.Call of a tool with its checked arguments, under allowed
// directories (none: any path).
type testCall struct {
	tool    *capabilities.Tool
	args    map[string]any
	allowed allowdirs.Dirs
}

func (c testCall) Tool() *capabilities.Tool { return c.tool }

func (c testCall) Arg(name string) (any, bool) {
	v, ok := c.args[name]
	return v, ok
}

func (c testCall) Given(name string) bool {
	switch v := c.args[name].(type) {
	case nil:
		return false
	case string:
		return strings.TrimSpace(v) != ""
	case []any:
		return len(v) > 0
	case bool:
		return v
	}
	return true
}

func (c testCall) Allowed() (allowdirs.Dirs, error) { return c.allowed, nil }

// Podman's client implements the steps that need Podman's knowledge.
var _ interface {
	upstream.Client
	upstream.Versioned
	upstream.Checker
	upstream.Preparer
	upstream.StreamReader
	upstream.FileDescriber
} = (*Client)(nil)

// A registry's refusal gets the hint of the credentials sent: where they came from and
// how to give others; any other failure passes as it is.
func TestRegistryCredsFinish(t *testing.T) {
	searched := []string{"/run/user/1000/containers/auth.json", "/home/u/.docker/config.json"}
	for _, tc := range []struct {
		name    string
		rc      registryCreds
		failure string
		want    string // "" when the failure passes as it is
	}{
		{"not a refusal", registryCreds{header: "X-Registry-Auth", registry: "quay.io"}, "push failed: connection refused", ""},
		{"no credentials found", registryCreds{header: "X-Registry-Auth", registry: "quay.io", searched: searched},
			"push failed: unauthorized: access to the requested resource is not authorized",
			"No credentials for quay.io were found (looked in " + strings.Join(searched, ", ") + "). Pass X-Registry-Auth"},
		{"from a file, Podman 5's wording", registryCreds{header: "X-Registry-Auth", registry: "quay.io", source: "/a.json"},
			"pull failed: authentication required", "The registry quay.io refused the credentials for it in /a.json; log in again with `podman login quay.io`"},
		{"given, short name", registryCreds{header: "X-Registry-Auth", registry: "docker.io", shortName: true, source: "argument"},
			"pull failed: unauthorized", "A registry refused the credentials given in X-Registry-Auth"},
		{"a build, none found", registryCreds{header: "X-Registry-Config", searched: searched},
			"build-image failed: 401 Unauthorized: auth required", "No registry credentials were found (looked in "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.rc.Finish(tc.failure)
			switch {
			case tc.want == "" && got != tc.failure:
				t.Fatalf("Finish changed a failure that is no refusal: %q", got)
			case tc.want != "" && (!strings.HasPrefix(got, tc.failure+"\n\n") || !strings.Contains(got, tc.want)):
				t.Fatalf("Finish(%q) = %q, want the failure, then %q", tc.failure, got, tc.want)
			}
			if strings.Contains(tc.rc.String(), "pw") {
				t.Fatalf("String shows a secret: %q", tc.rc.String())
			}
		})
	}
}

// The Podman capability binds PODMAN_API_KEY but declares no authentication: nothing
// needs that variable, and Podman's kind never reads binds.
func TestKindNeedsNoBinds(t *testing.T) {
	caps := capabilities.Embedded()
	for _, cp := range caps {
		if cp.Upstream != capabilities.UpstreamPodman {
			continue
		}
		if _, bound := cp.Binds["PODMAN_API_KEY"]; !bound || cp.Auth != nil {
			t.Fatalf("podman capability: binds %v auth %+v; the seed binds PODMAN_API_KEY and declares no authentication", cp.Binds, cp.Auth)
		}
		c := NewClient(Endpoint{})
		if got, err := NewKind(func() *Client { return c }).Connect(cp); err != nil || got != upstream.Client(c) {
			t.Fatalf("Connect needs something for Podman: %v, %v", got, err)
		}
	}
}
