package fakecentral

// Faults a test switches on, to see how a client copes when Central or a proxy misbehaves.

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
)

// Fault is a way the fake can misbehave, for every request after SetFault.
type Fault string

const (
	FaultNone      Fault = ""          // answer as Central does
	FaultInternal  Fault = "500"       // a gRPC internal error: HTTP 500 in Central's error shape
	FaultGarbage   Fault = "garbage"   // HTTP 200 with a body that is not JSON (a proxy's page)
	FaultTruncated Fault = "truncated" // the real answer, cut off half way (connection or stream reset)
	FaultHang      Fault = "hang"      // no answer until the client gives up
)

// Hang makes requests to path block until the client aborts them; each abort is reported
// on HangAborts.
func (fc *Central) Hang(path string) {
	fc.mu.Lock()
	fc.hang[path] = true
	fc.mu.Unlock()
}

// SetFault makes every following request misbehave so (FaultNone: answer again).
func (fc *Central) SetFault(f Fault) {
	fc.mu.Lock()
	fc.fault = f
	fc.mu.Unlock()
}

// Override makes the test's handler answer every following request instead of the fake
// (after it is recorded): answers no Central gives, such as a hostile one. nil: answer
// as Central again.
func (fc *Central) Override(h http.HandlerFunc) {
	fc.mu.Lock()
	fc.override = h
	fc.mu.Unlock()
}

// misbehave answers as the fault or hang set for r says and reports whether it did; the
// fake then answers nothing more.
func (fc *Central) misbehave(w http.ResponseWriter, r *http.Request, body []byte, hang bool, fault Fault) bool {
	if hang || fault == FaultHang {
		fc.hangUntilGone(r)
		return true
	}
	switch fault {
	case FaultInternal:
		fc.writeError(w, centralError{http.StatusInternalServerError, 13, "internal error: the database is unavailable"})
		return true
	case FaultGarbage:
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte("\x00\x01<html>502 Bad Gateway</html>\xff{{{"))
		return true
	case FaultTruncated:
		// The answer Central would give, its full length announced, half of it sent; then
		// the connection (HTTP/1.1) or the stream (HTTP/2) is reset.
		rec := httptest.NewRecorder()
		fc.answer(rec, r, body)
		full := rec.Body.Bytes()
		maps.Copy(w.Header(), rec.Header())
		w.Header().Set("Content-Length", strconv.Itoa(len(full)))
		w.WriteHeader(rec.Code)
		w.Write(full[:len(full)/2])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	}
	return false
}

// hangUntilGone answers nothing until the client gives up (reported on HangAborts) or
// the fake closes; HangStarts reports that it began.
func (fc *Central) hangUntilGone(r *http.Request) {
	select {
	case fc.hangStarts <- r.URL.Path:
	default:
	}
	select {
	case <-r.Context().Done():
		select {
		case fc.hangAborts <- r.URL.Path:
		default:
		}
	case <-fc.done:
	}
}

// HangStarts reports the path of each request that started hanging (see Hang).
func (fc *Central) HangStarts() <-chan string { return fc.hangStarts }

// HangAborts reports the path of each hanging request (see Hang) its client gave up on.
func (fc *Central) HangAborts() <-chan string { return fc.hangAborts }
