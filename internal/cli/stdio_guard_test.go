package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/tidwall/gjson"
)

// filterLines passes single JSON-RPC messages on to the go-sdk and answers the rest.
func TestFilterLines(t *testing.T) {
	deep := `{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"arguments":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}}`
	cases := []struct {
		name, line string
		pass       bool
		code       int64
		id         string
	}{
		{"request", `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, true, 0, ""},
		{"notification", `{"jsonrpc":"2.0","method":"notifications/initialized"}`, true, 0, ""},
		{"blank", "   ", false, 0, ""},
		{"not json", "hello", false, -32700, "null"},
		{"two values", `{} {}`, false, -32700, "null"},
		{"too deep, id kept", deep, false, -32700, "42"},
		{"at the go-sdk's limit", nested(sdkMaxDepth), false, -32700, "7"},
		{"just below it", nested(sdkMaxDepth - 1), true, 0, ""},
		{"batch", `[{"jsonrpc":"2.0","id":1,"method":"tools/list"}]`, false, -32600, "null"},
		{"empty batch", `[]`, false, -32600, "null"},
		{"wrong version", `{"jsonrpc":"1.0","id":"a","method":"x"}`, false, -32600, `"a"`},
		{"object id", `{"jsonrpc":"2.0","id":{"x":1},"method":"x"}`, false, -32600, "null"},
		{"no method, no id", `{"jsonrpc":"2.0"}`, false, -32600, "null"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var pass, out bytes.Buffer
			if err := filterLines(strings.NewReader(c.line+"\n"), &pass, &out); err != nil {
				t.Fatal(err)
			}
			if c.pass != (pass.Len() > 0) {
				t.Fatalf("passed %q, want pass=%v", pass.String(), c.pass)
			}
			if c.code == 0 {
				if out.Len() > 0 {
					t.Fatalf("answered %q", out.String())
				}
				return
			}
			var m struct {
				JSONRPC string          `json:"jsonrpc"`
				ID      json.RawMessage `json:"id"`
				Error   struct {
					Code    int64  `json:"code"`
					Message string `json:"message"`
				} `json:"error"`
			}
			if err := json.Unmarshal(out.Bytes(), &m); err != nil {
				t.Fatalf("answer %q: %v", out.String(), err)
			}
			if m.JSONRPC != "2.0" || m.Error.Code != c.code || string(m.ID) != c.id || m.Error.Message == "" {
				t.Fatalf("answer %s, want code %d id %s", out.String(), c.code, c.id)
			}
		})
	}
}

// nested is a tools/call request nesting depth levels in all (the message's own braces
// included), as the go-sdk's decoder counts them.
func nested(depth int) string {
	n := depth - 3 // the message, params and arguments objects
	return `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"x","arguments":{"a":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}}}`
}

// The guard's limit is the go-sdk's: a message it would refuse (and end the session on)
// never reaches it, and one nesting a level less decodes.
func TestSDKDepthLimit(t *testing.T) {
	if _, err := jsonrpc.DecodeMessage([]byte(nested(sdkMaxDepth))); err != nil {
		t.Fatalf("the go-sdk refuses %d levels: %v; sdkMaxDepth is not its limit", sdkMaxDepth, err)
	}
	if _, err := jsonrpc.DecodeMessage([]byte(nested(sdkMaxDepth + 1))); err == nil {
		t.Fatalf("the go-sdk takes %d levels; sdkMaxDepth is not its limit", sdkMaxDepth+1)
	}
}

// A request id the go-sdk would change goes in as a string of the guard's, and its
// answer (a result or an error) goes out with the id as sent; a cancellation naming it
// is swapped too; ids the go-sdk keeps are left alone.
func TestIDSwap(t *testing.T) {
	s := newIDSwap()
	for _, raw := range []string{"1.5", "99999999999999999999999", "1234567890123456", "-0", "1e3"} {
		line := []byte(`{"jsonrpc":"2.0","id":` + raw + `,"method":"tools/list"}`)
		in := s.swap(line)
		sub := gjson.GetBytes(in, "id")
		if sub.Type != gjson.String || !strings.HasPrefix(sub.Str, "image-mcp-id-") {
			t.Fatalf("%s: went in as %s", raw, in)
		}
		cancel := s.swap([]byte(`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":` + raw + `,"reason":"x"}}`))
		if got := gjson.GetBytes(cancel, "params.requestId").Str; got != sub.Str {
			t.Fatalf("%s: the cancellation names %q, want %q", raw, got, sub.Str)
		}
		m, err := jsonrpc.DecodeMessage(in)
		if err != nil {
			t.Fatal(err)
		}
		for _, resp := range []*jsonrpc.Response{
			{ID: m.(*jsonrpc.Request).ID, Result: json.RawMessage(`{"tools":[]}`)},
			{ID: m.(*jsonrpc.Request).ID, Error: &jsonrpc.Error{Code: -32601, Message: "no"}},
		} {
			var out bytes.Buffer
			c := &elicitCompat{Connection: &recordConn{}, out: &out, ids: s}
			if resp.Error != nil { // a second request of the same id, for the error
				resp.ID = mustDecode(t, s.swap(line)).ID
			}
			if err := c.Write(context.Background(), resp); err != nil {
				t.Fatal(err)
			}
			if got := gjson.Get(out.String(), "id").Raw; got != raw {
				t.Fatalf("%s: answered with id %s: %s", raw, got, out.String())
			}
		}
	}
	for _, raw := range []string{"1", "-42", `"a-1"`, "123456789012345", "0"} {
		line := []byte(`{"jsonrpc":"2.0","id":` + raw + `,"method":"tools/list"}`)
		if got := s.swap(line); !bytes.Equal(got, line) {
			t.Errorf("%s: changed to %s", raw, got)
		}
	}
	if len(s.raw) != 0 || len(s.byRaw) != 0 {
		t.Errorf("answered ids are still kept: %v %v", s.raw, s.byRaw)
	}
}

