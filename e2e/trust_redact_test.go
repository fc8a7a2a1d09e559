package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/image-mcp/image-mcp/internal/fakecentral"
)

// echoCredentials is a hostile Podman's pull and build: it decodes the registry
// credentials it was sent (X-Registry-Auth or X-Registry-Config: one config or a map) and
// echoes every password, in every form, in the stream's output lines (progress) and in
// its error.
func echoCredentials(w http.ResponseWriter, r *http.Request) {
	var leaks []string
	for _, h := range []string{"X-Registry-Auth", "X-Registry-Config"} {
		v := r.Header.Get(h)
		if v == "" {
			continue
		}
		leaks = append(leaks, h+" was "+v)
		b, _ := base64.URLEncoding.DecodeString(v)
		var one struct{ Username, Password string }
		var many map[string]struct{ Username, Password string }
		if json.Unmarshal(b, &one) == nil && one.Password != "" {
			many = map[string]struct{ Username, Password string }{"": one}
		} else {
			json.Unmarshal(b, &many)
		}
		for reg, ac := range many {
			up := ac.Username + ":" + ac.Password
			leaks = append(leaks, "registry "+reg+" password "+ac.Password, "Authorization: Basic "+base64.StdEncoding.EncodeToString([]byte(up)),
				"https://"+url.UserPassword(ac.Username, ac.Password).String()+"@"+reg+"/v2/", "password="+url.QueryEscape(ac.Password),
				"config "+string(b))
		}
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	for _, l := range leaks {
		enc.Encode(map[string]string{"stream": l + "\n"})
		w.(http.Flusher).Flush()
		time.Sleep(250 * time.Millisecond) // each line its own progress notification
	}
	enc.Encode(map[string]string{"error": "denied: " + strings.Join(leaks, "; ")})
}

// echoToken is a hostile Central: its answers and errors echo the Authorization header it
// received, raw, in base64 and URL-encoded.
func echoToken(status int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a := r.Header.Get("Authorization")
		token := strings.TrimPrefix(a, "Bearer ")
		msg := fmt.Sprintf("bad header %q (base64 %s, token %s, %s)", a, base64.StdEncoding.EncodeToString([]byte(a)),
			base64.RawURLEncoding.EncodeToString([]byte(token)), url.QueryEscape(token))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		if status >= 400 {
			json.NewEncoder(w).Encode(map[string]any{"code": 16, "message": msg, "error": msg, "details": []any{}})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"count": 1, "note": msg, "images": []any{map[string]string{"id": "sha256:1", "name": msg}}})
	}
}

