// Package podman holds what image-mcp knows about Podman beyond its API spec and that
// the generic engine (package tools) must not: the containers auth files behind
// X-Registry-Auth and X-Registry-Config, the build context tar and its ignore files,
// the keys of Podman's NDJSON progress streams, and the names inside image archives.
package podman

// Args are a call's checked arguments by name (tools.Values).
type Args = map[string]any

// str is a string argument, or "".
func str(v Args, name string) string {
	s, _ := v[name].(string)
	return s
}
