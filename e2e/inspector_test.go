package e2e

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
)

// The MCP Inspector CLI against the built binary: the tools a user sees first, called the
// way the Inspector calls them, against the test Podman and the fake Central.

// countTool finds Central's CountImages tool in a tools/list by its title.
func countTool(t *testing.T, list inspectorOutput) string {
	t.Helper()
	for name, title := range list.toolNames() {
		if strings.HasPrefix(title, "Count ") && strings.HasSuffix(title, "images") {
			return name
		}
	}
	t.Fatalf("no tool titled \"Count … images\" in %v", list.toolNames())
	return ""
}

// checkPodmanTools calls list-images, inspect-image and image-exists through the Inspector
// and checks the JSON it prints; server is the command line of an image-mcp.
func checkPodmanTools(t *testing.T, server []string, env []string) {
	t.Helper()
	t.Run("list-images", func(t *testing.T) {
		out := inspectorCall(t, server, env, "--method", "tools/call", "--tool-name", "list-images", "--tool-arg", `fields=["Id","RepoTags"]`)
		if out.IsError {
			t.Fatalf("list-images failed: %s", out.text())
		}
		var got struct {
			Items []struct {
				Id       string
				RepoTags []string
			} `json:"items"`
		}
		if err := json.Unmarshal(out.answer(), &got); err != nil {
			t.Fatalf("answer %s: %v", out.answer(), err)
		}
		found := false
		for _, img := range got.Items {
			for _, tag := range img.RepoTags {
				found = found || tag == baseImage
			}
		}
		if !found {
			t.Fatalf("list-images does not show %s: %s", baseImage, out.answer())
		}
	})
	t.Run("inspect-image", func(t *testing.T) {
		out := inspectorCall(t, server, env, "--method", "tools/call", "--tool-name", "inspect-image", "--tool-arg", "name="+baseImage)
		if out.IsError {
			t.Fatalf("inspect-image failed: %s", out.text())
		}
		var got struct {
			Id       string
			RepoTags []string
		}
		if err := json.Unmarshal(out.answer(), &got); err != nil {
			t.Fatalf("answer %s: %v", out.answer(), err)
		}
		if len(got.Id) != 64 || !slices.Contains(got.RepoTags, baseImage) {
			t.Fatalf("inspect-image %s: Id %q RepoTags %v", baseImage, got.Id, got.RepoTags)
		}
		if len(out.StructuredContent) > 0 && string(out.StructuredContent) != "null" {
			t.Fatalf("the answer carries structuredContent: %s", out.StructuredContent)
		}
	})
	t.Run("image-exists", func(t *testing.T) {
		for _, c := range []struct {
			name string
			want bool
		}{{baseImage, true}, {"localhost/image-mcp-no-such-image:1", false}} {
			out := inspectorCall(t, server, env, "--method", "tools/call", "--tool-name", "image-exists", "--tool-arg", "name="+c.name)
			var got struct {
				Exists *bool `json:"exists"`
			}
			if out.IsError || json.Unmarshal(out.answer(), &got) != nil || got.Exists == nil || *got.Exists != c.want {
				t.Fatalf("image-exists %s: want exists=%v, got isError=%v %s %s", c.name, c.want, out.IsError, out.answer(), out.text())
			}
		}
	})
}

func TestInspectorCLI(t *testing.T) {
	needPodman(t)
	server := []string{binary, "--log-level", "warn"}
	podman := []string{"CONTAINER_HOST=unix://" + podmanSock}

	var list inspectorOutput
	t.Run("tools/list", func(t *testing.T) {
		list = inspectorCall(t, server, podman, "--method", "tools/list")
		sameToolNames(t, "tools/list through the Inspector", slices.Collect(maps.Keys(list.toolNames())))
	})
	checkPodmanTools(t, server, podman)

	t.Run("stackrox count", func(t *testing.T) {
		if len(list.Tools) == 0 {
			t.Fatal("tools/list failed (above): cannot find the count tool")
		}
		tool := countTool(t, list)
		// The fake Central of fakecentral_test.go, which keeps Central's REST contract.
		fc := StartFakeCentral(t, FakeCentralOptions{})
		out := inspectorCall(t, server, fc.Env(readToken), "--method", "tools/call", "--tool-name", tool)
		var got struct {
			Count *int `json:"count"`
		}
		if out.IsError || json.Unmarshal(out.answer(), &got) != nil || got.Count == nil || *got.Count != fc.ImageCount() {
			t.Fatalf("%s: want {\"count\": %d}, got isError=%v %s %s", tool, fc.ImageCount(), out.IsError, out.answer(), out.text())
		}

		out = inspectorCall(t, server, fc.Env("wrong-token"), "--method", "tools/call", "--tool-name", tool)
		if !out.IsError || !strings.Contains(out.text(), "credentials not found") || strings.Contains(out.text(), "wrong-token") {
			t.Fatalf("%s with a wrong token: want an isError with Central's message and no token, got isError=%v %s", tool, out.IsError, out.text())
		}
	})
}
