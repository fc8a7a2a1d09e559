package tools

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/rs/zerolog"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/internal/syncio"
	"github.com/image-mcp/image-mcp/upstream"
)

// A panic inside a tool call must become an isError for that call, be logged with its
// stack, and leave the server serving the next call.
func TestPanicInToolCallIsAnIsError(t *testing.T) {
	list := toolAt(t, "GET", "/v1/imagescount")

	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"count": 7}`))
	}))
	defer api.Close()
	client := httpClient(t, api.URL)

	logs := &syncio.Writer{W: &bytes.Buffer{}}
	e := New(Config{
		Tools:   []*capabilities.Tool{list},
		Kinds:   kindsAnswering(&panicOnce{client: client}),
		Timeout: 10 * time.Second,
		Log:     zerolog.New(logs),
	})
	server := mcp.NewServer(&mcp.Implementation{Name: "panic-test", Version: "1"}, nil)
	e.Register(server)
	st, ct := mcp.NewInMemoryTransports()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ss, err := server.Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ss.Close()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "c", Version: "1"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()

	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: list.Name})
	if err != nil {
		t.Fatalf("the panicking call became a protocol error, want an isError result: %v", err)
	}
	if !res.IsError || !strings.Contains(resultText(res), "internal error") {
		t.Fatalf("panicking call: isError=%v text=%q", res.IsError, resultText(res))
	}
	if strings.Contains(resultText(res), "boom") {
		t.Errorf("the panic value reached the model: %q", resultText(res))
	}
	logged := logs.String()
	for _, want := range []string{"tool call panicked", "boom: a bug in a tool call", "panic_test.go", list.Name} {
		if !strings.Contains(logged, want) {
			t.Errorf("log lacks %q:\n%s", want, logged)
		}
	}

	res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: list.Name})
	if err != nil || res.IsError {
		t.Fatalf("the call after the panic failed: %v %s", err, resultText(res))
	}
	if !strings.Contains(resultText(res), `"count"`) {
		t.Fatalf("the call after the panic answered %q", resultText(res))
	}
}

// panicOnce is an upstream kind whose first Connect panics, as a bug in a call would.
type panicOnce struct {
	client upstream.Client
	calls  atomic.Int32
}

func (k *panicOnce) Connect(*capabilities.Capability) (upstream.Client, error) {
	if k.calls.Add(1) == 1 {
		panic("boom: a bug in a tool call")
	}
	return k.client, nil
}