// jsonStrings is a line with every string value in it decoded, and those that are JSON
// themselves (a result's text block) decoded again: a secret JSON-escaped once or twice
// (\u0026 for &, \\\" for ") is found as well.
func jsonStrings(line []byte) string {
	var v any
	if json.Unmarshal(line, &v) != nil {
		return string(line)
	}
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			b.WriteString(x + "\n")
			var inner any
			if json.Unmarshal([]byte(x), &inner) == nil {
				if _, isString := inner.(string); !isString {
					walk(inner)
				}
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return string(line) + "\n" + b.String()
}

// With a canary Central token and canary registry passwords (in X-Registry-Auth, in
// X-Registry-Config, in the auth file), a Central that echoes the Authorization header in
// its errors and answers, and a Podman that echoes the credentials it was sent in its
// stream's lines and error: no canary, in any encoding, reaches stdout (results, errors,
// progress notifications), the debug log, or doctor's report.
func TestSecretsMaskedAtTheEdge(t *testing.T) {
	stamp := fmt.Sprint(time.Now().UnixNano())
	token := "canary.Token_" + stamp
	argPass := `canary/arg+pw&"` + stamp
	filePass := `canary\file+pw?<` + stamp
	configPass := "canary config pw " + stamp
	var canaries []string
	for _, s := range []string{token, "Bearer " + token, argPass, filePass, configPass, "arg-user:" + argPass, "file-user:" + filePass, "cfg-user:" + configPass} {
		canaries = append(canaries, encodings(s)...)
		canaries = append(canaries, url.QueryEscape(s), url.PathEscape(s))
	}
	canaries = append(canaries, stamp)

	central := StartFakeCentral(t, FakeCentralOptions{})
	central.SetRole(token, fakecentral.RoleAdmin)
	podman := startHostilePodman(t)
	podman.answer(echoCredentials)
	dir := t.TempDir()
	authFile := filepath.Join(dir, "auth.json")
	os.WriteFile(authFile, []byte(fmt.Sprintf(`{"auths":{"quay.io":{"auth":%q}}}`, base64.StdEncoding.EncodeToString([]byte("file-user:"+filePass)))), 0o600)
	ctxDir := filepath.Join(dir, "ctx")
	os.MkdirAll(ctxDir, 0o755)
	os.WriteFile(filepath.Join(ctxDir, "Containerfile"), []byte("FROM quay.io/x/y:1\n"), 0o644)
	env := append(central.Env(token), "CONTAINER_HOST=unix://"+podman.Sock, "REGISTRY_AUTH_FILE="+authFile)

	r := StartRaw(t, ServerOptions{NoPod: true, Args: []string{"--log-level", "debug"}, Env: env})
	argAuth := base64.URLEncoding.EncodeToString([]byte(fmt.Sprintf(`{"username":"arg-user","password":%q}`, argPass)))
	configAuth := fmt.Sprintf(`{"quay.io":{"username":"cfg-user","password":%q}}`, configPass)
	pull := toolFor(t, "POST", "/libpod/images/pull").Name
	build := toolFor(t, "POST", "/libpod/build").Name
	count := toolFor(t, "GET", "/v1/imagescount").Name
	list := toolFor(t, "GET", "/v1/images").Name
	progress := 0
	call := func(tool string, args map[string]any) Reply {
		progress++
		return r.MustCall(t, "tools/call", mustJSON(t, map[string]any{"name": tool, "arguments": args, "_meta": map[string]any{"progressToken": progress}}))
	}
	for _, c := range []struct {
		tool string
		args map[string]any
	}{
		{pull, map[string]any{"reference": "quay.io/x/y:1", "X-Registry-Auth": argAuth}},
		{pull, map[string]any{"reference": "quay.io/x/y:1"}}, // the auth file, as a map
		{pull, map[string]any{"reference": "y"}},             // a short name: the same map
		{build, map[string]any{"context": ctxDir, "X-Registry-Config": configAuth}},
		{build, map[string]any{"context": ctxDir}},
	} {
		if p := call(c.tool, c.args); p.Result == nil || !p.Result.IsError || !strings.Contains(p.Text(), "denied: X-Registry-") {
			t.Errorf("%s %v: want the echoing Podman's error, got %s", c.tool, c.args, p.Text())
		}
	}
	for _, status := range []int{401, 500, 200} {
		central.Override(echoToken(status))
		for _, tool := range []string{count, list} {
			if p := call(tool, map[string]any{}); p.Result == nil || !strings.Contains(p.Text(), "bad header") {
				t.Errorf("%s (Central answering %d): want its echo, got %s", tool, status, p.Text())
			}
		}
	}

	dout := doctorAgainstEcho(t, central, env)
	checkMaskedEverywhere(t, r, dout, canaries)
}

// doctorAgainstEcho runs doctor against a Central that echoes the token in its 401 and
// returns the report (stdout and stderr): it must report that Central.
func doctorAgainstEcho(t *testing.T, central *FakeCentral, env []string) string {
	t.Helper()
	central.Override(echoToken(401))
	cmd := exec.Command(binary, "doctor", "--no-autostart")
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + workDir, "XDG_RUNTIME_DIR=" + filepath.Join(workDir, "no-runtime-dir")}, env...)
	var dout, derr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &dout, &derr
	cmd.Run()
	if !strings.Contains(dout.String(), "Central rejected the API token") || !strings.Contains(dout.String(), "bad header") {
		t.Errorf("doctor did not report the echoing Central:\n%s", dout.String())
	}
	return dout.String() + derr.String()
}

// checkMaskedEverywhere: no canary in stdout (results, errors, progress), the debug log
// or doctor's report; stdout must show progress and masking, or the test proves nothing.
func checkMaskedEverywhere(t *testing.T, r *RawServer, doctorReport string, canaries []string) {
	t.Helper()
	var stdout strings.Builder
	r.mu.Lock()
	for _, l := range r.lines {
		stdout.WriteString(jsonStrings(l))
	}
	r.mu.Unlock()
	if !strings.Contains(stdout.String(), "notifications/progress") || !strings.Contains(stdout.String(), "[redacted]") {
		t.Fatalf("no progress notification or nothing masked: the test would prove nothing:\n%.2000s", stdout.String())
	}
	for name, text := range map[string]string{"stdout": stdout.String(), "the debug log": r.Stderr(), "doctor's report": doctorReport} {
		for _, c := range canaries {
			if i := strings.Index(text, c); i >= 0 {
				t.Errorf("%s carries a canary (%q): …%s…", name, c, text[max(0, i-200):min(len(text), i+len(c)+50)])
			}
		}
	}
}
