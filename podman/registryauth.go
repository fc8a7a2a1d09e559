package podman

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/internal/allowdirs"
	"github.com/image-mcp/image-mcp/upstream"
)

// RegistryCreds is what a call sends as registry credentials, kept so that the values can
// be scrubbed from anything the call returns.
type RegistryCreds struct {
	Registry string   // the registry host the image reference names
	Source   string   // "argument" or the auth file the credentials came from; "" if none
	Searched []string // auth files looked at
	secrets  []string
}

// authConfig is the JSON Podman decodes from X-Registry-Auth (pkg/auth: base64url of
// Docker's AuthConfig).
type authConfig struct {
	Username      string `json:"username,omitempty"`
	Password      string `json:"password,omitempty"`
	IdentityToken string `json:"identitytoken,omitempty"`
}

// ApplyRegistryAuth puts registry credentials into the request per the tool's rule: the
// header argument as given (JSON is encoded for the caller), else the entry of the
// user's auth files that matches the image's registry.
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
	rc := &RegistryCreds{Registry: registryOf(ref)}
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
	if rule.All {
		all, files, searched, err := allAuthFileConfigs()
		rc.Searched = searched
		if err != nil || len(all) == 0 {
			return rc, err
		}
		b, _ := json.Marshal(all)
		enc := base64.URLEncoding.EncodeToString(b)
		rc.Source = strings.Join(files, ", ")
		for _, ac := range all {
			rc.secrets = append(rc.secrets, ac.Password, ac.IdentityToken)
		}
		rc.secrets = append(rc.secrets, enc)
		req.Header.Set(rule.Header, enc)
		return rc, nil
	}
	if rc.Registry == "" {
		return rc, nil
	}
	ac, file, searched, err := lookupAuthFiles(ref)
	rc.Searched = searched
	if err != nil || ac == nil {
		return rc, err
	}
	b, _ := json.Marshal(ac)
	enc := base64.URLEncoding.EncodeToString(b)
	rc.Source = file
	rc.secrets = append(rc.secrets, ac.Password, ac.IdentityToken, enc)
	req.Header.Set(rule.Header, enc)
	return rc, nil
}

// configSecrets are the password and token values in an auth config, or in a map of them
// (X-Registry-Config), so that they can be scrubbed.
func configSecrets(b []byte) []string {
	var out []string
	var one authConfig
	if json.Unmarshal(b, &one) == nil {
		out = append(out, one.Password, one.IdentityToken)
	}
	var many map[string]authConfig
	if json.Unmarshal(b, &many) == nil {
		for _, ac := range many {
			out = append(out, ac.Password, ac.IdentityToken)
		}
	}
	return out
}

// allAuthFileConfigs gathers the credentials of every registry in the auth files; for a
// registry in several files, the first file wins, as for lookupAuthFiles. Entries without
// credentials of their own (credential helpers) are left out.
func allAuthFileConfigs() (map[string]authConfig, []string, []string, error) {
	all := map[string]authConfig{}
	var used, searched []string
	for _, f := range authFiles() {
		searched = append(searched, f)
		entries, err := readAuthFile(f)
		if err != nil {
			return nil, nil, searched, err
		}
		added := false
		for k, e := range entries {
			if _, seen := all[k]; seen {
				continue
			}
			if ac, err := e.config(); err == nil {
				all[k], added = *ac, true
			}
		}
		if added {
			used = append(used, f)
		}
	}
	return all, used, searched, nil
}

// scrub removes credential values from text that leaves the server.
func (rc *RegistryCreds) scrub(s string) string {
	if rc == nil {
		return s
	}
	for _, sec := range rc.secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return s
}

// unauthorizedHint says what credentials were used and how to give others.
func (rc *RegistryCreds) unauthorizedHint(header string) string {
	if rc == nil {
		return ""
	}
	if rc.Registry == "" { // a build: its registries are named in the Containerfile
		if rc.Source == "" {
			return fmt.Sprintf("No registry credentials were found (looked in %s). Log in with `podman login <registry>` "+
				"so they are in an auth file, or pass %s (base64url of {\"<registry>\": {\"username\":…,\"password\":…}}).", strings.Join(rc.Searched, ", "), header)
		}
		return fmt.Sprintf("A registry refused the credentials sent in %s (from %s); log in again with `podman login <registry>`.", header, rc.Source)
	}
	switch rc.Source {
	case "argument":
		return fmt.Sprintf("The registry %s refused the credentials given in %s; check the user name and password.", rc.Registry, header)
	case "":
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

// FinishRegistryResult scrubs credentials from a result and, when the registry refused
// access, says which credentials were used and how to give others.
func FinishRegistryResult(res *mcp.CallToolResult, t *capabilities.Tool, rc *RegistryCreds) *mcp.CallToolResult {
	if res == nil {
		return nil
	}
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			tc.Text = rc.scrub(tc.Text)
		}
	}
	if raw, ok := res.StructuredContent.(json.RawMessage); ok {
		res.StructuredContent = json.RawMessage(rc.scrub(string(raw)))
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
