package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/tidwall/gjson"

	"github.com/image-mcp/image-mcp/internal/jsondepth"
	"github.com/image-mcp/image-mcp/internal/syncio"
)

// maxLine bounds one inbound JSON-RPC line, as the go-sdk does by default.
const maxLine = mcp.DefaultMaxLineLength

// sdkMaxDepth is the go-sdk decoder's nesting limit (its internal/json defaultMaxDepth,
// v1.8.0; TestSDKDepthLimit holds it to it): a message nested deeper is refused, and the
// session ended with it. The guard refuses lines that reach it. (encoding/json's own
// limit, 10,000, is far above.)
const sdkMaxDepth = 1000

// guardedStdio is the stdio transport with a guard in front of the go-sdk's reader: the
// go-sdk ends the whole session on the first line it cannot decode (not JSON, nested too
// deep, an empty batch, a bad id). Here such a line is answered with a JSON-RPC error
// (parse error or invalid request, with its id when it has one) and dropped, and the
// session goes on. Batches are refused: MCP 2025-06-18 has none. A request id the go-sdk
// would change (it reads numbers as float64, then int64: 1.5 becomes 1,
// 99999999999999999999999 something else) is swapped for a string of the guard's on the
// way in and put back, byte for byte, on the answer (ids).
type guardedStdio struct {
	in  io.Reader
	out io.Writer
	// written, when set, is called after each message is written.
	written func()
}

func (g *guardedStdio) Connect(ctx context.Context) (mcp.Connection, error) {
	out := &serialWriter{Writer: syncio.Writer{W: g.out}, written: g.written}
	// The go-sdk's reader goroutine reads the filter itself: no goroutine and pipe
	// between them, one hand-off less per message.
	f := newLineFilter(g.in, out)
	conn, err := (&mcp.IOTransport{Reader: io.NopCloser(f), Writer: out}).Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &elicitCompat{Connection: conn, out: out, ids: f.ids}, nil
}

// elicitModeSince is the first protocol version whose elicitation requests have `mode`.
const elicitModeSince = "2025-11-25"

// elicitCompat leaves `mode` out of elicitation requests on sessions that negotiated an
// older protocol (2025-06-18 has no such field, and strict clients such as the official
// TypeScript SDK's refuse it); the go-sdk always writes it. The version is read from the
// server's initialize answer.
type elicitCompat struct {
	mcp.Connection
	ids          *idSwap   // the request ids swapped on the way in
	out          io.Writer // where answers to swapped ids go (the go-sdk's connection writes there too)
	mu           sync.Mutex
	version      string
	versionKnown atomic.Bool
}

func (c *elicitCompat) Write(ctx context.Context, m jsonrpc.Message) error {
	switch x := m.(type) {
	case *jsonrpc.Response:
		if raw, ok := c.ids.restore(x.ID); ok {
			return c.writeWithID(ctx, x, raw)
		}
		// Once known, no need to scan every answer (tools/list's is 22 KB) for it.
		if !c.versionKnown.Load() {
			if v := gjson.GetBytes(x.Result, "protocolVersion"); v.Type == gjson.String && gjson.GetBytes(x.Result, "serverInfo").Exists() {
				c.mu.Lock()
				if c.version == "" {
					c.version = v.String()
				}
				c.mu.Unlock()
				c.versionKnown.Store(true)
			}
		}
	case *jsonrpc.Request:
		c.mu.Lock()
		old := c.version != "" && c.version < elicitModeSince
		c.mu.Unlock()
		if old && x.Method == "elicitation/create" {
			var params map[string]json.RawMessage
			if json.Unmarshal(x.Params, &params) == nil {
				delete(params, "mode")
				if b, err := json.Marshal(params); err == nil {
					cp := *x
					cp.Params = b
					m = &cp
				}
			}
		}
	}
	return c.Connection.Write(ctx, m)
}

// writeWithID writes an answer with the id its request had on the wire.
func (c *elicitCompat) writeWithID(ctx context.Context, r *jsonrpc.Response, raw []byte) error {
	b, err := jsonrpc.EncodeMessage(r)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err = c.out.Write(append(spliceID(b, "id", raw), '\n'))
	return err
}

// serialWriter keeps the go-sdk's messages and the guard's error answers whole lines. Its
// Close is a no-op: stdout outlives the go-sdk's connection.
type serialWriter struct {
	syncio.Writer
	written func()
}

func (s *serialWriter) Write(p []byte) (int, error) {
	n, err := s.Writer.Write(p)
	if s.written != nil {
		s.written()
	}
	return n, err
}

func (s *serialWriter) Close() error { return nil }

// lineFilter reads the lines of in that are single JSON-RPC messages, each ending in a
// newline, and answers the others on out.
type lineFilter struct {
	br      *bufio.Reader
	out     io.Writer
	ids     *idSwap
	pending []byte // what is left of the line being read
	err     error  // in's error (io.EOF at its end), given once pending is read
}

func newLineFilter(in io.Reader, out io.Writer) *lineFilter {
	return &lineFilter{br: bufio.NewReaderSize(in, 64<<10), out: out, ids: newIDSwap()}
}

func (f *lineFilter) Read(p []byte) (int, error) {
	for len(f.pending) == 0 {
		if f.err != nil {
			return 0, f.err
		}
		line, tooLong, err := readLine(f.br)
		if tooLong {
			reject(f.out, nil, jsonrpc.CodeParseError, fmt.Sprintf("message longer than %d bytes; it was dropped", maxLine))
		} else if t := bytes.TrimSpace(line); len(t) > 0 {
			if code, msg := check(t); code != 0 {
				reject(f.out, t, code, msg)
			} else {
				f.pending = append(f.ids.swap(t), '\n')
			}
		}
		f.err = err
	}
	n := copy(p, f.pending)
	f.pending = f.pending[n:]
	return n, nil
}

// readLine reads one line of at most maxLine bytes; a longer one is skipped to its end.
func readLine(br *bufio.Reader) (line []byte, tooLong bool, err error) {
	for {
		frag, err := br.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(frag) > maxLine {
				tooLong, line = true, nil
			} else {
				line = append(line, frag...)
			}
		}
		if err != bufio.ErrBufferFull {
			return line, tooLong, err
		}
	}
}

// check says why a line is not one JSON-RPC message the go-sdk can take, or 0.
func check(line []byte) (code int64, msg string) {
	if jsondepth.Exceeds(line, sdkMaxDepth-1) {
		return jsonrpc.CodeParseError, fmt.Sprintf("nested %d levels deep or more, which MCP's decoder refuses; the line was dropped", sdkMaxDepth)
	}
	if !json.Valid(line) {
		return jsonrpc.CodeParseError, "not valid JSON; the line was dropped"
	}
	if line[0] == '[' {
		return jsonrpc.CodeInvalidRequest, "JSON-RPC batches are not supported (MCP 2025-06-18 has none); send one message per line"
	}
	if _, err := jsonrpc.DecodeMessage(line); err != nil {
		return jsonrpc.CodeInvalidRequest, "not a JSON-RPC 2.0 message: " + err.Error()
	}
	return 0, ""
}

// reject answers a dropped line with its id when one can be read from it (even from JSON
// too deep to decode), else with a null id.
func reject(out io.Writer, line []byte, code int64, msg string) {
	id := "null"
	if r := gjson.GetBytes(line, "id"); line != nil && (r.Type == gjson.Number || r.Type == gjson.String) {
		id = r.Raw
	}
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": json.RawMessage(id), "error": map[string]any{"code": code, "message": msg}})
	out.Write(append(b, '\n'))
}
