package cli

import (
	"fmt"
	"os"
	"slices"

	"github.com/image-mcp/image-mcp/tools"
)

// table is the settings table: every flag and environment variable of image-mcp, one
// row each, bound to the field of o it fills. The flags, the reading of the environment,
// validation, -h and docs/settings.md (checked by TestSettingsDoc) all come from it, in
// this order. Nothing else in the command reads a setting's variable.
func (o *Options) table() []*setting {
	return slices.Concat(o.commandSettings(), o.podmanSettings(), o.centralSettings(), o.filterSettings(),
		o.limitSettings(), o.safetySettings())
}

// commandSettings are the command's own.
func (o *Options) commandSettings() []*setting {
	return []*setting{
		{flag: "version", read: value(&o.Version, "true or false", parseBool),
			help: "print the version and exit"},
		{flag: "list-tools", read: value(&o.ListTools, "true or false", parseBool),
			help: "print the tools and prompts that would be served (after filters) and exit"},
		// A CPU profile of the run, for the bench (go run ./bench -cpuprofile-dir DIR).
		{env: "IMAGE_MCP_CPUPROFILE", hidden: true, read: text(&o.CPUProfile)},
	}
}

// podmanSettings say where Podman's service is and how to reach it.
func (o *Options) podmanSettings() []*setting {
	return []*setting{
		{flag: "podman-url", env: "CONTAINER_HOST", arg: "url", read: text(&o.PodmanURL), from: &o.PodmanURLFrom,
			help: "Podman service URL, unix:///path/to/podman.sock, tcp://host:port or ssh://user@host[:port]/path/to/podman.sock (default: CONTAINER_HOST, then the podman system connection, then the usual sockets)"},
		{flag: "podman-identity", env: "CONTAINER_SSHKEY", arg: "file", read: text(&o.PodmanIdentity),
			help: "ssh private key for an ssh:// Podman URL (CONTAINER_SSHKEY; default: the connection's, or ssh-agent)"},
		{flag: "podman-known-hosts", env: "IMAGE_MCP_SSH_KNOWN_HOSTS", arg: "file", read: text(&o.PodmanKnownHosts),
			help: "known_hosts file that must hold an ssh:// host's key (IMAGE_MCP_SSH_KNOWN_HOSTS; default ~/.ssh/known_hosts)"},
		{flag: "no-autostart", env: "IMAGE_MCP_NO_AUTOSTART", read: value(&o.NoAutostart, "true or false", parseBool),
			help: "do not start 'podman system service' when no Podman socket answers (IMAGE_MCP_NO_AUTOSTART)"},
	}
}

// centralSettings reach StackRox Central, with roxctl's variables. A bad one of these
// does not stop the start: the StackRox tools answer with it.
func (o *Options) centralSettings() []*setting {
	return []*setting{
		{flag: "rox-endpoint", env: "ROX_ENDPOINT", arg: "host:port", read: text(&o.RoxEndpoint),
			help: "StackRox Central host:port (ROX_ENDPOINT)"},
		{env: "ROX_API_TOKEN", alt: "STACKROX_API_KEY", read: text(&o.RoxToken)},
		{flag: "rox-api-token-file", env: "ROX_API_TOKEN_FILE", arg: "file", read: text(&o.RoxTokenFile),
			help: "file holding the StackRox API token (ROX_API_TOKEN_FILE; or ROX_API_TOKEN)"},
		{flag: "rox-ca-cert-file", env: "ROX_CA_CERT_FILE", arg: "file", read: text(&o.RoxCAFile),
			help: "PEM CA certificate for Central's TLS (ROX_CA_CERT_FILE)"},
		{flag: "rox-insecure-skip-tls-verify", env: "ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY", read: value(&o.RoxInsecure, "true or false", parseBool),
			soft: func(err error) { o.RoxErr = fmt.Errorf("%w; the StackRox tools are off until it is fixed", err) },
			help: "do not verify Central's TLS certificate (ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY)"},
		{flag: "rox-server-name", env: "ROX_SERVER_NAME", arg: "name", read: text(&o.RoxServerName),
			help: "TLS server name to expect from Central (ROX_SERVER_NAME)"},
	}
}

