package upstream_test

import (
	"go/build"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/image-mcp/image-mcp/"

// kinds are the packages of the upstream kinds and what they share.
var kinds = []string{"podman", "central", "httpapi", "internal/upstreamhttp"}

// The seams show in the imports: the engine imports no upstream kind, no kind imports
// the go-sdk, the engine or another kind, and this package imports only the typed model
// of the capabilities and the allowed directories. (Test files are not counted.)
func TestSeams(t *testing.T) {
	for _, tc := range []struct {
		pkg       string
		forbidden []string // packages of this module, or the go-sdk
		onlyOwn   []string // when set, the only packages of this module it may import
	}{
		{pkg: "tools", forbidden: kinds},
		{pkg: "upstream", forbidden: []string{"github.com/modelcontextprotocol/"}, onlyOwn: []string{"capabilities", "internal/allowdirs"}},
		{pkg: "podman", forbidden: []string{"github.com/modelcontextprotocol/", "tools", "central", "httpapi"}},
		{pkg: "central", forbidden: []string{"github.com/modelcontextprotocol/", "tools", "podman", "httpapi"}},
		{pkg: "httpapi", forbidden: []string{"github.com/modelcontextprotocol/", "tools", "podman", "central"}},
		{pkg: "internal/upstreamhttp", forbidden: []string{"github.com/modelcontextprotocol/", "tools", "podman", "central", "httpapi"}},
	} {
		p, err := build.Default.ImportDir(filepath.Join("..", tc.pkg), 0)
		if err != nil {
			t.Fatalf("%s: %v", tc.pkg, err)
		}
		for _, imp := range p.Imports {
			own, isOwn := strings.CutPrefix(imp, module)
			for _, f := range tc.forbidden {
				if imp == module+f || strings.HasPrefix(imp, module+f+"/") || strings.HasPrefix(f, "github.com/") && strings.HasPrefix(imp, f) {
					t.Errorf("%s imports %s", tc.pkg, imp)
				}
			}
			if isOwn && tc.onlyOwn != nil && !slices.Contains(tc.onlyOwn, own) {
				t.Errorf("%s imports %s; it may import only %v of this module", tc.pkg, imp, tc.onlyOwn)
			}
		}
	}
}
