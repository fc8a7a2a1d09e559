package podman

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/internal/allowdirs"
	"github.com/image-mcp/image-mcp/upstream"
)

// RegistryCreds is what a call sends as registry credentials: where they came from, for
// the hint when a registry refuses them, and the secret values, for the redactor.
type RegistryCreds struct {
	Registry string // the registry host the image reference names ("" for a build)
	// ShortName: the reference names no registry; Podman picks one (aliases,
	// unqualified-search registries).
	ShortName bool
	Source    string   // "argument" or the auth file(s) the credentials came from; "" if none
	Searched  []string // auth files looked at
	secrets   []string
}

// Secrets are the credential values sent (passwords, tokens, the header itself), to be
// masked in everything the server writes.
func (rc *RegistryCreds) Secrets() []string {
	if rc == nil {
		return nil
	}
	return rc.secrets
}

// authConfig is the JSON Podman decodes from X-Registry-Auth (pkg/auth: base64url of
// Docker's AuthConfig).
type authConfig struct {
	Username      string `json:"username,omitempty"`
	Password      string `json:"password,omitempty"`
	IdentityToken string `json:"identitytoken,omitempty"`
}

// secrets are the values of an auth config that must not be shown: the password, the
// token, and user:password (what Basic auth and an auth file's "auth" encode).
func (ac authConfig) secrets() []string {
	out := []string{ac.Password, ac.IdentityToken}
	if ac.Password != "" {
		out = append(out, ac.Username+":"+ac.Password)
	}
	return out
}

// ApplyRegistryAuth puts registry credentials into the request per the tool's rule: the
// header argument as given (JSON is encoded for the caller), else the user's auth files
// as the map Podman's own remote client sends (pkg/auth MakeXRegistryAuthHeader and
// MakeXRegistryConfigHeader: each registry its own entry, no default for all). Podman
// writes the map into an auth file of the call and containers/image gives each registry
// it contacts only that registry's entry, so a short name (`centos`) that Podman resolves
// through its aliases or unqualified-search registries never carries docker.io's login
// to another host, as a single config (which Podman presents to whatever registry it
// lands on) would.
func ApplyRegistryAuth(t *capabilities.Tool, v Args, req *upstream.Request) (*RegistryCreds, error) {
	rule := t.RegistryAuth
	if rule == nil {
		return nil, nil
	}
	ref := ""
	for _, name := range rule.Reference {
		if ref = strings.TrimSpace(str(v, name)); ref != "" {
			break
		}
	}
	rc := &RegistryCreds{Registry: registryOf(ref), ShortName: ref != "" && upstream.IsShortName(ref)}
	if given := strings.TrimSpace(str(v, rule.Header)); given != "" {
		rc.Source = "argument"
		rc.secrets = append(rc.secrets, given)
		if strings.HasPrefix(given, "{") { // plain JSON: encode it as Podman expects
			if !json.Valid([]byte(given)) {
				return rc, fmt.Errorf("argument %q is not valid JSON auth config ({\"username\",\"password\"} or {\"identitytoken\"}), nor base64 of one", rule.Header)
			}
			rc.secrets = append(rc.secrets, configSecrets([]byte(given))...)
			given = base64.URLEncoding.EncodeToString([]byte(given))
			rc.secrets = append(rc.secrets, given)
		} else if b, err := decodeBase64(given); err == nil {
			rc.secrets = append(rc.secrets, configSecrets(b)...)
		}
		req.Header.Set(rule.Header, given)
		return rc, nil
	}
	if !rule.All && rc.Registry == "" {
		return rc, nil // no reference Podman would take: it refuses the call itself
	}
	all, from, searched, err := allAuthFileConfigs()
	rc.Searched = searched
	if err != nil || len(all) == 0 {
		return rc, err
	}
	b, _ := json.Marshal(all)
	enc := base64.URLEncoding.EncodeToString(b)
	for _, ac := range all {
		rc.secrets = append(rc.secrets, ac.secrets()...)
	}
	rc.secrets = append(rc.secrets, enc)
	req.Header.Set(rule.Header, enc)
	if rule.All || rc.ShortName {
		rc.Source = strings.Join(slices.Compact(slices.Sorted(maps.Values(from))), ", ")
		return rc, nil
	}
	// The entry Podman will give the named registry, or why it cannot (a broken entry).
	_, rc.Source, _, err = lookupAuthFiles(ref)
	return rc, err
}

