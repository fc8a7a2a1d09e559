package tools

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// A call whose upstream stays silent still sends progress notifications ("still running"),
// rising, about every 10 s, and none after it ends. Fake time (synctest): the 35 s the
// upstream takes pass at once, and nothing depends on how busy the machine is.
func TestKeepAlive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		count := toolAt(t, "GET", "/v1/imagescount")
		up := &handlerUpstream{h: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(35 * time.Second)
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"count": 7}`))
		})}
		e := confirmEngine(up, ConfirmDeny, count)
		server := mcp.NewServer(&mcp.Implementation{Name: "s", Version: "1"}, nil)
		e.Register(server)
		var mu sync.Mutex
		var got []mcp.ProgressNotificationParams
		client := mcp.NewClient(&mcp.Implementation{Name: "c", Version: "1"}, &mcp.ClientOptions{
			ProgressNotificationHandler: func(_ context.Context, r *mcp.ProgressNotificationClientRequest) {
				mu.Lock()
				got = append(got, *r.Params)
				mu.Unlock()
			}})
		ct, st := mcp.NewInMemoryTransports()
		ctx := context.Background()
		ss, err := server.Connect(ctx, st, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ss.Close()
		cs, err := client.Connect(ctx, ct, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer cs.Close()
		params := &mcp.CallToolParams{Name: count.Name, Arguments: map[string]any{}}
		params.SetProgressToken("tok")
		res, err := cs.CallTool(ctx, params)
		if err != nil || res.IsError {
			t.Fatalf("call: %v %v", err, res)
		}
		synctest.Wait()
		mu.Lock()
		n := len(got)
		mu.Unlock()
		// 35 s of silence at one notification per 10 s: at 10, 20 and 30 s.
		if n != 3 {
			t.Fatalf("got %d notifications in 35 s, want 3: %+v", n, got)
		}
		for i, p := range got {
			if !strings.Contains(p.Message, "still running after") {
				t.Errorf("notification %d: message %q", i, p.Message)
			}
			if i > 0 && p.Progress <= got[i-1].Progress {
				t.Errorf("progress did not rise: %+v", got)
			}
		}
		// After the call: none, however long the session stays.
		time.Sleep(time.Minute)
		synctest.Wait()
		mu.Lock()
		defer mu.Unlock()
		if len(got) != n {
			t.Fatalf("%d notifications after the call ended", len(got)-n)
		}
	})
}
