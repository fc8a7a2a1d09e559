package cli

import (
	"bytes"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

func getenv(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

// Every setting with a bad value stops the start: exit code 2, and a message naming the
// flag or variable and what it accepts. Nothing is served and stdout stays empty.
func TestBadSettingStopsStart(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{name: "timeout env, no unit", env: map[string]string{"IMAGE_MCP_TIMEOUT": "5"}, want: `IMAGE_MCP_TIMEOUT="5": want a duration such as 90s or 5m, 0 for none`},
		{name: "timeout env, negative", env: map[string]string{"IMAGE_MCP_TIMEOUT": "-1s"}, want: `IMAGE_MCP_TIMEOUT="-1s": want a duration`},
		{name: "timeout flag", args: []string{"--timeout=soon"}, want: `--timeout "soon": want a duration such as 90s or 5m, 0 for none`},
		{name: "max output env", env: map[string]string{"IMAGE_MCP_MAX_OUTPUT_BYTES": "lots"}, want: `IMAGE_MCP_MAX_OUTPUT_BYTES="lots": want a number of bytes from 1 to 500000: every answer must fit what a tool may declare it answers (_meta anthropic/maxResultSizeChars)`},
		{name: "max output env, none", env: map[string]string{"IMAGE_MCP_MAX_OUTPUT_BYTES": "0"}, want: `IMAGE_MCP_MAX_OUTPUT_BYTES="0": want a number of bytes from 1 to 500000: every answer must fit what a tool may declare it answers (_meta anthropic/maxResultSizeChars)`},
		{name: "max output flag, over what a tool may declare", args: []string{"--max-output-bytes", "500001"}, want: `--max-output-bytes "500001": want a number of bytes from 1 to 500000: every answer must fit what a tool may declare it answers (_meta anthropic/maxResultSizeChars)`},
		{name: "max output env, negative", env: map[string]string{"IMAGE_MCP_MAX_OUTPUT_BYTES": "-5"}, want: `IMAGE_MCP_MAX_OUTPUT_BYTES="-5": want a number of bytes`},
		{name: "max output flag", args: []string{"--max-output-bytes", "1e3"}, want: `--max-output-bytes "1e3": want a number of bytes from 1 to 500000: every answer must fit what a tool may declare it answers (_meta anthropic/maxResultSizeChars)`},
		{name: "max answer env, zero", env: map[string]string{"IMAGE_MCP_MAX_ANSWER_BYTES": "0"}, want: `IMAGE_MCP_MAX_ANSWER_BYTES="0": want a number of bytes above 0`},
		{name: "max answer flag", args: []string{"--max-answer-bytes", "256MiB"}, want: `--max-answer-bytes "256MiB": want a number of bytes above 0`},
		{name: "stream idle env", env: map[string]string{"IMAGE_MCP_STREAM_IDLE_TIMEOUT": "30"}, want: `IMAGE_MCP_STREAM_IDLE_TIMEOUT="30": want a duration such as 30m or 1h, 0 for never`},
		{name: "stream idle flag, negative", args: []string{"--stream-idle-timeout=-1m"}, want: `--stream-idle-timeout "-1m": want a duration`},
		{name: "log level env", env: map[string]string{"IMAGE_MCP_LOG_LEVEL": "loud"}, want: `IMAGE_MCP_LOG_LEVEL="loud": want debug, info, warn or error`},
		{name: "log level flag", args: []string{"--log-level", "loud"}, want: `--log-level "loud": want debug, info, warn or error`},
		{name: "read-only env", env: map[string]string{"IMAGE_MCP_READ_ONLY": "yes"}, want: `IMAGE_MCP_READ_ONLY="yes": want true or false`},
		{name: "read-only flag", args: []string{"--read-only=perhaps"}, want: `--read-only "perhaps": want true or false`},
		{name: "disable-destructive env", env: map[string]string{"IMAGE_MCP_DISABLE_DESTRUCTIVE": "on"}, want: `IMAGE_MCP_DISABLE_DESTRUCTIVE="on": want true or false`},
		{name: "disable-destructive flag", args: []string{"--disable-destructive=on"}, want: `--disable-destructive "on": want true or false`},
		{name: "no-autostart env", env: map[string]string{"IMAGE_MCP_NO_AUTOSTART": "yes"}, want: `IMAGE_MCP_NO_AUTOSTART="yes": want true or false`},
		{name: "no-autostart flag", args: []string{"--no-autostart=yes"}, want: `--no-autostart "yes": want true or false`},
		{name: "confirm env", env: map[string]string{"IMAGE_MCP_CONFIRM_DESTRUCTIVE": "maybe"}, want: `IMAGE_MCP_CONFIRM_DESTRUCTIVE="maybe": want allow or deny`},
		{name: "confirm flag", args: []string{"--confirm-destructive=maybe"}, want: `--confirm-destructive "maybe": want allow or deny`},
		{name: "rox insecure flag", args: []string{"--rox-insecure-skip-tls-verify=sure"}, want: `--rox-insecure-skip-tls-verify "sure": want true or false`},
		{name: "version flag", args: []string{"--version=please"}, want: `--version "please": want true or false`},
		{name: "list-tools flag", args: []string{"--list-tools=all"}, want: `--list-tools "all": want true or false`},
		{name: "toolsets env", env: map[string]string{"IMAGE_MCP_TOOLSETS": "kubernetes"}, want: `unknown toolset "kubernetes"; valid toolsets: podman, stackrox`},
		{name: "toolsets flag", args: []string{"--toolsets=kubernetes"}, want: `--toolsets: unknown toolset "kubernetes"; valid toolsets: podman, stackrox`},
		{name: "enabled tools env", env: map[string]string{"IMAGE_MCP_ENABLED_TOOLS": "no-such-tool"}, want: `unknown tool "no-such-tool"; valid tools:`},
		{name: "disabled tools flag", args: []string{"--disabled-tools=no-such-tool"}, want: `--disabled-tools: unknown tool "no-such-tool"; valid tools:`},
		{name: "capability env", env: map[string]string{"IMAGE_MCP_CAPABILITIES": missing + ".yaml"}, want: "IMAGE_MCP_CAPABILITIES " + missing + ".yaml: "},
		{name: "capability flag", args: []string{"--capability", missing + ".yaml"}, want: "--capability " + missing + ".yaml: "},
		{name: "allowed dirs env", env: map[string]string{"IMAGE_MCP_ALLOWED_DIRS": missing}, want: "IMAGE_MCP_ALLOWED_DIRS: allowed directory " + missing},
		{name: "allowed dirs flag", args: []string{"--allowed-dirs", missing}, want: "--allowed-dirs: allowed directory " + missing},
		// A list that names no directory must not start the server with no rule.
		{name: "allowed dirs flag empty", args: []string{"--allowed-dirs", ""}, want: "--allowed-dirs: names no directory"},
		{name: "allowed dirs flag comma", args: []string{"--allowed-dirs", ","}, want: "--allowed-dirs: names no directory"},
		{name: "allowed dirs flag blank", args: []string{"--allowed-dirs", " "}, want: "--allowed-dirs: names no directory"},
		{name: "allowed dirs env colon", env: map[string]string{"IMAGE_MCP_ALLOWED_DIRS": ":"}, want: "IMAGE_MCP_ALLOWED_DIRS: names no directory"},
		{name: "allowed dirs env blank", env: map[string]string{"IMAGE_MCP_ALLOWED_DIRS": " "}, want: "IMAGE_MCP_ALLOWED_DIRS: names no directory"},
		{name: "cpu profile env", env: map[string]string{"IMAGE_MCP_CPUPROFILE": filepath.Join(missing, "cpu.out")}, want: `IMAGE_MCP_CPUPROFILE="` + filepath.Join(missing, "cpu.out") + `": `},
		{name: "unknown flag", args: []string{"--read-onyl"}, want: "flag provided but not defined: -read-onyl"},
		{name: "flag without its value", args: []string{"--timeout"}, want: "flag needs an argument: -timeout"},
		{name: "unexpected argument", args: []string{"serve"}, want: `unexpected argument "serve": the only command is doctor`},
		{name: "unexpected argument after doctor", args: []string{"doctor", "now"}, want: `unexpected argument "now"`},
		{name: "bad value after doctor", args: []string{"doctor", "--timeout=5"}, want: `--timeout "5": want a duration`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Main(Build{Version: "test"}, tc.args, getenv(tc.env), io.NopCloser(strings.NewReader("")), &stdout, &stderr)
			if code != 2 || !strings.Contains(stderr.String(), tc.want) {
				t.Fatalf("exit %d, want 2 and %q on stderr:\n%s", code, tc.want, stderr.String())
			}
			if stdout.Len() != 0 {
				t.Fatalf("stdout is not empty: %q", stdout.String())
			}
		})
	}
}

