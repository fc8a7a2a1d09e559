package podman

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
)

// destination is one `podman system connection`, as containers/common stores it.
type destination struct {
	URI       string
	Identity  string
	IsMachine bool
}

// connections are the `podman system connection`s of the user: podman-connections.json
// (Podman ≥ 4.9 writes there) over containers.conf `[engine.service_destinations]`.
type connections struct {
	Default     string
	Connections map[string]destination
	Files       []string // the files read, for messages
}

func (c connections) describeFiles() string {
	if len(c.Files) == 0 {
		return "the connection files (none found)"
	}
	return strings.Join(c.Files, ", ")
}

// endpoint points ep at a connection. An identity given to image-mcp (--podman-identity,
// CONTAINER_SSHKEY) wins over the connection's own.
func (c connections) endpoint(ep Endpoint, d destination) Endpoint {
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
		Connections map[string]destination
	}
}

// readConnections reads the connection files the way containers/common does: containers.conf
// files in order (CONTAINERS_CONF alone when set), then podman-connections.json
// (PODMAN_CONNECTIONS_CONF, else next to the user's containers.conf), whose entries and
// default win. Files that do not exist are skipped; a file that cannot be parsed is an error
// (the others are still used).
func readConnections(env Env) (connections, error) {
	cs := connections{Connections: map[string]destination{}}
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

// confFile is the part of a containers.conf discovery reads: `[engine] active_service`
// and the `[engine.service_destinations.NAME]` tables (or inline tables). Every other key
// and table is left to the TOML parser to skip, as containers/common's own reader does.
type confFile struct {
	Engine struct {
		ActiveService       string `toml:"active_service"`
		ServiceDestinations map[string]struct {
			URI       string `toml:"uri"`
			Identity  string `toml:"identity"`
			IsMachine bool   `toml:"is_machine"`
		} `toml:"service_destinations"`
	} `toml:"engine"`
}

// parseContainersConf reads a containers.conf with the TOML parser containers/common uses.
func parseContainersConf(data []byte) (active string, dests map[string]destination, err error) {
	var c confFile
	if _, err := toml.Decode(string(data), &c); err != nil {
		return "", nil, err
	}
	dests = make(map[string]destination, len(c.Engine.ServiceDestinations))
	for name, d := range c.Engine.ServiceDestinations {
		dests[name] = destination{URI: d.URI, Identity: d.Identity, IsMachine: d.IsMachine}
	}
	return c.Engine.ActiveService, dests, nil
}

func expandHome(p, home string) string {
	if home != "" && (p == "~" || strings.HasPrefix(p, "~/")) {
		return filepath.Join(home, strings.TrimPrefix(p, "~"))
	}
	return p
}
