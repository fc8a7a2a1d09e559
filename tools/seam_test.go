package tools

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/image-mcp/image-mcp/internal/redact"
	"github.com/image-mcp/image-mcp/upstream"
)

// The engine meets an upstream kind only through the interfaces of package upstream: at
// each step it asks the client for the step's interface, and without it does the generic
// thing or says plainly what it cannot do. These tests use clients made for them.

// stepClient is an upstream of an http.Handler with the steps the test gives it.
type stepClient struct {
	*handlerUpstream
	check   func(upstream.Call) error
	prepare func(upstream.Call, *upstream.Request) (upstream.Prepared, error)
}

type checking struct{ *stepClient }

func (c checking) Check(_ context.Context, call upstream.Call) error { return c.check(call) }

type preparing struct{ *stepClient }

func (c preparing) Prepare(_ context.Context, call upstream.Call, req *upstream.Request) (upstream.Prepared, error) {
	return c.prepare(call, req)
}

type describing struct{ *stepClient }

func (c describing) DescribeFile(r io.Reader) map[string]any {
	b, _ := io.ReadAll(r)
	return map[string]any{"seen": string(b)}
}

// creds is a Prepared that sent a secret and knows what a refusal of it means.
type creds struct{ secret string }

func (c creds) Secrets() []string { return []string{c.secret} }
func (c creds) String() string    { return "a token" }
func (c creds) Finish(failure string) string {
	if !strings.Contains(failure, "denied") {
		return failure
	}
	return failure + "\n\nThe token was refused: get a new one."
}

func answering(code int, body string) *handlerUpstream {
	return &handlerUpstream{h: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(code)
		io.WriteString(w, body)
	})}
}

// A kind's check refuses before anything is sent; its error's text is the result's.
func TestSeamCheck(t *testing.T) {
	inspect := specTool(t, "inspect-image")
	up := answering(200, `{}`)
	client := checking{&stepClient{handlerUpstream: up, check: func(call upstream.Call) error {
		if v, _ := call.Arg("name"); v != "bad" || call.Tool() != inspect {
			return nil
		}
		return errors.New("inspect-image: argument \"name\": the upstream will not take it. Nothing was sent.")
	}}}
	e := New(Config{Tools: toolsOf(inspect), Kinds: kindsAnswering(fixedKind{client: client}), Log: zerolog.Nop()})
	res := callTool(t, e, inspect, callRequest(inspect, `{"name":"bad"}`, false, "", ""))
	if !res.IsError || resultText(res) != "inspect-image: argument \"name\": the upstream will not take it. Nothing was sent." || len(up.requests()) != 0 {
		t.Fatalf("refused by the kind: %v %q, upstream got %v", res.IsError, resultText(res), up.requests())
	}
	if res := callTool(t, e, inspect, callRequest(inspect, `{"name":"good"}`, false, "", "")); res.IsError || len(up.requests()) != 1 {
		t.Fatalf("let through by the kind: %s, upstream got %v", resultText(res), up.requests())
	}
}

