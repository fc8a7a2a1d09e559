package fakecentral

// Central's error bodies and JSON answers.

import (
	"encoding/json"
	"net/http"
)

// centralError is the gateway's error body.
type centralError struct {
	status int
	code   int
	msg    string
}

func (fc *Central) writeError(w http.ResponseWriter, e centralError) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.status)
	json.NewEncoder(w).Encode(map[string]any{"code": e.code, "message": e.msg, "details": []any{}, "error": e.msg})
}

func (fc *Central) writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	switch x := v.(type) {
	case json.RawMessage:
		w.Write(x)
	default:
		// The gateway's output may carry extra whitespace: clients must parse, not compare.
		b, _ := json.MarshalIndent(v, "", "  ")
		w.Write(b)
	}
}

var (
	errNotFoundRoute   = centralError{http.StatusNotFound, 5, "Not Found"}
	errMethodNotAllow  = centralError{http.StatusNotImplemented, 12, "Method Not Allowed"}
	errNoCredentials   = centralError{http.StatusUnauthorized, 16, "credentials not found"}
	errBadToken        = centralError{http.StatusUnauthorized, 16, "credentials not found: token-based: cannot extract identity: token validation failed"}
	errNeedRead        = centralError{http.StatusForbidden, 7, `not authorized: "READ_ACCESS" for "Image"`}
	errNeedWrite       = centralError{http.StatusForbidden, 7, `not authorized: "READ_WRITE_ACCESS" for "Image"`}
	errScopingRequired = centralError{http.StatusInternalServerError, 13, "a scoping query is required"}
)
