package capabilities

import (
	"embed"
	"errors"
	"fmt"
	"os"
	"sync"
)

// The seed specs, verbatim, and beside each the corrections this project applies.
//
//go:embed specs/*.yaml
var embedded embed.FS

// EmbeddedFiles names the built-in capabilities, in the order their tools are listed.
var EmbeddedFiles = []string{"podman-images.yaml", "stackrox-imageservice.yaml"}

// The generator builds with the prebuild tag, which swaps prebuilt.go for
// prebuilt_parse.go, so it runs even when prebuilt.go no longer compiles.
//go:generate go run -tags prebuild ./internal/prebuild/gen

// Embedded gives the built-in capabilities: what ParseEmbedded gives, built from Go source
// that `go generate` writes from the specs (prebuilt.go; a test checks it is up to date),
// because parsing and validating the YAML was most of image-mcp's start-up work. It
// cannot fail: the specs were validated when prebuilt.go was written. Each call builds
// a new copy.
func Embedded() []*Capability {
	return prebuiltCapabilities()
}

// ParseEmbedded loads the built-in capabilities from their YAML, concurrently.
func ParseEmbedded() ([]*Capability, error) {
	caps := make([]*Capability, len(EmbeddedFiles))
	errs := make([]error, len(EmbeddedFiles))
	var wg sync.WaitGroup
	for i, name := range EmbeddedFiles {
		wg.Add(1)
		go func() {
			defer wg.Done()
			caps[i], errs[i] = loadEmbedded(name)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return caps, nil
}

func loadEmbedded(name string) (*Capability, error) {
	spec, err := embedded.ReadFile("specs/" + name)
	if err != nil {
		return nil, fmt.Errorf("embedded %s: %w", name, err)
	}
	corr, err := embedded.ReadFile("specs/" + correctionsFile(name))
	if err != nil {
		return nil, fmt.Errorf("embedded %s: %w", correctionsFile(name), err)
	}
	c, err := Load(name, spec, corr)
	if c != nil {
		c.Builtin = true
	}
	return c, err
}

// LoadFile loads a capability file given by the user, with its corrections file
// (`<name>.corrections.yaml` beside it) when there is one.
func LoadFile(path string) (*Capability, error) {
	spec, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("capability file: %w", err)
	}
	corr, err := os.ReadFile(correctionsFile(path))
	if err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("capability corrections: %w", err)
	}
	c, err := Load(path, spec, corr)
	if err != nil {
		return nil, err
	}
	return c, nil
}
