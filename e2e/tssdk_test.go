package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The official TypeScript SDK client (npm @modelcontextprotocol/sdk), installed once per
// run, lists and gets the prompts: what clients built on it (most MCP hosts) see.
const tsSDKPackage = "@modelcontextprotocol/sdk@1.32.2"

var (
	tsSDKOnce sync.Once
	tsSDKDir  string
	tsSDKErr  error
)

func installTSSDK(t *testing.T) string {
	t.Helper()
	tsSDKOnce.Do(func() {
		if _, err := lookTool("npm"); err != nil {
			tsSDKErr = fmt.Errorf("%v: run ./scripts/test.sh, which installs nodejs and npm", err)
			return
		}
		dir := filepath.Join(workDir, "tssdk")
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"private": true, "type": "module"}`), 0o644)
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "npm", "install", "--no-audit", "--no-fund", "--loglevel=error", tsSDKPackage)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			tsSDKErr = fmt.Errorf("npm install %s: %v\n%s", tsSDKPackage, err, out)
			return
		}
		script, err := os.ReadFile(filepath.Join("testdata", "tssdk-prompts.mjs"))
		if err != nil {
			tsSDKErr = err
			return
		}
		tsSDKErr = os.WriteFile(filepath.Join(dir, "prompts.mjs"), script, 0o644)
		tsSDKDir = dir
	})
	if tsSDKErr != nil {
		t.Fatal(tsSDKErr)
	}
	return tsSDKDir
}

type tsSDKOutput struct {
	Capabilities struct {
		Prompts *struct{} `json:"prompts"`
	} `json:"capabilities"`
	Prompts []struct {
		Name        string `json:"name"`
		Title       string `json:"title"`
		Description string `json:"description"`
		Arguments   []struct {
			Name     string `json:"name"`
			Required bool   `json:"required"`
		} `json:"arguments"`
	} `json:"prompts"`
	Gets map[string]struct {
		Messages []struct {
			Role    string `json:"role"`
			Content struct {
				Type string `json:"type"`
				Text string `json:"text"`
			} `json:"content"`
		} `json:"messages"`
	} `json:"gets"`
	Missing map[string]string `json:"missing"`
	Hidden  map[string]string `json:"hidden"`
}

func runTSSDK(t *testing.T, serverArgs []string, tryHidden []string) tsSDKOutput {
	t.Helper()
	dir := installTSSDK(t)
	args := map[string]map[string]string{}
	for name, p := range builtinPrompts {
		args[name] = p.args
	}
	enc := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "prompts.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"SERVER_CMD="+enc(append([]string{binary, "--log-level", "warn"}, serverArgs...)),
		"SERVER_ENV="+enc(map[string]string{"PATH": os.Getenv("PATH"), "HOME": workDir, "CONTAINER_HOST": "unix://" + podmanSock}),
		"PROMPT_ARGS="+enc(args), "TRY_HIDDEN="+enc(tryHidden))
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("node prompts.mjs: %v\n%s\n%s", err, out, stderr)
	}
	var got tsSDKOutput
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("the TypeScript client printed %s: %v", out, err)
	}
	return got
}

func TestTypeScriptSDKPrompts(t *testing.T) {
	needPodman(t)
	got := runTSSDK(t, nil, nil)
	if got.Capabilities.Prompts == nil {
		t.Fatal("the TypeScript client sees no prompts capability")
	}
	var names []string
	for _, p := range got.Prompts {
		names = append(names, p.Name)
		want := builtinPrompts[p.Name]
		if p.Title == "" || p.Description == "" || len(p.Arguments) != len(want.args) {
			t.Errorf("%s as listed: %+v", p.Name, p)
		}
		g := got.Gets[p.Name]
		if len(g.Messages) != 1 || g.Messages[0].Role != "user" || g.Messages[0].Content.Type != "text" {
			t.Fatalf("%s: prompts/get answered %+v", p.Name, g)
		}
		for _, v := range want.args {
			if !strings.Contains(g.Messages[0].Content.Text, v) {
				t.Errorf("%s: the text lacks %q", p.Name, v)
			}
		}
		if len(want.args) > 0 && !strings.Contains(got.Missing[p.Name], "missing required argument") {
			t.Errorf("%s without arguments: %q", p.Name, got.Missing[p.Name])
		}
	}
	slices.Sort(names)
	if want := promptsServed(allToolNames(t)); !slices.Equal(names, want) {
		t.Fatalf("listed %v, want %v", names, want)
	}

	ro := runTSSDK(t, []string{"--read-only"}, []string{"promote-image", "reclaim-disk-space"})
	if len(ro.Prompts) != 1 || ro.Prompts[0].Name != "explain-image" {
		t.Fatalf("--read-only lists %+v, want explain-image alone", ro.Prompts)
	}
	for name, msg := range ro.Hidden {
		if !strings.Contains(msg, `prompt "`+name+`" is not available`) || !strings.Contains(msg, "--read-only") {
			t.Errorf("hidden %s: %q", name, msg)
		}
	}
}
