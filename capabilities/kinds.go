package capabilities

// Role is what an argument means to the engine beyond the wire (see ArgumentDef.Role).
type Role string

// Roles the engine understands. "" is an ordinary argument.
const (
	RoleInputFile   Role = "input-file"
	RoleContextDir  Role = "context-dir"
	RoleOutputFile  Role = "output-file"
	RoleOverwrite   Role = "overwrite"
	RoleFields      Role = "fields"
	RoleHostPath    Role = "host-path"
	RoleContextFile Role = "context-file"
	RoleOffset      Role = "offset"
	RoleLimit       Role = "limit"
	RoleNarrow      Role = "narrow"
)

// Known says whether the engine understands r.
func (r Role) Known() bool {
	switch r {
	case "", RoleInputFile, RoleContextDir, RoleOutputFile, RoleOverwrite, RoleFields, RoleHostPath, RoleContextFile, RoleOffset, RoleLimit, RoleNarrow:
		return true
	}
	return false
}

// NamesPath says whether the value is a file or directory on a machine, checked against
// the allowed directories (a context-file is a path inside the build context instead).
func (r Role) NamesPath() bool {
	switch r {
	case RoleInputFile, RoleContextDir, RoleOutputFile, RoleHostPath:
		return true
	}
	return false
}

// UpstreamKind says how to reach a consumed API (Corrections.Upstream).
type UpstreamKind string

// Upstream kinds: the Podman service (socket discovery, API version prefix), StackRox
// Central (roxctl's settings), or plain HTTP at the spec's base URI.
const (
	UpstreamPodman  UpstreamKind = "podman"
	UpstreamCentral UpstreamKind = "central"
	UpstreamHTTP    UpstreamKind = "http"
)

// Known says whether the engine can reach an upstream of kind k.
func (k UpstreamKind) Known() bool {
	switch k {
	case UpstreamPodman, UpstreamCentral, UpstreamHTTP:
		return true
	}
	return false
}
