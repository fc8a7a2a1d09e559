package tools

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/internal/upstreamhttp"
	"github.com/image-mcp/image-mcp/podman"
	"github.com/image-mcp/image-mcp/upstream"
)

// The helpers every test of the package shares: the built-in tools, an engine's
// upstreams, a call as a client sends it, and its result's text.

// embeddedTools are the tools of the built-in capabilities, as the server serves them.
func embeddedTools(tb testing.TB) []*capabilities.Tool {
	tb.Helper()
	caps := capabilities.Embedded()
	all, err := capabilities.AllTools(caps)
	if err != nil {
		tb.Fatal(err)
	}
	return all
}

var specTools = func() map[string]*capabilities.Tool {
	caps := capabilities.Embedded()
	m := map[string]*capabilities.Tool{}
	for _, c := range caps {
		for _, t := range c.Tools {
			m[t.Name] = t
		}
	}
	return m
}()

// specTool is a tool of the embedded specs, as the server serves it, by its listed
// name or its seed name.
func specTool(tb testing.TB, name string) *capabilities.Tool {
	tb.Helper()
	tl := specTools[name]
	for _, other := range specTools {
		if tl == nil && other.Seed == name {
			tl = other
		}
	}
	if tl == nil {
		tb.Fatalf("no tool %q in the embedded specs", name)
	}
	return tl
}

// toolAt is the tool of the embedded specs for an operation, by method and path.
func toolAt(tb testing.TB, method, path string) *capabilities.Tool {
	tb.Helper()
	for _, tl := range specTools {
		if tl.Method == method && tl.Path == path {
			return tl
		}
	}
	tb.Fatalf("no embedded tool for %s %s", method, path)
	return nil
}

// resultText is a result's text items, joined by line breaks.
func resultText(res *mcp.CallToolResult) string {
	if res == nil {
		return ""
	}
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// fixedKind connects every capability to one client, or answers err.
type fixedKind struct {
	client upstream.Client
	err    error
}

func (k fixedKind) Connect(*capabilities.Capability) (upstream.Client, error) {
	if k.err != nil {
		return nil, k.err
	}
	return k.client, nil
}

// kindsOf registers every upstream kind with one client, which reads streams as
// Podman's client does (the engine's tests call tools of every capability through it).
func kindsOf(c upstream.Client) upstream.Kinds {
	return kindsAnswering(fixedKind{client: podmanStreams{c}})
}

// podmanStreams is a client that reads progress streams with Podman's reader.
type podmanStreams struct{ upstream.Client }

func (podmanStreams) ReadStream(r io.Reader, line func(int, string)) (upstream.Stream, error) {
	return podman.NewClient(podman.Endpoint{}).ReadStream(r, line)
}

func kindsAnswering(k upstream.Kind) upstream.Kinds {
	return upstream.Kinds{capabilities.UpstreamPodman: k, capabilities.UpstreamCentral: k, capabilities.UpstreamHTTP: k}
}

// httpClient is a plain HTTP client of base (an httptest server's URL).
func httpClient(tb testing.TB, base string) upstream.Client {
	tb.Helper()
	c, err := upstreamhttp.New(base, http.Header{}, upstreamhttp.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// callRequest is a tools/call as a client sends it; one that can elicit (form) declares
// it, and with an answer it is the second round carrying the answer and the state of the
// first.
func callRequest(tl *capabilities.Tool, args string, elicit bool, answer, state string) *mcp.CallToolRequest {
	p := &mcp.CallToolParamsRaw{Name: tl.Name, Arguments: json.RawMessage(args)}
	if elicit {
		p.Meta = mcp.Meta{mcp.MetaKeyClientCapabilities: map[string]any{"elicitation": map[string]any{"form": map[string]any{}}}}
	}
	if answer != "" {
		p.InputResponses = mcp.InputResponseMap{"confirm": &mcp.ElicitResult{Action: answer}}
		p.RequestState = state
	}
	return &mcp.CallToolRequest{Params: p}
}

// callTool answers a tools/call of tl as the server does (the tool's handler).
func callTool(tb testing.TB, e *Engine, tl *capabilities.Tool, req *mcp.CallToolRequest) *mcp.CallToolResult {
	tb.Helper()
	res, err := e.handler(tl)(context.Background(), req)
	if err != nil || res == nil {
		tb.Fatalf("the handler answered %v, %v; a call's failure must be a result", res, err)
	}
	return res
}

// handlerUpstream is an upstream served in process by an http.Handler (no network, so it
// also works inside a synctest bubble); it records what reached it.
type handlerUpstream struct {
	h    http.Handler
	mu   sync.Mutex
	seen []string
}

func (u *handlerUpstream) Do(ctx context.Context, r *upstream.Request) (*http.Response, error) {
	target := r.Path
	if len(r.Query) > 0 {
		target += "?" + upstreamhttp.EncodeQuery(r.Query)
	}
	hr := httptest.NewRequestWithContext(ctx, r.Method, target, r.Body)
	for k, vs := range r.Header {
		hr.Header[k] = vs
	}
	u.mu.Lock()
	u.seen = append(u.seen, r.Method+" "+target)
	u.mu.Unlock()
	rec := httptest.NewRecorder()
	u.h.ServeHTTP(rec, hr)
	return rec.Result(), nil
}

func (u *handlerUpstream) requests() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.seen...)
}

// listInMemory registers tools on a server and lists them through a real MCP session over
// the client transport ct (wrap it to watch the wire).
func listInMemory(tb testing.TB, tools []*capabilities.Tool, client func(mcp.Transport) mcp.Transport) *mcp.ListToolsResult {
	tb.Helper()
	server := mcp.NewServer(&mcp.Implementation{Name: "test", Version: "1"}, nil)
	New(Config{Tools: tools}).Register(server)
	ct, st := mcp.NewInMemoryTransports()
	ctx := context.Background()
	ss, err := server.Connect(ctx, st, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer ss.Close()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, nil).Connect(ctx, client(ct), nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer cs.Close()
	res, err := cs.ListTools(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if len(res.Tools) != len(tools) {
		tb.Fatalf("listed %d tools, want %d", len(res.Tools), len(tools))
	}
	return res
}

func toolsOf(tools ...*capabilities.Tool) []*capabilities.Tool { return tools }
