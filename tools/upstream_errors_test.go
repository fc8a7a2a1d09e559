package tools

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/image-mcp/image-mcp/upstream"
)

// versionedClient answers Version under the context it is given and keeps that context.
type versionedClient struct {
	version string
	asked   context.Context
}

func (c *versionedClient) Do(context.Context, *upstream.Request) (*http.Response, error) {
	panic("not sent")
}

func (c *versionedClient) Version(ctx context.Context) (string, error) {
	c.asked = ctx
	if err := ctx.Err(); err != nil {
		return "", err
	}
	return c.version, nil
}

type callKey struct{}

// A 405 without a JSON body is explained with the version of the call's own client,
// asked under the call's context with a bound; a call already ended gets no such text.
func TestUpstreamErrorVersionLookup(t *testing.T) {
	tl := specTool(t, "resolve-image-short-name")
	cancelled, cancel := context.WithCancel(context.WithValue(context.Background(), callKey{}, "call"))
	cancel()
	cases := []struct {
		name string
		ctx  context.Context
		want string // "" when the version is not named
	}{
		{"running call", context.WithValue(context.Background(), callKey{}, "call"), "The connected Podman (4.3.1) does not serve GET /libpod/images/{name}/resolve; a newer Podman does."},
		{"cancelled call", cancelled, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &versionedClient{version: "4.3.1"}
			resp := &http.Response{StatusCode: http.StatusMethodNotAllowed, Body: io.NopCloser(strings.NewReader("Method Not Allowed\n"))}
			call := New(Config{}).newCall(tc.ctx, nil, tl, Values{})
			call.client = c
			text := resultText(resultOf(call.upstreamError(&answer{Response: resp, ctx: tc.ctx})))
			if !strings.Contains(text, "Podman answered HTTP 405 Method Not Allowed: Method Not Allowed") {
				t.Errorf("no upstream status and message in %q", text)
			}
			if tc.want != "" && !strings.Contains(text, tc.want) {
				t.Errorf("no %q in %q", tc.want, text)
			}
			if tc.want == "" && strings.Contains(text, "does not serve") {
				t.Errorf("a cancelled call names a version: %q", text)
			}
			if c.asked == nil || c.asked.Value(callKey{}) != "call" {
				t.Fatal("the version was not asked under the call's context")
			}
			if _, ok := c.asked.Deadline(); !ok {
				t.Error("the version lookup has no bound")
			}
		})
	}
}