// What a kind adds to a request is sent, its secrets are masked before anything is sent,
// and a failure of the call is finished by it; a success is not, nor a refusal of the
// request itself, whose text is the result's.
func TestSeamPrepare(t *testing.T) {
	inspect := specTool(t, "inspect-image")
	const secret = "s3cret-token-value"
	for _, tc := range []struct {
		name       string
		up         *handlerUpstream
		prepareErr error
		isError    bool
		want       string
	}{
		{name: "success", up: answering(200, `{"Id":"sha256:1"}`), want: `{"Id":"sha256:1"}`},
		{name: "refused", up: answering(500, `{"message":"access denied"}`), isError: true,
			want: "Podman answered HTTP 500 Internal Server Error: access denied\n\nThe token was refused: get a new one."},
		{name: "other failure", up: answering(500, `{"message":"disk full"}`), isError: true, want: "disk full"},
		{name: "cannot prepare", up: answering(200, `{}`), prepareErr: errors.New("inspect-image: no token file. Nothing was sent."), isError: true,
			want: "inspect-image: no token file. Nothing was sent."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sent string
			tc.up.h = headerOf(&sent, tc.up.h)
			client := preparing{&stepClient{handlerUpstream: tc.up, prepare: func(_ upstream.Call, req *upstream.Request) (upstream.Prepared, error) {
				if tc.prepareErr != nil {
					return nil, tc.prepareErr
				}
				req.Header.Set("X-Token", secret)
				return creds{secret}, nil
			}}}
			red := &redact.Set{}
			e := New(Config{Tools: toolsOf(inspect), Kinds: kindsAnswering(fixedKind{client: client}), Log: zerolog.Nop(), Redact: red})
			res := callTool(t, e, inspect, callRequest(inspect, `{"name":"x"}`, false, "", ""))
			text := resultText(res)
			if res.IsError != tc.isError || !strings.HasSuffix(text, tc.want) || strings.Count(text, "get a new one") > 1 {
				t.Fatalf("isError %v %q, want %v …%q", res.IsError, text, tc.isError, tc.want)
			}
			if tc.prepareErr != nil {
				if len(tc.up.requests()) != 0 {
					t.Fatalf("sent after a refusal to prepare: %v", tc.up.requests())
				}
				return
			}
			if sent != secret || red.String(secret) == secret {
				t.Fatalf("X-Token sent %q; masked: %q", sent, red.String(secret))
			}
		})
	}
}

// headerOf records the X-Token a request carried.
func headerOf(sent *string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*sent = r.Header.Get("X-Token")
		h.ServeHTTP(w, r)
	})
}

// A step the kind does not implement: a file answer is described by path and size
// alone, and what only a kind can do is refused with a clear error, nothing sent or
// left behind.
func TestSeamWithoutTheStep(t *testing.T) {
	export, pull, build := specTool(t, "export-image"), specTool(t, "pull-images"), specTool(t, "build-image")
	dir := t.TempDir()
	out := filepath.Join(dir, "x.tar")
	for _, tc := range []struct {
		name    string
		client  upstream.Client
		tool    string
		args    string
		isError bool
		want    string
	}{
		{name: "file, described", client: describing{&stepClient{handlerUpstream: answering(200, "tar bytes")}}, tool: "export-image",
			args: `{"name":"x","output":"` + out + `","overwrite":true}`, want: fmt.Sprintf(`{"bytes":9,"path":%q,"seen":"tar bytes"}`, out)},
		{name: "file, not described", client: answering(200, "tar bytes"), tool: "export-image",
			args: `{"name":"x","output":"` + out + `","overwrite":true}`, want: fmt.Sprintf(`{"bytes":9,"path":%q}`, out)},
		{name: "stream, no reader", client: answering(200, `{"stream":"x"}`), tool: "pull-images", args: `{"reference":"x"}`, isError: true,
			want: "pull-images: Podman answered a stream (response ndjson), which image-mcp reads only from an upstream that knows its lines."},
		{name: "directory, no packer", client: answering(200, `{}`), tool: "build-image", args: `{"context":"` + dir + `"}`, isError: true,
			want: `build-image: argument "context": Podman takes no directory: only an upstream that packs one (Podman's build context) does. Nothing was sent.`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tl := specTool(t, tc.tool)
			e := New(Config{Tools: toolsOf(export, pull, build), Kinds: kindsAnswering(fixedKind{client: tc.client}), Log: zerolog.Nop()})
			res := callTool(t, e, tl, callRequest(tl, tc.args, false, "", ""))
			if res.IsError != tc.isError || resultText(res) != tc.want {
				t.Fatalf("isError %v %q, want %v %q", res.IsError, resultText(res), tc.isError, tc.want)
			}
		})
	}
}
