// Package podman is Podman's upstream kind: everything image-mcp knows about Podman
// beyond its API spec, which the generic engine (package tools) must not. Where the
// service is (discovery.go: flags, CONTAINER_HOST, connections, sockets, a podman
// machine; autostart.go; ssh.go), its client (client.go: the API version prefix, the
// minimum version), and each step of a call that needs Podman's knowledge, as the
// interfaces of package upstream: check.go (what Podman opens on its own machine:
// host paths, build contexts, Containerfiles), prepare.go (the build context tar and
// its ignore files, registry credentials from the auth files), stream.go (the keys of
// its NDJSON progress streams) and archive.go (the image names in an archive).
package podman

import (
	"fmt"

	"github.com/image-mcp/image-mcp/upstream"
)

// str is a string argument of c, or "".
func str(c upstream.Call, name string) string {
	v, _ := c.Arg(name)
	s, _ := v.(string)
	return s
}

// strs are the strings of an array argument of c.
func strs(c upstream.Call, name string) []string {
	v, _ := c.Arg(name)
	items, _ := v.([]any)
	out := make([]string, 0, len(items))
	for _, it := range items {
		if s, ok := it.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// failure is a step's failure worded for the model, which reads its text: whole
// sentences that name the tool and say what to do.
type failure string

func (f failure) Error() string { return string(f) }

// failf makes a failure of format and a, as fmt.Sprintf does.
func failf(format string, a ...any) error { return failure(fmt.Sprintf(format, a...)) }
