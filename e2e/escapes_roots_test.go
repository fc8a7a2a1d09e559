//lint:file-ignore SA1019 MCP roots are deprecated as of protocol 2026-07-28 but still in use; this tests them.

package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Roots that name no usable local directory (another scheme, another host, a relative
// or NUL-carrying path) are a rule that allows nothing, not no rule.
func TestRootsThatNameNoDirectoryAllowNothing(t *testing.T) {
	needPodman(t)
	f := newPathFixture(t)
	before := dirSnapshot(t, f.outside)
	for _, protocol := range []string{"", "2025-06-18"} {
		t.Run("protocol-"+protocol, func(t *testing.T) {
			s := StartServer(t, ServerOptions{ProtocolVersion: protocol})
			s.client.AddRoots(&mcp.Root{URI: "https://example.com" + f.outside}, &mcp.Root{URI: "file://otherhost" + f.outside},
				&mcp.Root{URI: "file:tmp/x"}, &mcp.Root{URI: "file://" + f.outside + "%00"})
			for _, c := range []struct {
				tool string
				args map[string]any
			}{
				{"export-image", map[string]any{"name": baseImage, "output": filepath.Join(f.outside, "new.tar")}},
				{"load-image", map[string]any{"upload": filepath.Join(f.outside, "img.tar")}},
			} {
				s.MustFail(t, c.tool, c.args, "roots name no usable directory", "https://example.com"+f.outside, "file:tmp/x", "Nothing was read or written")
			}
		})
	}
	sameSnapshot(t, "outside", before, dirSnapshot(t, f.outside))
}

// An empty or blank --allowed-dirs or IMAGE_MCP_ALLOWED_DIRS started unrestricted with
// only an info line; it now stops the start like every bad setting.
func TestAllowedDirsBlankStopsStart(t *testing.T) {
	for _, tc := range []struct {
		env  []string
		args []string
		want string
	}{
		{args: []string{"--allowed-dirs", ""}, want: "--allowed-dirs: names no directory"},
		{args: []string{"--allowed-dirs", ","}, want: "--allowed-dirs: names no directory"},
		{args: []string{"--allowed-dirs", " "}, want: "--allowed-dirs: names no directory"},
		{env: []string{"IMAGE_MCP_ALLOWED_DIRS=:"}, want: "IMAGE_MCP_ALLOWED_DIRS: names no directory"},
		{env: []string{"IMAGE_MCP_ALLOWED_DIRS= "}, want: "IMAGE_MCP_ALLOWED_DIRS: names no directory"},
	} {
		out, code := runBinary(t, tc.env, tc.args...)
		if code != 2 || !strings.Contains(out, tc.want) {
			t.Errorf("%v %v: exit %d, output:\n%s", tc.env, tc.args, code, out)
		}
	}
}

// A session that initialized through `initialize` with 2026-07-28 is answered 2025-11-25;
// it got input requests in results all the same, which it cannot answer. It is now asked
// as a 2025-11-25 client is: elicitation/create and roots/list during the call.
func TestInitialize2026IsAskedAsNegotiated(t *testing.T) {
	needPodman(t)
	f := newPathFixture(t)
	img := tagBase(t, "localhost/escape-negotiated", "1")
	var mu sync.Mutex
	var asked []string
	r := StartRawWith(t, ServerOptions{},
		`{"protocolVersion":"2026-07-28","capabilities":{"elicitation":{},"roots":{"listChanged":true}},"clientInfo":{"name":"raw","version":"1"}}`,
		func(method string, _ json.RawMessage) string {
			mu.Lock()
			asked = append(asked, method)
			mu.Unlock()
			switch method {
			case "elicitation/create":
				return `"result":{"action":"decline"}`
			case "roots/list":
				return `"result":{"roots":[{"uri":` + strconv.Quote(rootURI(f.allowed)) + `}]}`
			}
			return `"error":{"code":-32601,"message":"Method not found"}`
		})
	if !strings.Contains(string(r.Init), `"protocolVersion":"2025-11-25"`) {
		t.Fatalf("initialize answered %s", r.Init)
	}
	raw := r.Request(t, "tools/call", `{"name":"remove-image-local-storage","arguments":{"name":"`+img+`"}}`)
	if strings.Contains(string(raw), "inputRequests") || !strings.Contains(string(raw), "the person declined") {
		t.Fatalf("remove answered %s", raw)
	}
	if !imageExists(t, img) {
		t.Fatal("a declined remove removed the image")
	}
	raw = r.Request(t, "tools/call", `{"name":"export-image","arguments":{"name":"`+baseImage+`","output":"`+filepath.Join(f.outside, "x.tar")+`"}}`)
	if strings.Contains(string(raw), "inputRequests") || !strings.Contains(string(raw), "outside the allowed directories") {
		t.Fatalf("export answered %s", raw)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(asked, []string{"elicitation/create", "roots/list"}) {
		t.Fatalf("the server asked %q", asked)
	}
	r.CheckStdout(t)
}

// Clearer errors the red team met.
func TestPathErrorsSayWhatIsThere(t *testing.T) {
	needPodman(t)
	f := newPathFixture(t)
	must(t, os.Symlink(filepath.Join(f.outside, "missing.tar"), filepath.Join(f.allowed, "dangling.tar")))
	fifo := filepath.Join(f.allowed, "fifo.tar")
	must(t, syscall.Mkfifo(fifo, 0o600))
	before, beforeIn := dirSnapshot(t, f.outside), dirSnapshot(t, f.allowed)
	el := &elicitor{action: "decline"}
	s := StartServer(t, ServerOptions{Args: []string{"--allowed-dirs", f.allowed}, Client: el.options()})
	s.MustFail(t, "export-image", map[string]any{"name": baseImage, "output": f.allowed, "overwrite": true}, f.allowed+" is a directory")
	s.MustFail(t, "load-image", map[string]any{"upload": filepath.Join(f.allowed, "dangling.tar")},
		"is a symbolic link to "+filepath.Join(f.outside, "missing.tar")+", which does not exist")
	s.MustFail(t, "export-image", map[string]any{"name": baseImage, "output": filepath.Join(f.allowed, "new.tar") + "/"}, "ends with a slash")
	s.MustFail(t, "load-image", map[string]any{"upload": filepath.Join(f.allowed, "img.tar") + "/"}, "ends with a slash")
	s.MustFail(t, "export-image", map[string]any{"name": baseImage, "output": fifo, "overwrite": true}, "declined")
	s.MustFail(t, "export-image", map[string]any{"name": baseImage, "output": filepath.Join(f.allowed, "dangling.tar"), "overwrite": true}, "declined")
	q := el.asked()
	if len(q) != 2 || !strings.Contains(q[0], "the existing FIFO "+fifo) || !strings.Contains(q[1], "the existing symbolic link "+filepath.Join(f.allowed, "dangling.tar")) {
		t.Fatalf("questions %q", q)
	}
	sameSnapshot(t, "outside", before, dirSnapshot(t, f.outside))
	sameSnapshot(t, "allowed", beforeIn, dirSnapshot(t, f.allowed))
}