// Every bad setting is reported at once, one line each.
func TestBadSettingsAllReported(t *testing.T) {
	var stderr bytes.Buffer
	env := map[string]string{"IMAGE_MCP_TIMEOUT": "5", "IMAGE_MCP_MAX_OUTPUT_BYTES": "lots"}
	code := Main(Build{}, []string{"--read-only=perhaps"}, getenv(env), io.NopCloser(strings.NewReader("")), io.Discard, &stderr)
	want := "image-mcp: --read-only \"perhaps\": want true or false\n" +
		"image-mcp: IMAGE_MCP_TIMEOUT=\"5\": want a duration such as 90s or 5m, 0 for none\n" +
		"image-mcp: IMAGE_MCP_MAX_OUTPUT_BYTES=\"lots\": want a number of bytes from 1 to 500000: every answer must fit what a tool may declare it answers (_meta anthropic/maxResultSizeChars), or Claude Code hands the model a file path and a 2 KB preview instead\n"
	if code != 2 || stderr.String() != want {
		t.Fatalf("exit %d, stderr:\n%s\nwant:\n%s", code, stderr.String(), want)
	}
}

// Good values are read: defaults when unset, the variable when set, the flag winning.
func TestValidateReadsSettings(t *testing.T) {
	cases := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(*Options) bool
	}{
		{"defaults", nil, nil, func(o *Options) bool {
			return o.Timeout == 2*time.Minute && o.MaxOutputBytes == 40_000 && o.LogLevel == zerolog.InfoLevel &&
				o.MaxAnswerBytes == 256<<20 && o.StreamIdle == 30*time.Minute &&
				o.ConfirmDestructive == "allow" && !o.Filter.ReadOnly && !o.NoAutostart && len(o.AllowedDirs) == 0 && len(o.Capabilities) == 0
		}},
		{"environment", nil, map[string]string{"IMAGE_MCP_TIMEOUT": "5s", "IMAGE_MCP_MAX_OUTPUT_BYTES": "500000", "IMAGE_MCP_READ_ONLY": " true ",
			"IMAGE_MCP_MAX_ANSWER_BYTES": "1048576", "IMAGE_MCP_STREAM_IDLE_TIMEOUT": "0",
			"IMAGE_MCP_CONFIRM_DESTRUCTIVE": "deny", "IMAGE_MCP_LOG_LEVEL": "debug", "IMAGE_MCP_TOOLSETS": "podman",
			"IMAGE_MCP_CAPABILITIES": "a.yaml" + string(filepath.ListSeparator) + "b.yaml", "IMAGE_MCP_ALLOWED_DIRS": "/x" + string(filepath.ListSeparator) + "/y"},
			func(o *Options) bool {
				return o.Timeout == 5*time.Second && o.MaxOutputBytes == 500_000 && o.Filter.ReadOnly && o.ConfirmDestructive == "deny" &&
					o.MaxAnswerBytes == 1<<20 && o.StreamIdle == 0 &&
					o.LogLevel == zerolog.DebugLevel && strings.Join(o.Filter.Toolsets, ",") == "podman" &&
					strings.Join(o.Capabilities, ",") == "a.yaml,b.yaml" && strings.Join(o.AllowedDirs, ",") == "/x,/y" && o.AllowedDirsFrom == "IMAGE_MCP_ALLOWED_DIRS"
			}},
		{"flags win", []string{"--timeout=0", "--read-only=false", "--capability", "c.yaml", "--allowed-dirs", "/z,/w", "--toolsets="},
			map[string]string{"IMAGE_MCP_TIMEOUT": "5s", "IMAGE_MCP_READ_ONLY": "true", "IMAGE_MCP_CAPABILITIES": "a.yaml", "IMAGE_MCP_ALLOWED_DIRS": "/x", "IMAGE_MCP_TOOLSETS": "podman"},
			func(o *Options) bool {
				return o.Timeout == 0 && !o.Filter.ReadOnly && strings.Join(o.Capabilities, ",") == "c.yaml" &&
					strings.Join(o.AllowedDirs, ",") == "/z,/w" && o.AllowedDirsFrom == "--allowed-dirs" && len(o.Filter.Toolsets) == 0
			}},
		{"bool flag alone, doctor's flags", []string{"--read-only", "doctor", "--no-autostart"}, nil, func(o *Options) bool {
			return o.Filter.ReadOnly && o.NoAutostart && o.Doctor
		}},
		{"connections from their variables", nil, map[string]string{"CONTAINER_HOST": "unix:///p.sock", "CONTAINER_SSHKEY": "/k", "IMAGE_MCP_SSH_KNOWN_HOSTS": "/kh",
			"ROX_ENDPOINT": "c:443", "STACKROX_API_KEY": "seed", "ROX_API_TOKEN_FILE": "/t", "ROX_CA_CERT_FILE": "/ca", "ROX_SERVER_NAME": "c.example",
			"ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY": "true"},
			func(o *Options) bool {
				return o.PodmanURL == "unix:///p.sock" && o.PodmanURLFrom == "CONTAINER_HOST" && o.PodmanIdentity == "/k" && o.PodmanKnownHosts == "/kh" &&
					o.RoxEndpoint == "c:443" && o.RoxToken == "seed" && o.RoxTokenFile == "/t" && o.RoxCAFile == "/ca" && o.RoxServerName == "c.example" &&
					o.RoxInsecure && o.RoxErr == nil
			}},
		{"connection flags win", []string{"--podman-url", "tcp://h:1", "--rox-endpoint", "d:443", "--rox-insecure-skip-tls-verify=false"},
			map[string]string{"CONTAINER_HOST": "unix:///p.sock", "ROX_ENDPOINT": "c:443", "ROX_API_TOKEN": "rox", "STACKROX_API_KEY": "seed",
				"ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY": "true"},
			func(o *Options) bool {
				return o.PodmanURL == "tcp://h:1" && o.PodmanURLFrom == "--podman-url" && o.RoxEndpoint == "d:443" && o.RoxToken == "rox" && !o.RoxInsecure
			}},
		// A bad connection setting is the answer of the tools that need it, not a stop.
		{"bad ROX_ variable", nil, map[string]string{"ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY": "yes please"}, func(o *Options) bool {
			return !o.RoxInsecure && o.RoxErr != nil &&
				o.RoxErr.Error() == `ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY="yes please": want true or false; the StackRox tools are off until it is fixed`
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := NewOptions(io.Discard)
			if err := o.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			if err := o.Validate(getenv(tc.env)); err != nil {
				t.Fatal(err)
			}
			if !tc.check(o) {
				t.Fatalf("options read wrong: %+v", o)
			}
		})
	}
}

