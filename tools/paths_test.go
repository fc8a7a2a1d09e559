package tools

import (
	"strings"
	"testing"
)

// Every path argument says it must be inside the allowed directories, and the note
// costs the tool list little.
func TestPathArgumentsCarryTheNote(t *testing.T) {
	all := embeddedTools(t)
	want := map[string]bool{
		"export-image/output": true, "export-multiple-images/output": true, "load-image/upload": true,
		"import-image/upload": true, "build-image/context": true, "create-image-local-build-context/localcontextdir": true,
		"load-image-local-path/path": true,
	}
	added := 0
	for _, tl := range all {
		s := schemaOf(t, tl)
		for _, a := range tl.Args {
			desc, _ := s.Properties[a.Name]["description"].(string)
			isPath := a.Role.NamesPath()
			if isPath != (want[tl.Name+"/"+a.Name] || want[tl.Seed+"/"+a.Name]) {
				t.Errorf("%s/%s: path role %v, want %v", tl.Name, a.Name, isPath, !isPath)
			}
			if strings.HasSuffix(desc, strings.TrimSpace(pathNote)) != isPath {
				t.Errorf("%s/%s: description %q", tl.Name, a.Name, desc)
			}
			if isPath {
				added += len(pathNote)
			}
		}
	}
	if added > 1024 {
		t.Errorf("the note adds %d bytes to tools/list; keep it under 1 KB", added)
	}
	t.Logf("the note adds %d bytes to tools/list", added)
}
