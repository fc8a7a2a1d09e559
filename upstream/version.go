package upstream

import (
	"fmt"
	"strconv"
	"strings"
)

// MinPodmanVersion is the oldest Podman service image-mcp supports: the v4 libpod API.
const MinPodmanVersion = "4.0.0"

// UnsupportedVersionError is a Podman service older than MinPodmanVersion.
type UnsupportedVersionError struct {
	Have     string
	Endpoint PodmanEndpoint
}

func (e *UnsupportedVersionError) Error() string {
	return fmt.Sprintf("the Podman service at %s (from %s) has API version %s; image-mcp needs Podman ≥ %s (the v4 libpod API). "+
		"Upgrade Podman on that machine, or point image-mcp at a newer service with --podman-url or CONTAINER_HOST",
		e.Endpoint.URL, e.Endpoint.Source, e.Have, MinPodmanVersion)
}

func checkMinVersion(have string, ep PodmanEndpoint) error {
	if CompareVersions(have, MinPodmanVersion) < 0 {
		return &UnsupportedVersionError{Have: have, Endpoint: ep}
	}
	return nil
}

// CompareVersions compares dotted numeric versions ("4.3.1" < "4.10"); a suffix such as
// "-dev" after a number is ignored.
func CompareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		x, y := versionPart(as, i), versionPart(bs, i)
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

func versionPart(parts []string, i int) int {
	if i >= len(parts) {
		return 0
	}
	p := parts[i]
	end := 0
	for end < len(p) && p[end] >= '0' && p[end] <= '9' {
		end++
	}
	n, _ := strconv.Atoi(p[:end])
	return n
}
