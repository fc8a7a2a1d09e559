package capabilities

import (
	"cmp"
	"strings"
	"testing"
)

// The declarative fields for streams and credentials load into the tools, and wrong
// values are refused with the file, tool and field named.
func TestStreamCorrections(t *testing.T) {
	caps := Embedded()
	tools := map[string]*Tool{}
	for _, tl := range caps[0].Tools {
		tools[cmp.Or(tl.Seed, tl.Name)] = tl
	}
	if ra := tools["push-image"].RegistryAuth; ra == nil || ra.Header != "X-Registry-Auth" || strings.Join(ra.Reference, ",") != "destination,name" {
		t.Errorf("push-image registryAuth = %+v", ra)
	}
	if tools["copy-image-one-host-another"].ErrorHints[500] == "" {
		t.Error("scp has no 500 hint")
	}
	if got := tools["build-image"].RequireOneOf; strings.Join(got, ",") != "context,remote" {
		t.Errorf("build-image requireOneOf = %v", got)
	}
	if d := tools["push-image"].Arg("quiet").Default; d != false {
		t.Errorf("push-image quiet default = %v", d)
	}

	spec, _ := embedded.ReadFile("specs/podman-images.yaml")
	for _, c := range []struct{ corr, want string }{
		{"tools:\n  pull-images:\n    registryAuth: {header: reference, reference: [reference]}\n", `registryAuth.header: "reference" is not a header argument`},
		{"tools:\n  pull-images:\n    registryAuth: {header: X-Registry-Auth, reference: [nope]}\n", `registryAuth.reference: "nope" is not an argument`},
		{"tools:\n  pull-images:\n    registryAuth: {header: X-Registry-Auth}\n", "registryAuth.reference: name the argument"},
		{"tools:\n  build-image:\n    requireOneOf: [context]\n", `requireOneOf: "context" is not an argument`},
		{"tools:\n  push-image:\n    arguments:\n      quiet: {default: [1]}\n", "arguments.quiet.default: must be a scalar"},
	} {
		_, err := Load("podman-images.yaml", spec, []byte(c.corr))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "podman-images.corrections.yaml") {
			t.Errorf("corrections %q: got %v, want %q", c.corr, err, c.want)
		}
	}
}
