package podman

import (
	"maps"
	"strings"
	"testing"
)

// confCase is a containers.conf and what parseContainersConf reads from it.
type confCase struct {
	name    string
	conf    string
	active  string
	dests   map[string]destination
	errText string
}

// confCases are real containers.conf shapes: what Podman itself writes and what people
// write by hand.
var confCases = []confCase{
	{
		// What `podman machine init` (Podman 4.x) writes into the user's containers.conf.
		name: "podman machine",
		conf: `[containers]
  netns = "bridge"

[engine]
  active_service = "podman-machine-default"
  [engine.service_destinations]
    [engine.service_destinations.podman-machine-default]
      uri = "ssh://core@127.0.0.1:50123/run/user/501/podman/podman.sock"
      identity = "/Users/me/.ssh/podman-machine-default"
      is_machine = true
    [engine.service_destinations.podman-machine-default-root]
      uri = "ssh://root@127.0.0.1:50123/run/podman/podman.sock"
      identity = "/Users/me/.ssh/podman-machine-default"
      is_machine = true

[machine]
  cpus = 2
  disk_size = 100
  image = "testing"
  memory = 2048
`,
		active: "podman-machine-default",
		dests: map[string]destination{
			"podman-machine-default":      {URI: "ssh://core@127.0.0.1:50123/run/user/501/podman/podman.sock", Identity: "/Users/me/.ssh/podman-machine-default", IsMachine: true},
			"podman-machine-default-root": {URI: "ssh://root@127.0.0.1:50123/run/podman/podman.sock", Identity: "/Users/me/.ssh/podman-machine-default", IsMachine: true},
		},
	},
	{
		// Multi-line arrays and strings whose lines look like tables and keys: only a
		// TOML parser knows they are values.
		name: "multi-line values",
		conf: `[containers]
env = [
  "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  "TERM=xterm",
]
annotation = """
[engine.service_destinations.fake]
uri = "tcp://not-a-destination:1"
"""

[engine]
# helper_binaries_dir = ["/usr/libexec/podman"]
helper_binaries_dir = [
  "/usr/local/libexec/podman",
  "/usr/libexec/podman",
]
active_service = 'lit' # a literal string, then a comment
conmon_env_vars = ["PATH=/usr/bin"]

[engine.runtimes]
runc = [
  "/usr/bin/runc",
  "/usr/sbin/runc",
]

[engine.service_destinations.lit]
uri = "ssh://me@host:22/run/user/1000/podman/podman.sock"
`,
		active: "lit",
		dests:  map[string]destination{"lit": {URI: "ssh://me@host:22/run/user/1000/podman/podman.sock"}},
	},
	{
		// Quoted keys, a dotted-key destination and an inline table.
		name: "quoted keys",
		conf: `[engine.service_destinations."prod.eu"]
uri = "ssh://root@eu.example.com/run/podman/podman.sock"
[engine.service_destinations]
'single' = { uri = "unix:///run/podman/podman.sock", is_machine = false }
`,
		dests: map[string]destination{
			"prod.eu": {URI: "ssh://root@eu.example.com/run/podman/podman.sock"},
			"single":  {URI: "unix:///run/podman/podman.sock"},
		},
	},
	{
		// The Fedora default: everything commented out.
		name:  "all comments",
		conf:  "# The containers configuration file\n#\n[containers]\n\n# default_capabilities = [\n#  \"CHOWN\",\n# ]\n[engine]\n# active_service = \"production\"\n[engine.service_destinations]\n# [engine.service_destinations.production]\n",
		dests: map[string]destination{},
	},
	{name: "unterminated string", conf: "[engine]\nactive_service = \"open\n", errText: "line 2"},
	{name: "wrong type", conf: "[engine]\nactive_service = 3\n", errText: "active_service"},
}

func TestParseContainersConfTable(t *testing.T) {
	for _, c := range confCases {
		t.Run(c.name, func(t *testing.T) {
			active, dests, err := parseContainersConf([]byte(c.conf))
			if c.errText != "" {
				if err == nil || !strings.Contains(err.Error(), c.errText) {
					t.Fatalf("error %v, want one mentioning %q", err, c.errText)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if active != c.active || !maps.Equal(dests, c.dests) {
				t.Fatalf("got %q %+v; want %q %+v", active, dests, c.active, c.dests)
			}
		})
	}
}