// configSecrets are the password and token values in an auth config, or in a map of them
// (X-Registry-Config), so that they can be masked.
func configSecrets(b []byte) []string {
	var out []string
	var one authConfig
	if json.Unmarshal(b, &one) == nil {
		out = append(out, one.secrets()...)
	}
	var many map[string]authConfig
	if json.Unmarshal(b, &many) == nil {
		for _, ac := range many {
			out = append(out, ac.secrets()...)
		}
	}
	return out
}

// allAuthFileConfigs gathers the credentials of every registry in the auth files, and the
// file each came from; for a registry in several files, the first file wins, as for
// lookupAuthFiles. Entries without credentials of their own (credential helpers) are left
// out.
func allAuthFileConfigs() (all map[string]authConfig, from map[string]string, searched []string, err error) {
	all, from = map[string]authConfig{}, map[string]string{}
	for _, f := range authFiles() {
		searched = append(searched, f)
		entries, err := readAuthFile(f)
		if err != nil {
			return nil, nil, searched, err
		}
		for k, e := range entries {
			if _, seen := all[k]; seen {
				continue
			}
			if ac, err := e.config(); err == nil {
				all[k], from[k] = *ac, f
			}
		}
	}
	return all, from, searched, nil
}

// unauthorizedHint says what credentials were used and how to give others.
func (rc *RegistryCreds) unauthorizedHint(header string) string {
	if rc == nil {
		return ""
	}
	switch {
	case rc.Source == "argument" && rc.Registry != "" && !rc.ShortName:
		return fmt.Sprintf("The registry %s refused the credentials given in %s; check the user name and password.", rc.Registry, header)
	case rc.Source == "argument":
		return fmt.Sprintf("A registry refused the credentials given in %s; check the user name and password.", header)
	case rc.ShortName:
		return fmt.Sprintf("The reference is a short name: Podman chose the registry (its aliases and unqualified-search registries) and "+
			"gave it that registry's own entry of the auth files, if any (looked in %s). Name the registry in the reference, "+
			"log in with `podman login <registry>`, or pass %s.", strings.Join(rc.Searched, ", "), header)
	case rc.Registry == "" && rc.Source == "": // a build: its registries are named in the Containerfile
		return fmt.Sprintf("No registry credentials were found (looked in %s). Log in with `podman login <registry>` "+
			"so they are in an auth file, or pass %s (base64url of {\"<registry>\": {\"username\":…,\"password\":…}}).", strings.Join(rc.Searched, ", "), header)
	case rc.Registry == "":
		return fmt.Sprintf("A registry refused the credentials sent in %s (from %s); log in again with `podman login <registry>`.", header, rc.Source)
	case rc.Source == "":
		return fmt.Sprintf("No credentials for %s were found (looked in %s). Pass %s (base64url of {\"username\":…,\"password\":…}), "+
			"or log in with `podman login %s` so they are in an auth file.", rc.Registry, strings.Join(rc.Searched, ", "), header, rc.Registry)
	}
	return fmt.Sprintf("The registry %s refused the credentials for it in %s; log in again with `podman login %s` or pass %s.", rc.Registry, rc.Source, rc.Registry, header)
}

// authFiles are the containers auth files in the order Podman reads them.
func authFiles() []string {
	var files []string
	if f := os.Getenv("REGISTRY_AUTH_FILE"); f != "" {
		files = append(files, f)
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		files = append(files, filepath.Join(d, "containers", "auth.json"))
	}
	home, _ := os.UserHomeDir()
	cfg := os.Getenv("XDG_CONFIG_HOME")
	if cfg == "" && home != "" {
		cfg = filepath.Join(home, ".config")
	}
	if cfg != "" {
		files = append(files, filepath.Join(cfg, "containers", "auth.json"))
	}
	if home != "" {
		files = append(files, filepath.Join(home, ".docker", "config.json"))
	}
	return files
}

type authFileEntry struct {
	Auth          string `json:"auth"`
	IdentityToken string `json:"identitytoken"`
	Username      string `json:"username"`
	Password      string `json:"password"`
}

