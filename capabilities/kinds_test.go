package capabilities

import "testing"

func TestRoleAndUpstreamKinds(t *testing.T) {
	for _, c := range []struct {
		role        Role
		known, path bool
	}{
		{"", true, false},
		{RoleInputFile, true, true},
		{RoleContextDir, true, true},
		{RoleOutputFile, true, true},
		{RoleHostPath, true, true},
		{RoleContextFile, true, false}, // a path inside the context, not on a machine
		{RoleOverwrite, true, false},
		{RoleFields, true, false},
		{RoleOffset, true, false},
		{RoleLimit, true, false},
		{"output", false, false},
	} {
		if c.role.Known() != c.known || c.role.NamesPath() != c.path {
			t.Errorf("%q: known %v names a path %v; want %v %v", c.role, c.role.Known(), c.role.NamesPath(), c.known, c.path)
		}
	}
	for k, known := range map[UpstreamKind]bool{UpstreamPodman: true, UpstreamCentral: true, UpstreamHTTP: true, "": false, "ftp": false} {
		if k.Known() != known {
			t.Errorf("upstream %q: known %v", k, k.Known())
		}
	}
}
