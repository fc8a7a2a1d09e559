package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// seedNames maps each renamed tool's seed name to its listed name, as --list-tools prints
// them (the last column).
func seedNames(t *testing.T) map[string]string {
	t.Helper()
	out, code := runBinary(t, nil, "--list-tools")
	if code != 0 {
		t.Fatalf("--list-tools: exit %d\n%s", code, out)
	}
	tools, _, _ := strings.Cut(out, "\n\n")
	lines := strings.Split(strings.TrimSpace(tools), "\n")
	if h := strings.Fields(lines[0]); h[len(h)-1] != "SEED-NAME" {
		t.Fatalf("--list-tools header %q: no SEED-NAME column", lines[0])
	}
	seeds := map[string]string{}
	for _, l := range lines[1 : len(lines)-1] {
		f := strings.Fields(l)
		if seed := f[len(f)-1]; seed != "-" {
			seeds[seed] = f[0]
		}
	}
	return seeds
}

// Every listed name is at most 30 characters, a StackRox tool's starts with stackrox-,
// and a renamed tool is still taken by its seed name wherever a name is (tools/call,
// --enabled-tools, --disabled-tools) without the seed name being listed.
func TestToolNames(t *testing.T) {
	seeds := seedNames(t)
	if len(seeds) != 11 {
		t.Fatalf("%d renamed tools, want 11: %v", len(seeds), seeds)
	}
	s := StartServer(t, ServerOptions{NoPod: true})
	listed := listedTools(t, s)
	for _, name := range listed {
		if len(name) > 30 {
			t.Errorf("%s: %d characters, over 30", name, len(name))
		}
	}
	for _, name := range stackroxTools {
		if !strings.HasPrefix(name, "stackrox-") {
			t.Errorf("the StackRox tool %s does not say it is one", name)
		}
	}
	for seed, name := range seeds {
		if slices.Contains(listed, seed) || !slices.Contains(listed, name) {
			t.Errorf("%s → %s: listed %v", seed, name, listed)
		}
		// Called by its seed name, the call reaches the tool (its argument check answers),
		// under its listed name; an unknown name is a protocol error.
		res := s.Call(t, seed, map[string]any{"no-such-argument": 1})
		if !res.IsError || !strings.Contains(Text(res), name+`: unknown argument "no-such-argument"`) {
			t.Errorf("tools/call %s: %s", seed, Text(res))
		}
	}
	if _, err := s.Session.CallTool(context.Background(), &mcp.CallToolParams{Name: "listimages-returns-all-images-3"}); err == nil {
		t.Error("an unknown tool name was taken")
	}

	// The filters take seed names, and a hidden tool called by its seed name is refused
	// with the setting that hides it.
	var seed, name string
	for sd, n := range seeds {
		if strings.HasPrefix(n, "stackrox-") && (seed == "" || sd < seed) {
			seed, name = sd, n
		}
	}
	only := StartServer(t, ServerOptions{NoPod: true, Args: []string{"--enabled-tools", seed + ",list-images"}})
	if got := listedTools(t, only); !slices.Equal(got, slices.Sorted(slices.Values([]string{"list-images", name}))) {
		t.Errorf("--enabled-tools %s,list-images lists %v", seed, got)
	}
	without := StartServer(t, ServerOptions{NoPod: true, Args: []string{"--disabled-tools", seed}})
	if got := listedTools(t, without); slices.Contains(got, name) || len(got) != len(listed)-1 {
		t.Errorf("--disabled-tools %s lists %v", seed, got)
	}
	for _, n := range []string{seed, name} {
		_, err := without.Session.CallTool(context.Background(), &mcp.CallToolParams{Name: n})
		if err == nil || !strings.Contains(err.Error(), `tool "`+name+`" is not available: it is in --disabled-tools`) {
			t.Errorf("calling the disabled %s: %v", n, err)
		}
	}
	out, code := runBinary(t, nil, "--enabled-tools", "no-such-tool", "--list-tools")
	if code != 2 || !strings.Contains(out, `--enabled-tools: unknown tool "no-such-tool"`) || strings.Contains(out, seed) {
		t.Errorf("an unknown name: exit %d, %s (seed names are not offered)", code, out)
	}
}
