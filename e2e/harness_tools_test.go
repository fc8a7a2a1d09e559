package e2e

// Finding tools: the binary's embedded tools by operation, and a server's tools/list.

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// toolFor names the tool of an operation, so tests survive tool renames.
func toolFor(t testing.TB, method, path string) *capabilities.Tool {
	t.Helper()
	for _, tl := range embeddedTools(t) {
		if tl.Method == method && tl.Path == path {
			return tl
		}
	}
	t.Fatalf("no tool for %s %s", method, path)
	return nil
}

// embeddedTools are the tools the binary serves, with where each argument goes.
func embeddedTools(t testing.TB) []*capabilities.Tool {
	t.Helper()
	caps := capabilities.Embedded()
	var all []*capabilities.Tool
	for _, c := range caps {
		all = append(all, c.Tools...)
	}
	return all
}

// requiredArgs fills a tool's required arguments with harmless values; out is a directory
// for output files.
func requiredArgs(tl *capabilities.Tool, out string) map[string]any {
	args := map[string]any{}
	for _, a := range tl.Args {
		if !a.Required {
			continue
		}
		switch {
		case a.Role == capabilities.RoleOutputFile:
			args[a.Name] = filepath.Join(out, tl.Name+".tar")
		case a.Role == capabilities.RoleInputFile:
			args[a.Name] = busyboxTar
		case a.Type == "array":
			args[a.Name] = []string{"localhost/hostile-none:1"}
		case a.Type == "object":
			args[a.Name] = map[string]any{}
		case a.Type == "boolean":
			args[a.Name] = false
		case a.Type == "integer" || a.Type == "number":
			args[a.Name] = 1
		default:
			args[a.Name] = "localhost/hostile-none:1"
		}
	}
	return args
}

// listTools is a server's tools/list answer; an error fails the test.
func listTools(t testing.TB, s *Server) []*mcp.Tool {
	t.Helper()
	res, err := s.Session.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatalf("tools/list: %v", err)
	}
	return res.Tools
}

// toolNames are the names of tools, in their order.
func toolNames(tools []*mcp.Tool) []string {
	names := make([]string, len(tools))
	for i, tl := range tools {
		names[i] = tl.Name
	}
	return names
}

// toolsByName indexes listed tools by name.
func toolsByName(tools []*mcp.Tool) map[string]*mcp.Tool {
	byName := map[string]*mcp.Tool{}
	for _, tl := range tools {
		byName[tl.Name] = tl
	}
	return byName
}