func mustDecode(t *testing.T, line []byte) *jsonrpc.Request {
	m, err := jsonrpc.DecodeMessage(line)
	if err != nil {
		t.Fatal(err)
	}
	return m.(*jsonrpc.Request)
}

// A line over the limit is answered and skipped; the next line still passes.
func TestFilterLinesTooLong(t *testing.T) {
	in := strings.Repeat("x", maxLine+10) + "\n" + `{"jsonrpc":"2.0","id":2,"method":"tools/list"}` + "\n"
	var pass, out bytes.Buffer
	if err := filterLines(strings.NewReader(in), &pass, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "-32700") || !strings.Contains(pass.String(), `"id":2`) {
		t.Fatalf("answered %q, passed %q", out.String(), pass.String())
	}
}

// recordConn keeps what is written to it.
type recordConn struct {
	mcp.Connection
	written []jsonrpc.Message
}

func (r *recordConn) Write(_ context.Context, m jsonrpc.Message) error {
	r.written = append(r.written, m)
	return nil
}

// An elicitation request carries `mode` only on sessions of 2025-11-25 or later.
func TestElicitCompat(t *testing.T) {
	for _, tc := range []struct {
		version  string
		wantMode bool
	}{
		{"2025-06-18", false},
		{"2025-03-26", false},
		{"2025-11-25", true},
		{"", true}, // no initialize seen: left as the go-sdk wrote it
	} {
		t.Run(tc.version, func(t *testing.T) {
			rec := &recordConn{}
			c := &elicitCompat{Connection: rec}
			ctx := context.Background()
			if tc.version != "" {
				id, _ := jsonrpc.MakeID(float64(1))
				res := &jsonrpc.Response{ID: id, Result: json.RawMessage(`{"protocolVersion":"` + tc.version + `","serverInfo":{"name":"image-mcp"},"capabilities":{}}`)}
				if err := c.Write(ctx, res); err != nil {
					t.Fatal(err)
				}
			}
			id, _ := jsonrpc.MakeID("e1")
			req := &jsonrpc.Request{ID: id, Method: "elicitation/create", Params: json.RawMessage(`{"mode":"form","message":"Remove x?","requestedSchema":{"type":"object","properties":{}}}`)}
			if err := c.Write(ctx, req); err != nil {
				t.Fatal(err)
			}
			got := rec.written[len(rec.written)-1].(*jsonrpc.Request)
			if has := gjson.GetBytes(got.Params, "mode").Exists(); has != tc.wantMode {
				t.Errorf("params %s: mode present %v, want %v", got.Params, has, tc.wantMode)
			}
			if gjson.GetBytes(got.Params, "message").String() != "Remove x?" || !gjson.GetBytes(got.Params, "requestedSchema").Exists() {
				t.Errorf("params %s lost more than mode", got.Params)
			}
		})
	}
}

// filterLines copies the lines of in that are single JSON-RPC messages to pass and
// answers the others on out, as the go-sdk's reader reads them from the filter.
func filterLines(in io.Reader, pass io.Writer, out io.Writer) error {
	_, err := io.Copy(pass, newLineFilter(in, out))
	return err
}
