package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tidwall/gjson"
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

// The TypeScript SDK's v2 client (npm @modelcontextprotocol/client), beside the v1 one.
const tsSDK2Package = "@modelcontextprotocol/client@2.4.0"

var (
	tsSDK2Once sync.Once
	tsSDK2Dir  string
	tsSDK2Err  error
)

func installTSSDK2(t *testing.T) string {
	t.Helper()
	tsSDK2Once.Do(func() {
		if _, err := lookTool("npm"); err != nil {
			tsSDK2Err = fmt.Errorf("%v: run ./scripts/test.sh, which installs nodejs and npm", err)
			return
		}
		dir := filepath.Join(workDir, "tssdk2")
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"private": true, "type": "module"}`), 0o644)
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "npm", "install", "--no-audit", "--no-fund", "--loglevel=error", tsSDK2Package)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			tsSDK2Err = fmt.Errorf("npm install %s: %v\n%s", tsSDK2Package, err, out)
			return
		}
		script, err := os.ReadFile(filepath.Join("testdata", "tssdk2-workflow.mjs"))
		if err != nil {
			tsSDK2Err = err
			return
		}
		tsSDK2Err = os.WriteFile(filepath.Join(dir, "workflow.mjs"), script, 0o644)
		tsSDK2Dir = dir
	})
	if tsSDK2Err != nil {
		t.Fatal(tsSDK2Err)
	}
	return tsSDK2Dir
}

type tsSDK2Output struct {
	Mode            string `json:"mode"`
	ProtocolVersion string `json:"protocolVersion"`
	Capabilities    struct {
		Tools       *struct{} `json:"tools"`
		Prompts     *struct{} `json:"prompts"`
		Completions *struct{} `json:"completions"`
	} `json:"capabilities"`
	Tools      []string `json:"tools"`
	Prompts    []string `json:"prompts"`
	PromptText string   `json:"promptText"`
	Completion struct {
		Values  []string `json:"values"`
		HasMore bool     `json:"hasMore"`
	} `json:"completion"`
	Listed  []string `json:"listed"`
	Calls   int      `json:"calls"`
	Noticed int      `json:"noticed"`
	Remove  struct {
		IsError bool   `json:"isError"`
		Text    string `json:"text"`
	} `json:"remove"`
	Asked []string `json:"asked"`
}

// The v2 client, in its legacy mode and pinned to 2026-07-28, goes through a workflow:
// tools, prompts and completion, a cut list read as a policy S client reads it and
// followed to its end, and a removal the person confirms.
func TestTypeScriptSDKv2Workflow(t *testing.T) {
	needPodman(t)
	dir := installTSSDK2(t)
	importTiny(t, 40, "issue23-tsv2")
	filters := `{"label":["issue13=issue23-tsv2"]}`
	code, body, err := PodmanRaw("GET", "/libpod/images/json?filters="+url.QueryEscape(filters), nil)
	if err != nil || code != 200 {
		t.Fatalf("raw listing: %d %v", code, err)
	}
	var want []string
	for _, id := range gjson.GetBytes(body, "#.Id").Array() {
		want = append(want, id.String())
	}
	enc := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	for _, mode := range []string{"legacy", "pinned"} {
		t.Run(mode, func(t *testing.T) {
			remove := tagBase(t, "localhost/issue23-tsv2-remove", mode)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, "node", "workflow.mjs")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "MODE="+mode,
				"SERVER_CMD="+enc([]string{binary, "--log-level", "warn", "--max-output-bytes", "2000"}),
				"SERVER_ENV="+enc(map[string]string{"PATH": os.Getenv("PATH"), "HOME": workDir, "CONTAINER_HOST": "unix://" + podmanSock}),
				"IMAGE="+baseImage, "TYPED=localhost/issue23-tsv2:1", "LIST_ARGS="+enc(map[string]any{"filters": filters, "fields": []string{"Id"}}),
				"REMOVE="+remove)
			out, err := cmd.Output()
			if err != nil {
				var stderr []byte
				if ee, ok := err.(*exec.ExitError); ok {
					stderr = ee.Stderr
				}
				t.Fatalf("node workflow.mjs: %v\n%s\n%s", err, out, stderr)
			}
			var got tsSDK2Output
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("the v2 client printed %s: %v", out, err)
			}
			wantVersion := "2025-11-25"
			if mode == "pinned" {
				wantVersion = "2026-07-28"
			}
			if got.ProtocolVersion != wantVersion {
				t.Errorf("protocol %q, want %s", got.ProtocolVersion, wantVersion)
			}
			if got.Capabilities.Tools == nil || got.Capabilities.Prompts == nil || got.Capabilities.Completions == nil {
				t.Errorf("capabilities %+v", got.Capabilities)
			}
			sameToolNames(t, "the v2 client's tools/list", got.Tools)
			if want := promptsServed(got.Tools); !slices.Equal(slices.Sorted(slices.Values(got.Prompts)), want) {
				t.Errorf("prompts %v, want %v", got.Prompts, want)
			}
			if !strings.Contains(got.PromptText, baseImage) {
				t.Errorf("explain-image text: %.200s", got.PromptText)
			}
			wantNames := []string{"localhost/issue23-tsv2:1"}
			for i := 10; i < 20; i++ {
				wantNames = append(wantNames, fmt.Sprintf("localhost/issue23-tsv2:%d", i))
			}
			if g := slices.Sorted(slices.Values(got.Completion.Values)); !slices.Equal(g, wantNames) || got.Completion.HasMore {
				t.Errorf("completion of localhost/issue23-tsv2:1: %+v, want %v", got.Completion, wantNames)
			}
			if !slices.Equal(got.Listed, want) || got.Noticed == 0 || got.Calls != got.Noticed+1 {
				t.Errorf("read as policy S: %d calls (%d notices) gave %d images, the store has %d (every one once, in order)", got.Calls, got.Noticed, len(got.Listed), len(want))
			}
			if got.Remove.IsError || len(got.Asked) != 1 || !strings.Contains(got.Asked[0], remove) || imageExists(t, remove) {
				t.Errorf("the confirmed removal: %+v, asked %q, still there: %v", got.Remove, got.Asked, imageExists(t, remove))
			}
		})
	}
}
