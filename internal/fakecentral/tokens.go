package fakecentral

// The fake's API tokens and roles: authentication, authorization and the auth status.

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"strings"
)

// Central roles of the fake's tokens.
const (
	RoleNone  = "none"  // authenticated, no Image permission
	RoleRead  = "read"  // Image read
	RoleAdmin = "admin" // Image read and write
)

// TokenExpires is when every token of the fake expires (GET /v1/auth/status says so).
const TokenExpires = "2099-01-01T00:00:00Z"

// roleInfo is what GET /v1/auth/status says about a role: the token's friendly name, the
// role's name and its union of permissions. A role without Image access has no Image key
// (Central lists only the resources a role grants).
var roleInfo = map[string]struct {
	friendlyName, role string
	access             map[string]string
}{
	RoleAdmin: {"image-mcp-ci", "Continuous Integration", map[string]string{"Image": "READ_WRITE_ACCESS", "Deployment": "READ_ACCESS"}},
	RoleRead:  {"image-mcp-analyst", "Analyst", map[string]string{"Image": "READ_ACCESS", "Deployment": "READ_ACCESS"}},
	RoleNone:  {"image-mcp-none", "None", map[string]string{}},
}

// The fake's tokens, one per role.
const (
	AdminToken = "admin-token-1"   // Image read and write
	ReadToken  = "read-only-token" // Image read
	NoneToken  = "no-image-token"  // authenticated, no Image permission
)

// authenticate takes `Authorization: Bearer <token>`, exactly one header, one Bearer.
func (fc *Central) authenticate(r *http.Request) (string, *centralError) {
	vals := r.Header.Values("Authorization")
	if len(vals) == 0 {
		return "", &errNoCredentials
	}
	if len(vals) > 1 {
		return "", &errBadToken
	}
	tok, ok := strings.CutPrefix(vals[0], "Bearer ")
	if !ok {
		return "", &errNoCredentials
	}
	fc.mu.Lock()
	role, ok := fc.tokens[tok]
	fc.mu.Unlock()
	if !ok {
		return "", &errBadToken
	}
	return role, nil
}

// authStatus is AuthService.GetAuthStatus for an API token: who the token is, when it
// expires and its role's permissions (every field present, as the gateway emits them).
func (fc *Central) authStatus(w http.ResponseWriter, r *http.Request, _ params, _ string) {
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	fc.mu.Lock()
	info := roleInfo[fc.tokens[tok]]
	fc.mu.Unlock()
	id := fmt.Sprintf("%x", sha256.Sum256([]byte(tok)))[:32]
	fc.writeJSON(w, map[string]any{
		"userId":     "auth-token:" + id,
		"expires":    TokenExpires,
		"refreshUrl": "",
		"authProvider": map[string]any{"id": "api-token-provider", "name": "API Token", "type": "api-token",
			"uiEndpoint": "", "enabled": true, "config": map[string]string{}, "loginUrl": "", "validated": true,
			"extraUiEndpoints": []string{}, "active": true, "requiredAttributes": []any{}, "traits": nil, "claimMappings": map[string]string{}, "lastUpdated": nil},
		"userInfo": map[string]any{"username": "", "friendlyName": info.friendlyName,
			"permissions": map[string]any{"resourceToAccess": info.access},
			"roles":       []any{map[string]any{"name": info.role, "resourceToAccess": info.access}}},
		"userAttributes": []any{},
		"idpToken":       "",
	})
}

// authorize checks a role against what a route needs: Image write for write methods,
// Image read otherwise; anyRole routes (the auth status) answer every authenticated token.
func authorize(role string, write, anyRole bool) *centralError {
	switch {
	case anyRole:
	case role == RoleNone && write:
		return &errNeedWrite
	case role == RoleNone:
		return &errNeedRead
	case role == RoleRead && write:
		return &errNeedWrite
	}
	return nil
}

// SetRole gives a token a role (RoleAdmin, RoleRead, RoleNone); "" removes the token.
func (fc *Central) SetRole(token, role string) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if role == "" {
		delete(fc.tokens, token)
		return
	}
	fc.tokens[token] = role
}
