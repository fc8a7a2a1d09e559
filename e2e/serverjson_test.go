package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// server.json, the MCP registry's entry, must name the packages that the release makes and
// only settings that image-mcp reads.

type serverJSON struct {
	Schema   string `json:"$schema"`
	Name     string `json:"name"`
	Desc     string `json:"description"`
	Version  string `json:"version"`
	Packages []struct {
		RegistryType string `json:"registryType"`
		Identifier   string `json:"identifier"`
		Version      string `json:"version"`
		Transport    struct {
			Type string `json:"type"`
		} `json:"transport"`
		Env []struct {
			Name string `json:"name"`
		} `json:"environmentVariables"`
	} `json:"packages"`
}

func readServerJSON(t *testing.T) serverJSON {
	t.Helper()
	b, err := os.ReadFile("../server.json")
	if err != nil {
		t.Fatal(err)
	}
	var s serverJSON
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("server.json: %v", err)
	}
	return s
}

// registryName is the server's name in the MCP registry, which the npm package (mcpName)
// and the image (label io.modelcontextprotocol.server.name) must repeat.
func registryName(t *testing.T) string {
	return readServerJSON(t).Name
}

func TestServerJSON(t *testing.T) {
	s := readServerJSON(t)
	if !strings.HasSuffix(s.Schema, "/schemas/2025-12-11/server.schema.json") {
		t.Errorf("$schema %q: want the 2025-12-11 server schema", s.Schema)
	}
	if s.Name != "io.github.image-mcp/image-mcp" || len(s.Desc) == 0 || len(s.Desc) > 100 {
		t.Errorf("name %q, description of %d characters (1 to 100)", s.Name, len(s.Desc))
	}
	// Every variable it lists must be one that the code reads (a quoted name in a .go file
	// the binary is built from).
	out, err := exec.Command("go", "list", "-deps", "-f", `{{if .Module}}{{if .Module.Main}}{{range .GoFiles}}{{$.Dir}}/{{.}}
{{end}}{{end}}{{end}}`, "..").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var code strings.Builder
	for _, f := range strings.Fields(string(out)) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		code.Write(b)
	}
	kinds := map[string]string{}
	for _, p := range s.Packages {
		kinds[p.RegistryType] = p.Identifier
		if p.Transport.Type != "stdio" {
			t.Errorf("%s package: transport %q, want stdio", p.RegistryType, p.Transport.Type)
		}
		switch p.RegistryType {
		case "npm":
			if p.Identifier != "image-mcp" || p.Version != s.Version {
				t.Errorf("npm package %s@%s: want image-mcp@%s (npm/build.sh's main package)", p.Identifier, p.Version, s.Version)
			}
		case "oci":
			if p.Identifier != "ghcr.io/image-mcp/image-mcp:"+s.Version {
				t.Errorf("oci package %s: want ghcr.io/image-mcp/image-mcp:%s", p.Identifier, s.Version)
			}
		}
		for _, e := range p.Env {
			if !strings.Contains(code.String(), `"`+e.Name+`"`) {
				t.Errorf("%s package: image-mcp does not read %s", p.RegistryType, e.Name)
			}
		}
	}
	if kinds["npm"] == "" || kinds["oci"] == "" {
		t.Errorf("want an npm and an oci package, got %v", kinds)
	}
}