// lookupAuthFiles finds the credentials for ref: the first file with an entry for it
// wins; within a file the most specific key (registry/namespace/repo) wins. A file that
// exists but cannot be read is an error naming it (never its content).
func lookupAuthFiles(ref string) (*authConfig, string, []string, error) {
	keys := authKeys(ref)
	var searched []string
	for _, f := range authFiles() {
		searched = append(searched, f)
		entries, err := readAuthFile(f)
		if err != nil {
			return nil, "", searched, err
		}
		for _, k := range keys {
			e, ok := entries[k]
			if !ok {
				continue
			}
			ac, err := e.config()
			if err != nil {
				return nil, "", searched, fmt.Errorf("the entry for %s in the registry auth file %s: %v", k, f, err)
			}
			return ac, f, searched, nil
		}
	}
	return nil, "", searched, nil
}

// readAuthFile reads one auth file's entries under normalized keys; a missing file has none.
// A file that cannot be read is an error naming it (never its content).
func readAuthFile(f string) (map[string]authFileEntry, error) {
	data, err := os.ReadFile(f)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the registry auth file %s: %v", f, allowdirs.PathCause(err))
	}
	var doc struct {
		Auths map[string]authFileEntry `json:"auths"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("the registry auth file %s is not valid JSON ({\"auths\": {…}})", f)
	}
	entries := make(map[string]authFileEntry, len(doc.Auths))
	for k, e := range doc.Auths {
		entries[normalizeAuthKey(k)] = e
	}
	return entries, nil
}

func (e authFileEntry) config() (*authConfig, error) {
	if e.IdentityToken != "" {
		return &authConfig{Username: e.Username, IdentityToken: e.IdentityToken}, nil
	}
	if e.Auth != "" {
		b, err := decodeBase64(e.Auth)
		if err != nil {
			return nil, errors.New(`"auth" is not base64 of user:password`)
		}
		user, pass, ok := strings.Cut(string(b), ":")
		if !ok {
			return nil, errors.New(`"auth" is not base64 of user:password`)
		}
		return &authConfig{Username: user, Password: pass}, nil
	}
	if e.Username != "" {
		return &authConfig{Username: e.Username, Password: e.Password}, nil
	}
	return nil, errors.New("it has no credentials (credential helpers are not supported)")
}

func decodeBase64(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not base64")
}

// normalizeAuthKey makes Docker's keys ("https://index.docker.io/v1/") comparable with
// containers' keys ("docker.io", "quay.io/ns/repo").
func normalizeAuthKey(k string) string {
	k = strings.TrimPrefix(strings.TrimPrefix(k, "https://"), "http://")
	k = strings.TrimSuffix(k, "/")
	k = strings.TrimSuffix(strings.TrimSuffix(k, "/v1"), "/v2")
	host, rest, _ := strings.Cut(k, "/")
	switch host {
	case "index.docker.io", "registry-1.docker.io":
		host = "docker.io"
	}
	if rest != "" {
		return host + "/" + rest
	}
	return host
}

// splitReference gives the registry host and repository path of an image reference, the
// way Podman reads it.
func splitReference(ref string) (host, repo string) {
	return upstream.SplitImageReference(ref)
}

func registryOf(ref string) string {
	h, _ := splitReference(ref)
	return h
}

// authKeys are the auth file keys that match ref, most specific first.
func authKeys(ref string) []string {
	host, repo := splitReference(ref)
	if host == "" {
		return nil
	}
	var keys []string
	parts := strings.Split(repo, "/")
	for i := len(parts); i > 0; i-- {
		keys = append(keys, host+"/"+strings.Join(parts[:i], "/"))
	}
	return append(keys, host)
}

// FinishRegistryResult says, when the registry refused access, which credentials were
// used and how to give others. (The credentials themselves are masked where the server's
// output leaves it: internal/redact.)
func FinishRegistryResult(res *mcp.CallToolResult, t *capabilities.Tool, rc *RegistryCreds) *mcp.CallToolResult {
	if res == nil || rc == nil {
		return res
	}
	if res.IsError && len(res.Content) > 0 {
		if tc, ok := res.Content[0].(*mcp.TextContent); ok && looksUnauthorized(tc.Text) {
			tc.Text += "\n\n" + rc.unauthorizedHint(t.RegistryAuth.Header)
		}
	}
	return res
}

// looksUnauthorized reads Podman's own message, the only signal there is: a registry's
// refusal reaches image-mcp as text inside a 200 stream's error member or a 500 body
// (no status or error type of its own), worded "unauthorized" by Podman 4.x and
// "authentication required" by 5.x.
func looksUnauthorized(s string) bool {
	s = strings.ToLower(s)
	return strings.Contains(s, "unauthorized") || strings.Contains(s, "authentication required") ||
		strings.Contains(s, "401") && strings.Contains(s, "auth")
}
