package upstream

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Destination is one `podman system connection`, as containers/common stores it.
type Destination struct {
	URI       string
	Identity  string
	IsMachine bool
}

// Connections are the `podman system connection`s of the user: podman-connections.json
// (Podman ≥ 4.9 writes there) over containers.conf `[engine.service_destinations]`.
type Connections struct {
	Default     string
	Connections map[string]Destination
	Files       []string // the files read, for messages
}

func (c Connections) describeFiles() string {
	if len(c.Files) == 0 {
		return "the connection files (none found)"
	}
	return strings.Join(c.Files, ", ")
}

// endpoint points ep at a connection. An identity given to image-mcp (--podman-identity,
// CONTAINER_SSHKEY) wins over the connection's own.
func (c Connections) endpoint(ep PodmanEndpoint, d Destination) PodmanEndpoint {
	ep.URL = d.URI
	if ep.SSH.Identity == "" {
		ep.SSH.Identity = expandHome(d.Identity, ep.SSH.Home)
	}
	return ep
}

// connectionsFile is the JSON file Podman manages with `podman system connection add`.
type connectionsFile struct {
	Connection struct {
		Default     string
		Connections map[string]Destination
	}
}

// ReadConnections reads the connection files the way containers/common does: containers.conf
// files in order (CONTAINERS_CONF alone when set), then podman-connections.json
// (PODMAN_CONNECTIONS_CONF, else next to the user's containers.conf), whose entries and
// default win. Files that do not exist are skipped; a file that cannot be parsed is an error
// (the others are still used).
func ReadConnections(env PodmanEnv) (Connections, error) {
	cs := Connections{Connections: map[string]Destination{}}
	var errs []error
	userDir := env.XDGConfigHome
	if userDir == "" && env.Home != "" {
		userDir = filepath.Join(env.Home, ".config")
	}
	var confs []string
	if env.ContainersConf != "" {
		confs = []string{env.ContainersConf}
	} else {
		confs = append(confs, env.SystemConfFiles...)
		if userDir != "" {
			user := filepath.Join(userDir, "containers", "containers.conf")
			drop, _ := filepath.Glob(filepath.Join(userDir, "containers", "containers.conf.d", "*.conf"))
			confs = append(append(confs, user), drop...)
		}
	}
	if env.ContainersConfOver != "" {
		confs = append(confs, env.ContainersConfOver)
	}
	for _, f := range confs {
		data, err := os.ReadFile(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		cs.Files = append(cs.Files, f)
		active, dests, err := parseContainersConf(data)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f, err))
		}
		if active != "" {
			cs.Default = active
		}
		for name, d := range dests {
			cs.Connections[name] = d
		}
	}

	jsonPath := env.ConnectionsConf
	if jsonPath == "" && userDir != "" {
		jsonPath = filepath.Join(userDir, "containers", "podman-connections.json")
	}
	if jsonPath != "" {
		data, err := os.ReadFile(jsonPath)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			errs = append(errs, err)
		default:
			cs.Files = append(cs.Files, jsonPath)
			var cf connectionsFile
			if err := json.Unmarshal(data, &cf); err != nil {
				errs = append(errs, fmt.Errorf("%s: not a podman-connections.json: %w", jsonPath, err))
				break
			}
			for name, d := range cf.Connection.Connections {
				cs.Connections[name] = d
			}
			if cf.Connection.Default != "" {
				cs.Default = cf.Connection.Default
			}
		}
	}
	return cs, errors.Join(errs...)
}

var (
	tomlTable = regexp.MustCompile(`^\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$`)
	tomlKV    = regexp.MustCompile(`^([A-Za-z0-9_-]+|"[^"]*"|'[^']*')\s*=\s*(.*)$`)
)

