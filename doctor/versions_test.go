package doctor_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/doctor"
	"github.com/image-mcp/image-mcp/podman"
)

// The report names the tools and arguments the connected Podman is too old for, by the
// corrections' minVersion: on 4.3.1, the builds and loads on the Podman host (5.7.0);
// on 6.0.0, nothing.
func TestDoctorNamesWhatNeedsANewerPodman(t *testing.T) {
	all, err := capabilities.AllTools(capabilities.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		version string
		want    []string
		not     string
	}{
		{"4.3.1", []string{"tool(s) need a newer Podman and answer so when called", "build-image-from-host (≥ 5.7.0)", "argument(s) need a newer Podman"}, ""},
		{"6.0.0", nil, "need a newer Podman"},
	} {
		dir := t.TempDir()
		env := podman.Env{Flag: "unix://" + podmanStandIn(t, tc.version), Home: dir, RunDir: filepath.Join(dir, "run"), UID: 1000, GOOS: "linux"}
		var out bytes.Buffer
		doctor.Run(context.Background(), doctor.Config{Podman: env, Tools: all}, &out)
		for _, w := range tc.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("Podman %s: the report lacks %q:\n%s", tc.version, w, out.String())
			}
		}
		if tc.not != "" && strings.Contains(out.String(), tc.not) {
			t.Errorf("Podman %s: the report says %q:\n%s", tc.version, tc.not, out.String())
		}
	}
}