// Podman's discovery reads the environment Main was given, not the process's.
func TestPodmanEnvFromMain(t *testing.T) {
	for _, k := range []string{"CONTAINER_HOST", "CONTAINER_CONNECTION", "CONTAINER_SSHKEY", "SSH_AUTH_SOCK", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME",
		"CONTAINERS_CONF", "CONTAINERS_CONF_OVERRIDE", "PODMAN_CONNECTIONS_CONF", "HOME", "IMAGE_MCP_SSH_KNOWN_HOSTS"} {
		t.Setenv(k, "/from-the-process")
	}
	env := map[string]string{"CONTAINER_HOST": "unix:///given.sock", "CONTAINER_CONNECTION": "given", "CONTAINER_SSHKEY": "/given-key",
		"SSH_AUTH_SOCK": "/given-agent", "XDG_RUNTIME_DIR": "/given-run", "XDG_CONFIG_HOME": "/given-config", "CONTAINERS_CONF": "/given.conf",
		"CONTAINERS_CONF_OVERRIDE": "/given-over.conf", "PODMAN_CONNECTIONS_CONF": "/given.json", "HOME": "/given-home"}
	o := NewOptions(io.Discard)
	if err := o.Validate(getenv(env)); err != nil {
		t.Fatal(err)
	}
	got := podmanEnv(o)
	fields := []string{got.ContainerHost, got.ContainerConnection, got.SSHKey, got.SSHAuthSock, got.XDGRuntimeDir, got.XDGConfigHome,
		got.ContainersConf, got.ContainersConfOver, got.ConnectionsConf, got.Home}
	if strings.Join(fields, ",") != "unix:///given.sock,given,/given-key,/given-agent,/given-run,/given-config,/given.conf,/given-over.conf,/given.json,/given-home" ||
		got.Flag != "" || got.KnownHosts != "" {
		t.Fatalf("Podman's environment is not the one given: %+v", got)
	}
}
