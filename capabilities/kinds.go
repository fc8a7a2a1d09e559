package capabilities

// Role is what an argument means to the engine beyond the wire (see ArgumentDef.Role).
type Role string

// Roles the engine understands. "" is an ordinary argument.
const (
	RoleInputFile  Role = "input-file"
	RoleContextDir Role = "context-dir"
	RoleOutputFile Role = "output-file"
	RoleOverwrite  Role = "overwrite"
	RoleFields     Role = "fields"
	RoleHostPath   Role = "host-path"
	// RoleHostContextDir is a host-path that is a build context: the Containerfile Podman
	// reads in it is checked as a context-file's.
	RoleHostContextDir Role = "host-context-dir"
	RoleContextFile    Role = "context-file"
	// RoleURL is a URL the upstream fetches itself; anything else there is a path it
	// would read on its own machine, so only the argument's URLPrefixes pass.
	RoleURL Role = "url"
	// RoleBuildContexts are a build's additional contexts, as Podman reads them: an
	// image, a URL (URLPrefixes) or a directory on Podman's machine, checked as a
	// host-path.
	RoleBuildContexts Role = "build-contexts"
	RoleOffset        Role = "offset"
	RoleLimit         Role = "limit"
	RoleNarrow        Role = "narrow"
)

// Known says whether the engine understands r.
func (r Role) Known() bool {
	switch r {
	case "", RoleInputFile, RoleContextDir, RoleOutputFile, RoleOverwrite, RoleFields, RoleHostPath, RoleHostContextDir,
		RoleContextFile, RoleURL, RoleBuildContexts, RoleOffset, RoleLimit, RoleNarrow:
		return true
	}
	return false
}

// NamesPath says whether the value is a file or directory on a machine, checked against
// the allowed directories (a context-file is a path inside the build context instead;
// build-contexts may hold such paths among images and URLs).
func (r Role) NamesPath() bool {
	switch r {
	case RoleInputFile, RoleContextDir, RoleOutputFile, RoleHostPath, RoleHostContextDir:
		return true
	}
	return false
}

// MayNamePath says whether a value may lead to files on a machine: what the allowed
// directories are found for.
func (r Role) MayNamePath() bool {
	return r.NamesPath() || r == RoleContextFile || r == RoleBuildContexts
}

// OnHost says whether the value is sent as is and names files on the upstream's machine,
// which the upstream opens itself.
func (r Role) OnHost() bool {
	switch r {
	case RoleHostPath, RoleHostContextDir, RoleContextFile, RoleBuildContexts, RoleURL:
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
