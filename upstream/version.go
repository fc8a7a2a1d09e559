package upstream

import (
	"fmt"
	"strconv"
	"strings"
)

// MinPodmanVersion is the oldest Podman service image-mcp supports: the v4 libpod API.
const MinPodmanVersion = "4.0.0"

// TestedPodmanSeries are the Podman releases (major.minor) CI runs the whole end-to-end
// suite against: Debian 12's Podman and the Podman 5 of scripts/podman5.sh (scripts/test.sh).
var TestedPodmanSeries = []string{"4.3", "5.8"}

// TestedPodman says whether version v is of a release series CI tests.
func TestedPodman(v string) bool {
	for _, s := range TestedPodmanSeries {
		if v == s || strings.HasPrefix(v, s+".") {
			return true
		}
	}
	return false
}

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
