package podman

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/image-mcp/image-mcp/upstream"
)

// registryCreds are what a call sends as registry credentials: where they came from, for
// the hint when a registry refuses them, and the secret values, for the redactor. They
// are the upstream.Prepared of a call with a registryAuth rule.
type registryCreds struct {
	header   string // the header they travel in (the rule's)
	registry string // the registry host the image reference names ("" for a build)
	// shortName: the reference names no registry; Podman picks one (aliases,
	// unqualified-search registries).
	shortName bool
	source    string   // "argument" or the auth file(s) the credentials came from; "" if none
	searched  []string // auth files looked at
	secrets   []string
}

// Secrets are the credential values sent (passwords, tokens, the header itself), to be
// masked in everything the server writes.
func (rc *registryCreds) Secrets() []string { return rc.secrets }

// String says where the credentials come from, for the log.
func (rc *registryCreds) String() string {
	return fmt.Sprintf("registry credentials for %s from %s", cmp.Or(rc.registry, "the build's registries"), cmp.Or(rc.source, "none"))
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

// applyRegistryAuth puts registry credentials into the request per the tool's rule: the
// header argument as given (JSON is encoded for the caller), else the user's auth files
// as the map Podman's own remote client sends (pkg/auth MakeXRegistryAuthHeader and
// MakeXRegistryConfigHeader: each registry its own entry, no default for all). Podman
// writes the map into an auth file of the call and containers/image gives each registry
// it contacts only that registry's entry, so a short name (`centos`) that Podman resolves
// through its aliases or unqualified-search registries never carries docker.io's login
// to another host, as a single config (which Podman presents to whatever registry it
// lands on) would.
// files are the auth files in the order Podman reads them.
func applyRegistryAuth(files []string, c upstream.Call, req *upstream.Request) (*registryCreds, error) {
	rule := c.Tool().RegistryAuth
	if rule == nil {
		return nil, nil
	}
	ref := ""
	for _, name := range rule.Reference {
		if ref = strings.TrimSpace(str(c, name)); ref != "" {
			break
		}
	}
	rc := &registryCreds{header: rule.Header, registry: registryOf(ref), shortName: ref != "" && isShortName(ref)}
	if given := strings.TrimSpace(str(c, rule.Header)); given != "" {
		rc.source = "argument"
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
	if !rule.All && rc.registry == "" {
		return rc, nil // no reference Podman would take: it refuses the call itself
	}
	all, from, searched, err := allAuthFileConfigs(files)
	rc.searched = searched
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
	if rule.All || rc.shortName {
		rc.source = strings.Join(slices.Compact(slices.Sorted(maps.Values(from))), ", ")
		return rc, nil
	}
	// The entry Podman will give the named registry, or why it cannot (a broken entry).
	_, rc.source, _, err = lookupAuthFiles(files, ref)
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

// unauthorizedHint says what credentials were used and how to give others.
func (rc *registryCreds) unauthorizedHint() string {
	header := rc.header
	switch {
	case rc.source == "argument" && rc.registry != "" && !rc.shortName:
		return fmt.Sprintf("The registry %s refused the credentials given in %s; check the user name and password.", rc.registry, header)
	case rc.source == "argument":
		return fmt.Sprintf("A registry refused the credentials given in %s; check the user name and password.", header)
	case rc.shortName:
		return fmt.Sprintf("The reference is a short name: Podman chose the registry (its aliases and unqualified-search registries) and "+
			"gave it that registry's own entry of the auth files, if any (looked in %s). Name the registry in the reference, "+
			"log in with `podman login <registry>`, or pass %s.", strings.Join(rc.searched, ", "), header)
	case rc.registry == "" && rc.source == "": // a build: its registries are named in the Containerfile
		return fmt.Sprintf("No registry credentials were found (looked in %s). Log in with `podman login <registry>` "+
			"so they are in an auth file, or pass %s (base64url of {\"<registry>\": {\"username\":…,\"password\":…}}).", strings.Join(rc.searched, ", "), header)
	case rc.registry == "":
		return fmt.Sprintf("A registry refused the credentials sent in %s (from %s); log in again with `podman login <registry>`.", header, rc.source)
	case rc.source == "":
		return fmt.Sprintf("No credentials for %s were found (looked in %s). Pass %s (base64url of {\"username\":…,\"password\":…}), "+
			"or log in with `podman login %s` so they are in an auth file.", rc.registry, strings.Join(rc.searched, ", "), header, rc.registry)
	}
	return fmt.Sprintf("The registry %s refused the credentials for it in %s; log in again with `podman login %s` or pass %s.", rc.registry, rc.source, rc.registry, header)
}

// Finish says, when the registry refused access, which credentials were used and how to
// give others. (The credentials themselves are masked where the server's output leaves
// it: internal/redact.)
func (rc *registryCreds) Finish(failure string) string {
	if !looksUnauthorized(failure) {
		return failure
	}
	return failure + "\n\n" + rc.unauthorizedHint()
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
