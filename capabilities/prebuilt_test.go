package capabilities_test

import (
	"bytes"
	"os"
	"reflect"
	"testing"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/capabilities/internal/prebuild"
)

// The prebuilt capabilities and prompts are exactly what parsing the embedded YAML gives,
// and prebuilt.go is what `go generate` writes from the specs now.
func TestPrebuiltMatchesSpecs(t *testing.T) {
	parsed, err := capabilities.ParseEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	built := capabilities.Embedded()
	if !reflect.DeepEqual(parsed, built) {
		t.Error("Embedded() differs from ParseEmbedded(): run `go generate ./capabilities`")
	}
	for i, c := range built {
		for _, tool := range c.Tools {
			if tool.Capability != built[i] {
				t.Errorf("%s: tool %s does not point at its capability", c.File, tool.Name)
			}
		}
	}
	parsedPrompts, err := capabilities.ParseEmbeddedPrompts()
	if err != nil {
		t.Fatal(err)
	}
	builtPrompts := capabilities.EmbeddedPrompts()
	if !reflect.DeepEqual(parsedPrompts, builtPrompts) {
		t.Error("EmbeddedPrompts() differs from ParseEmbeddedPrompts(): run `go generate ./capabilities`")
	}

	want, err := prebuild.Source()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(prebuild.File)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is not what the specs give now: run `go generate ./capabilities`", prebuild.File)
	}
}

// Each call gives its own copy: a caller that changes a tool changes no one else's.
func TestEmbeddedCopies(t *testing.T) {
	a := capabilities.Embedded()
	b := capabilities.Embedded()
	if a[0] == b[0] || a[0].Tools[0] == b[0].Tools[0] || a[0].Tools[0].Args[0] == b[0].Tools[0].Args[0] {
		t.Error("Embedded() shares its capabilities between calls")
	}
}
