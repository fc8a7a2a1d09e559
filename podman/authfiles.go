package podman

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/image-mcp/image-mcp/internal/allowdirs"
)

// The registry auth files, read as containers/image reads them: which files, in which
// order, under which keys.

// allAuthFileConfigs gathers the credentials of every registry in the auth files, and the
// file each came from; for a registry in several files, the first file wins, as for
// lookupAuthFiles. Entries without credentials of their own (credential helpers) are left
// out.
func allAuthFileConfigs(files []string) (all map[string]authConfig, from map[string]string, searched []string, err error) {
	all, from = map[string]authConfig{}, map[string]string{}
	for _, f := range files {
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

// authFiles are the containers auth files in the order Podman reads them, from env.
func authFiles(env Env) []string {
	var files []string
	if f := env.RegistryAuthFile; f != "" {
		files = append(files, f)
	}
	if d := env.XDGRuntimeDir; d != "" {
		files = append(files, filepath.Join(d, "containers", "auth.json"))
	}
	home := env.Home
	cfg := env.XDGConfigHome
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
func lookupAuthFiles(files []string, ref string) (*authConfig, string, []string, error) {
	keys := authKeys(ref)
	var searched []string
	for _, f := range files {
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