// parseContainersConf reads the two things discovery needs from a containers.conf:
// `[engine] active_service` and the `[engine.service_destinations.NAME]` tables (or inline
// tables under `[engine.service_destinations]`). It is a small reader for this subset of
// TOML, not a TOML parser: other tables and multi-line values are skipped.
func parseContainersConf(data []byte) (active string, dests map[string]Destination, err error) {
	dests = map[string]Destination{}
	var table []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || text[0] == '#' {
			continue
		}
		if m := tomlTable.FindStringSubmatch(text); m != nil {
			table = splitTOMLKey(m[1])
			continue
		}
		m := tomlKV.FindStringSubmatch(text)
		if m == nil || len(table) == 0 || table[0] != "engine" {
			continue
		}
		key := unquoteTOMLKey(m[1])
		switch {
		case len(table) == 1 && key == "active_service":
			v, perr := tomlString(m[2])
			if perr != nil {
				return active, dests, fmt.Errorf("line %d: active_service: %w", line, perr)
			}
			active = v
		case len(table) == 2 && table[1] == "service_destinations":
			d, perr := tomlInlineDest(m[2])
			if perr != nil {
				return active, dests, fmt.Errorf("line %d: service_destinations.%s: %w", line, key, perr)
			}
			dests[key] = d
		case len(table) == 3 && table[1] == "service_destinations":
			d := dests[table[2]]
			if perr := setDestField(&d, key, m[2]); perr != nil {
				return active, dests, fmt.Errorf("line %d: service_destinations.%s.%s: %w", line, table[2], key, perr)
			}
			dests[table[2]] = d
		}
	}
	return active, dests, sc.Err()
}

func setDestField(d *Destination, key, raw string) error {
	switch key {
	case "uri":
		v, err := tomlString(raw)
		d.URI = v
		return err
	case "identity":
		v, err := tomlString(raw)
		d.Identity = v
		return err
	case "is_machine":
		v := strings.TrimSpace(stripTOMLComment(raw))
		d.IsMachine = v == "true"
	}
	return nil
}

// tomlInlineDest reads `{ uri = "…", identity = "…", is_machine = true }`.
func tomlInlineDest(raw string) (Destination, error) {
	var d Destination
	s := strings.TrimSpace(stripTOMLComment(raw))
	if !strings.HasPrefix(s, "{") || !strings.HasSuffix(s, "}") {
		return d, fmt.Errorf("want an inline table { uri = \"…\" }")
	}
	for _, part := range splitOutsideQuotes(s[1:len(s)-1], ',') {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		if err := setDestField(&d, unquoteTOMLKey(strings.TrimSpace(k)), v); err != nil {
			return d, err
		}
	}
	return d, nil
}

// tomlString reads a basic ("…", with escapes) or literal ('…') string value.
func tomlString(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if strings.HasPrefix(s, "'") {
		end := strings.Index(s[1:], "'")
		if end < 0 {
			return "", fmt.Errorf("unterminated string %s", s)
		}
		return s[1 : end+1], nil
	}
	if strings.HasPrefix(s, `"`) {
		for i := 1; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case '"':
				return strconv.Unquote(s[:i+1])
			}
		}
		return "", fmt.Errorf("unterminated string %s", s)
	}
	return "", fmt.Errorf("want a quoted string, got %s", s)
}

func stripTOMLComment(s string) string {
	parts := splitOutsideQuotes(s, '#')
	return parts[0]
}

// splitOutsideQuotes splits s at sep where sep is not inside a quoted string.
func splitOutsideQuotes(s string, sep byte) []string {
	var parts []string
	var quote byte
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == sep:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

func splitTOMLKey(k string) []string {
	parts := splitOutsideQuotes(k, '.')
	for i, p := range parts {
		parts[i] = unquoteTOMLKey(strings.TrimSpace(p))
	}
	return parts
}

func unquoteTOMLKey(k string) string {
	if len(k) >= 2 && (k[0] == '"' || k[0] == '\'') && k[len(k)-1] == k[0] {
		if k[0] == '"' {
			if u, err := strconv.Unquote(k); err == nil {
				return u
			}
		}
		return k[1 : len(k)-1]
	}
	return k
}

func expandHome(p, home string) string {
	if home != "" && (p == "~" || strings.HasPrefix(p, "~/")) {
		return filepath.Join(home, strings.TrimPrefix(p, "~"))
	}
	return p
}
