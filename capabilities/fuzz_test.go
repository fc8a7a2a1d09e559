package capabilities

import (
	"errors"
	"strings"
	"testing"
)

// FuzzLoad feeds random spec and corrections YAML to the loader: it must never panic, and
// it either gives a *Problem or a capability whose every tool can be served.
func FuzzLoad(f *testing.F) {
	// Seeds: testdata/fuzz/FuzzLoad (a small capability with and without corrections, an
	// alias bomb, junk). The embedded seed specs (10-60 KB) stall the mutator, so they are
	// not seeds; other tests load them.
	f.Fuzz(func(t *testing.T, spec, corr []byte) {
		c, err := Load("fuzz.yaml", spec, corr)
		if err != nil {
			var p *Problem
			if !errors.As(err, &p) {
				t.Fatalf("error is %T, want *Problem: %v", err, err)
			}
			if p.File == "" || p.Msg == "" {
				t.Fatalf("problem without file or message: %#v", p)
			}
			return
		}
		for _, tl := range c.Tools {
			if !toolNameRE.MatchString(tl.Name) {
				t.Fatalf("tool name %q is not a valid MCP tool name", tl.Name)
			}
			if !methods[tl.Method] {
				t.Fatalf("tool %s: method %q", tl.Name, tl.Method)
			}
			if !strings.HasPrefix(tl.Path, "/") && !strings.Contains(tl.Path, "://") {
				t.Fatalf("tool %s: path %q", tl.Name, tl.Path)
			}
			seen := map[string]bool{}
			for _, a := range tl.Args {
				if a.Name == "" || seen[a.Name] {
					t.Fatalf("tool %s: empty or duplicate argument %q", tl.Name, a.Name)
				}
				seen[a.Name] = true
			}
		}
	})
}
