package cli

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/tidwall/gjson"
)

// idSwap keeps request ids exact. The go-sdk decodes a numeric id as a float64 and keeps
// it as an int64, so a fraction (1.5), a big integer (99999999999999999999999, or any of
// more than 15 digits) or -0 would come back changed, and a client would never match the
// answer to its request. Such an id is swapped, on the way in, for a string no client can
// guess (a random prefix and a counter), and its text is put back on the answer; a
// notifications/cancelled naming it is swapped alike.
type idSwap struct {
	prefix string
	mu     sync.Mutex
	n      uint64
	raw    map[string][]byte // swapped id → the id as sent
	byRaw  map[string]string // the id as sent → its swapped id (the latest)
}

func newIDSwap() *idSwap {
	b := make([]byte, 8)
	rand.Read(b)
	return &idSwap{prefix: "image-mcp-id-" + hex.EncodeToString(b) + "-", raw: map[string][]byte{}, byRaw: map[string]string{}}
}

// swap gives line with a changeable id swapped (a request's own, or the requestId a
// cancellation names); line itself when there is none, as almost always.
func (s *idSwap) swap(line []byte) []byte {
	id := gjson.GetBytes(line, "id")
	if id.Type == gjson.Number && !exactID(id.Raw) && gjson.GetBytes(line, "method").Exists() {
		s.mu.Lock()
		s.n++
		sub := s.prefix + strconv.FormatUint(s.n, 10)
		s.raw[sub] = []byte(id.Raw)
		s.byRaw[id.Raw] = sub
		s.mu.Unlock()
		return spliceID(line, "id", []byte(strconv.Quote(sub)))
	}
	if gjson.GetBytes(line, "method").Str == "notifications/cancelled" {
		if rid := gjson.GetBytes(line, "params.requestId"); rid.Type == gjson.Number && !exactID(rid.Raw) {
			s.mu.Lock()
			sub, ok := s.byRaw[rid.Raw]
			s.mu.Unlock()
			if ok {
				return spliceID(line, "params.requestId", []byte(strconv.Quote(sub)))
			}
		}
	}
	return line
}

// restore gives the id as sent for an answer to a swapped one, and forgets it.
func (s *idSwap) restore(id jsonrpc.ID) ([]byte, bool) {
	sub, ok := id.Raw().(string)
	if s == nil || !ok || !strings.HasPrefix(sub, s.prefix) {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	raw, ok := s.raw[sub]
	if ok {
		delete(s.raw, sub)
		if s.byRaw[string(raw)] == sub {
			delete(s.byRaw, string(raw))
		}
	}
	return raw, ok
}

// exactID tells whether the go-sdk keeps a numeric id as written: an integer of at most
// 15 digits (exact as a float64), not -0.
func exactID(raw string) bool {
	return smallInt(raw) && strings.Trim(raw, "-0") != "" || raw == "0"
}

// spliceID gives b with the value at path replaced by value (b when there is none).
func spliceID(b []byte, path string, value []byte) []byte {
	r := gjson.GetBytes(b, path)
	if r.Index <= 0 {
		return b
	}
	out := make([]byte, 0, len(b)-len(r.Raw)+len(value))
	out = append(out, b[:r.Index]...)
	out = append(out, value...)
	return append(out, b[r.Index+len(r.Raw):]...)
}

// smallInt tells whether s is a JSON integer of at most 15 digits (exact as a float64).
func smallInt(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if len(s) == 0 || len(s) > 15 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
