package upstream

import (
	"strings"

	"github.com/distribution/reference"
)

// SplitImageReference gives the registry host and repository path of an image reference,
// normalised the way Podman reads it (github.com/distribution/reference, as
// containers/image does): "busybox" is docker.io/library/busybox, a first component
// with "." or ":" or "localhost" is a registry, tags and digests are dropped. A
// "docker://" transport prefix is allowed. A reference Podman would refuse gives "", "".
func SplitImageReference(ref string) (host, repo string) {
	ref = strings.TrimPrefix(strings.TrimSpace(ref), "docker://")
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return "", ""
	}
	return reference.Domain(named), reference.Path(named)
}
