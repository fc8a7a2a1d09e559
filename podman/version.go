package podman

import (
	"fmt"
	"strings"

	"github.com/image-mcp/image-mcp/internal/version"
)

// MinVersion is the oldest Podman service image-mcp supports: the v4 libpod API.
const MinVersion = "4.0.0"

// TestedSeries are the Podman releases (major.minor) CI runs the whole end-to-end
// suite against: Debian 12's Podman and the Podman 5 of scripts/podman5.sh (scripts/test.sh).
var TestedSeries = []string{"4.3", "5.8"}

// Tested says whether version v is of a release series CI tests.
func Tested(v string) bool {
	for _, s := range TestedSeries {
		if v == s || strings.HasPrefix(v, s+".") {
			return true
		}
	}
	return false
}

// UnsupportedVersionError is a Podman service older than MinVersion.
type UnsupportedVersionError struct {
	Have     string
	Endpoint Endpoint
}

func (e *UnsupportedVersionError) Error() string {
	return fmt.Sprintf("the Podman service at %s (from %s) has API version %s; image-mcp needs Podman ≥ %s (the v4 libpod API). "+
		"Upgrade Podman on that machine, or point image-mcp at a newer service with --podman-url or CONTAINER_HOST",
		e.Endpoint.URL, e.Endpoint.Source, e.Have, MinVersion)
}

func checkMinVersion(have string, ep Endpoint) error {
	if version.Compare(have, MinVersion) < 0 {
		return &UnsupportedVersionError{Have: have, Endpoint: ep}
	}
	return nil
}
