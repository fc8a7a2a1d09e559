package tools

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/rs/zerolog"

	"github.com/image-mcp/image-mcp/capabilities"
)

// The filters take a renamed tool by its seed name as well, and say what is valid by the
// listed names only.
func TestFilterTakesSeedNames(t *testing.T) {
	all := embeddedTools(t)
	var renamed *capabilities.Tool
	for _, tl := range all {
		if tl.Seed != "" {
			renamed = tl
			break
		}
	}
	kept, _, err := Filter{Enabled: []string{renamed.Seed, "list-images"}}.Apply(all)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tl := range kept {
		names = append(names, tl.Name)
	}
	if !slices.Equal(slices.Sorted(slices.Values(names)), slices.Sorted(slices.Values([]string{renamed.Name, "list-images"}))) {
		t.Fatalf("--enabled-tools %s,list-images kept %v", renamed.Seed, names)
	}
	_, hidden, err := Filter{Disabled: []string{renamed.Seed}}.Apply(all)
	if err != nil || !strings.Contains(hidden[renamed.Name], "--disabled-tools") {
		t.Fatalf("--disabled-tools %s: hidden %v, %v", renamed.Seed, hidden, err)
	}
	_, _, err = Filter{Enabled: []string{renamed.Name}, Disabled: []string{renamed.Seed}}.Apply(all)
	if err == nil || !strings.Contains(err.Error(), "in both --enabled-tools and --disabled-tools") {
		t.Fatalf("one tool enabled by one name and disabled by the other: %v", err)
	}
	_, _, err = Filter{Enabled: []string{"nope"}}.Apply(all)
	if err == nil || strings.Contains(err.Error(), renamed.Seed) || !strings.Contains(err.Error(), renamed.Name) {
		t.Fatalf("an unknown name: %v", err)
	}
}

// A call by a seed name goes on under the listed name: the filters' refusal names that.
func TestAliasesMiddleware(t *testing.T) {
	all := embeddedTools(t)
	var renamed *capabilities.Tool
	for _, tl := range all {
		if tl.Seed != "" {
			renamed = tl
			break
		}
	}
	var saw string
	h := Aliases(capabilities.NamesOf(all))(func(_ context.Context, method string, req mcp.Request) (mcp.Result, error) {
		saw = req.GetParams().(*mcp.CallToolParamsRaw).Name
		return nil, &jsonrpc.Error{}
	})
	for _, name := range []string{renamed.Seed, renamed.Name} {
		h(context.Background(), "tools/call", &mcp.ServerRequest[*mcp.CallToolParamsRaw]{Params: &mcp.CallToolParamsRaw{Name: name}})
		if saw != renamed.Name {
			t.Errorf("called as %s, went on as %s", name, saw)
		}
	}
	h(context.Background(), "tools/call", &mcp.ServerRequest[*mcp.CallToolParamsRaw]{Params: &mcp.CallToolParamsRaw{Name: "no-such-tool"}})
	if saw != "no-such-tool" {
		t.Errorf("an unknown name went on as %s", saw)
	}
}

// A budget above the default is declared on every listed tool; the default declares none.
func TestRaisedBudgetIsDeclared(t *testing.T) {
	all := embeddedTools(t)
	for _, tc := range []struct {
		budget int
		want   any
	}{{DefaultMaxOutputBytes, nil}, {DefaultMaxOutputBytes / 2, nil}, {250_000, 250_000}} {
		e := New(Config{Tools: all, MaxOutputBytes: tc.budget, Log: zerolog.Nop()})
		server := mcp.NewServer(&mcp.Implementation{Name: "test", Version: "1"}, nil)
		e.Register(server)
		ct, st := mcp.NewInMemoryTransports()
		ss, err := server.Connect(context.Background(), st, nil)
		if err != nil {
			t.Fatal(err)
		}
		cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, nil).Connect(context.Background(), ct, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := cs.ListTools(context.Background(), nil)
		cs.Close()
		ss.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, tl := range res.Tools {
			got := tl.Meta[ResultSizeMeta]
			if f, ok := got.(float64); ok {
				got = int(f)
			}
			if got != tc.want {
				t.Errorf("budget %d: %s declares %v, want %v", tc.budget, tl.Name, got, tc.want)
			}
		}
	}
}

// Values runs a read-only tool for the strings at a path of its answer; an upstream's
// refusal is an error, and a tool that changes state is never run.
func TestValues(t *testing.T) {
	all := embeddedTools(t)
	byName := map[string]*capabilities.Tool{}
	for _, tl := range all {
		byName[tl.Name] = tl
	}
	var got []string
	status := 200
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Method+" "+r.URL.RequestURI())
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write([]byte(`[{"RepoTags":["localhost/a:1","localhost/b:2"]},{"RepoTags":null},{"RepoTags":["localhost/c:3"]}]`))
	}))
	defer api.Close()
	e := New(Config{Tools: all, Log: zerolog.Nop(), Timeout: time.Minute, Kinds: kindsOf(httpClient(t, api.URL))})
	vals, err := e.Values(context.Background(), byName["list-images"], json.RawMessage(`{"all":true}`), "#.RepoTags|@flatten")
	if err != nil || !slices.Equal(vals, []string{"localhost/a:1", "localhost/b:2", "localhost/c:3"}) {
		t.Fatalf("values %v, %v", vals, err)
	}
	if len(got) != 1 || got[0] != "GET /libpod/images/json?all=true" {
		t.Fatalf("the upstream got %q", got)
	}
	status = 500
	if _, err := e.Values(context.Background(), byName["list-images"], nil, "#.RepoTags|@flatten"); err == nil {
		t.Fatal("an upstream error gave values")
	}
	if _, err := e.Values(context.Background(), byName["list-images"], json.RawMessage(`{"nope":1}`), "#"); err == nil || !strings.Contains(err.Error(), `unknown argument "nope"`) {
		t.Fatalf("a bad argument: %v", err)
	}
	got = nil
	if _, err := e.Values(context.Background(), byName["remove-image-local-storage"], json.RawMessage(`{"name":"x"}`), "#"); err == nil || len(got) != 0 {
		t.Fatalf("a tool that changes state was run for values: %v, upstream got %q", err, got)
	}
}
