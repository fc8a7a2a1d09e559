package podman

import (
	"strings"

	"github.com/distribution/reference"
)

// splitReference gives the registry host and repository path of an image reference,
// normalised the way Podman reads it (github.com/distribution/reference, as
// containers/image does): "busybox" is docker.io/library/busybox, a first component
// with "." or ":" or "localhost" is a registry, tags and digests are dropped. A
// "docker://" transport prefix is allowed. A reference Podman would refuse gives "", "".
func splitReference(ref string) (host, repo string) {
	ref = strings.TrimPrefix(strings.TrimSpace(ref), "docker://")
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return "", ""
	}
	return reference.Domain(named), reference.Path(named)
}

// isShortName tells whether ref names no registry ("centos", "team/app:1"): Podman then
// picks one itself, from its aliases or its unqualified-search registries. The rule is
// containers/image's (pkg/shortnames): a first component with "." or ":", or "localhost",
// is a registry. A reference Podman
// would refuse is not a short name, nor one with the docker:// transport, which
// containers/image reads as docker.io's without resolving it.
func isShortName(ref string) bool {
	r, err := reference.Parse(strings.TrimSpace(ref))
	if err != nil {
		return false
	}
	named, ok := r.(reference.Named)
	if !ok {
		return false
	}
	d := reference.Domain(named) // "team" of team/app is no registry
	return !strings.ContainsAny(d, ".:") && d != "localhost"
}