// filterSettings choose the tools served.
func (o *Options) filterSettings() []*setting {
	return []*setting{
		{flag: "read-only", env: "IMAGE_MCP_READ_ONLY", read: value(&o.Filter.ReadOnly, "true or false", parseBool),
			help: "serve only tools whose readOnlyHint is true (IMAGE_MCP_READ_ONLY)"},
		{flag: "disable-destructive", env: "IMAGE_MCP_DISABLE_DESTRUCTIVE", read: value(&o.Filter.DisableDestructive, "true or false", parseBool),
			help: "do not serve tools whose destructiveHint is true (IMAGE_MCP_DISABLE_DESTRUCTIVE)"},
		{flag: "toolsets", env: "IMAGE_MCP_TOOLSETS", arg: "list", read: names(&o.Filter.Toolsets),
			help: "comma-separated toolsets to serve, e.g. podman,stackrox; default all (IMAGE_MCP_TOOLSETS)"},
		{flag: "enabled-tools", env: "IMAGE_MCP_ENABLED_TOOLS", arg: "list", read: names(&o.Filter.Enabled),
			help: "comma-separated tool names: serve only these (IMAGE_MCP_ENABLED_TOOLS)"},
		{flag: "disabled-tools", env: "IMAGE_MCP_DISABLED_TOOLS", arg: "list", read: names(&o.Filter.Disabled),
			help: "comma-separated tool names not to serve (IMAGE_MCP_DISABLED_TOOLS)"},
	}
}

// limitSettings are the log's level and the limits of a call and its answer.
func (o *Options) limitSettings() []*setting {
	return []*setting{
		{flag: "log-level", env: "IMAGE_MCP_LOG_LEVEL", arg: "level", def: "info",
			read: value(&o.LogLevel, "debug, info, warn or error", parseLogLevel),
			help: "log level on stderr: debug, info, warn, error (IMAGE_MCP_LOG_LEVEL)"},
		{flag: "timeout", env: "IMAGE_MCP_TIMEOUT", arg: "duration", def: "2m0s",
			read: value(&o.Timeout, "a duration such as 90s or 5m, 0 for none", parseDuration),
			help: "time limit of one non-streaming upstream call; 0 for none (IMAGE_MCP_TIMEOUT)"},
		{flag: "max-output-bytes", env: "IMAGE_MCP_MAX_OUTPUT_BYTES", arg: "bytes", def: fmt.Sprint(tools.DefaultMaxOutputBytes),
			read: value(&o.MaxOutputBytes, fmt.Sprintf("a number of bytes from 1 to %d: every answer must fit what a tool may declare it answers "+
				"(_meta %s), or Claude Code hands the model a file path and a 2 KB preview instead", tools.MaxResultSizeChars, tools.ResultSizeMeta),
				parseBetween(1, tools.MaxResultSizeChars)),
			help: fmt.Sprintf("output budget of one whole tool result in bytes, notices included, at most %d; above the default every tool declares it (_meta %s) (IMAGE_MCP_MAX_OUTPUT_BYTES)",
				tools.MaxResultSizeChars, tools.ResultSizeMeta)},
		{flag: "max-answer-bytes", env: "IMAGE_MCP_MAX_ANSWER_BYTES", arg: "bytes", def: fmt.Sprint(tools.DefaultMaxAnswerBytes),
			read: value(&o.MaxAnswerBytes, "a number of bytes above 0", parsePositive),
			help: "largest JSON answer read from Podman or Central, in bytes; a larger one is refused (IMAGE_MCP_MAX_ANSWER_BYTES)"},
		{flag: "stream-idle-timeout", env: "IMAGE_MCP_STREAM_IDLE_TIMEOUT", arg: "duration", def: tools.DefaultStreamIdle.String(),
			read: value(&o.StreamIdle, "a duration such as 30m or 1h, 0 for never", parseDuration),
			help: "end a build, pull, push, load, import or export when nothing was sent or received for this long; 0 for never (IMAGE_MCP_STREAM_IDLE_TIMEOUT)"},
	}
}

// safetySettings: what a destructive call a client cannot confirm does, where path
// arguments may lead; and extra capabilities.
func (o *Options) safetySettings() []*setting {
	list := string(os.PathListSeparator)
	return []*setting{
		{flag: "confirm-destructive", env: "IMAGE_MCP_CONFIRM_DESTRUCTIVE", arg: "allow|deny", def: tools.ConfirmAllow,
			read: value(&o.ConfirmDestructive, tools.ConfirmAllow+" or "+tools.ConfirmDeny, oneOf(tools.ConfirmAllow, tools.ConfirmDeny)),
			help: "when the client cannot ask the person (no elicitation), destructive calls that need a confirmation are: allow or deny (IMAGE_MCP_CONFIRM_DESTRUCTIVE)"},
		{flag: "allowed-dirs", env: "IMAGE_MCP_ALLOWED_DIRS", arg: "dirs", read: paths(&o.AllowedDirs), from: &o.AllowedDirsFrom,
			help: "comma-separated directories that path arguments must be inside; wins over the client's roots (IMAGE_MCP_ALLOWED_DIRS, separated by " + list + ")"},
		{flag: "capability", env: "IMAGE_MCP_CAPABILITIES", arg: "file", list: true, read: paths(&o.Capabilities), from: &o.CapabilitiesFrom,
			help: "an extra Naftiko capability file to serve (repeatable; IMAGE_MCP_CAPABILITIES, separated by " + list + ")"},
	}
}
