package e2e

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The images of an export were read by opening the written path again: swapped for a
// symlink meanwhile, the answer named the images of an outside archive; swapped for a
// symlink to an outside FIFO, the call hung. They are now read from the file as written.
func TestExportImagesNotReadFromASwappedPath(t *testing.T) {
	needPodman(t)
	f := newPathFixture(t)
	// An outside archive of an image by another name.
	secretName := tagBase(t, "localhost/outside-secret", "1")
	code, archive, err := PodmanRaw("GET", "/libpod/images/"+url.PathEscape(secretName)+"/get?format=docker-archive", nil)
	if err != nil || code != 200 {
		t.Fatalf("export: %d %v", code, err)
	}
	secret := filepath.Join(f.outside, "secret.tar")
	must(t, os.WriteFile(secret, archive, 0o600))
	fifo := filepath.Join(f.outside, "fifo")
	must(t, syscall.Mkfifo(fifo, 0o600))
	before := dirSnapshot(t, f.outside)
	s := StartServer(t, ServerOptions{Args: []string{"--allowed-dirs", f.allowed}})
	for i := range 24 {
		target := []string{secret, fifo}[i%2]
		out := filepath.Join(f.allowed, fmt.Sprintf("race-%d.tar", i))
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() { // the attacker: as soon as the export has its name, swap it
			for {
				select {
				case <-stop:
					return
				default:
				}
				if fi, err := os.Lstat(out); err == nil && fi.Mode().IsRegular() {
					os.Symlink(target, out+".swap")
					os.Rename(out+".swap", out)
					return
				}
			}
		})
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		res, err := s.Session.CallTool(ctx, &mcp.CallToolParams{Name: "export-image", Arguments: map[string]any{"name": baseImage, "output": out, "format": "docker-archive"}})
		cancel()
		close(stop)
		wg.Wait()
		if err != nil {
			t.Fatalf("export %d (swap for %s): %v", i, target, err)
		}
		var got struct{ Images []string }
		Structured(t, res, &got)
		if res.IsError || !slices.Equal(got.Images, []string{baseImage}) {
			t.Fatalf("export %d: images %q (isError %v), want only %s: %s", i, got.Images, res.IsError, baseImage, Text(res))
		}
	}
	sameSnapshot(t, "outside", before, dirSnapshot(t, f.outside))
}

// overwrite=true on a name that does not exist yet asks nothing; a file created there
// while the export runs was then replaced by the rename, unasked. It is now asked about
// when the export takes its name, and kept unless the person says yes (a replaced file
// keeps its mode).
func TestOverwriteOfAFileThatAppearsMeanwhile(t *testing.T) {
	needPodman(t)
	f := newPathFixture(t)
	for _, tc := range []struct {
		name, action, protocol string
		noElicit               bool
		args                   []string
		replaced               bool
		want                   string
	}{
		{name: "decline", action: "decline", want: "the person declined. Nothing was changed."},
		{name: "accept", action: "accept", replaced: true},
		{name: "decline-legacy-protocol", action: "decline", protocol: "2025-06-18", want: "the person declined"},
		{name: "accept-legacy-protocol", action: "accept", protocol: "2025-06-18", replaced: true},
		{name: "cannot-ask-deny", noElicit: true, args: []string{"--confirm-destructive=deny"}, want: "--confirm-destructive=deny"},
		{name: "cannot-ask-allow", noElicit: true, replaced: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target := filepath.Join(f.allowed, "appears-"+tc.name+".tar")
			el := &elicitor{action: tc.action}
			o := ServerOptions{Args: append(tc.args, "--allowed-dirs", f.allowed), ProtocolVersion: tc.protocol}
			if !tc.noElicit {
				o.Client = el.options()
			}
			s := StartServer(t, o)
			// Someone creates the file as soon as the export starts writing.
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					if parts, _ := filepath.Glob(filepath.Join(f.allowed, ".appears-"+tc.name+".tar.*.part")); len(parts) > 0 {
						// Only a new file: one created after the export took its name would
						// not be the attack.
						if w, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640); err == nil {
							w.WriteString("theirs")
							w.Close()
						}
						return
					}
				}
			})
			args := map[string]any{"name": baseImage, "output": target, "overwrite": true}
			var res *mcp.CallToolResult
			if tc.replaced {
				res = s.MustSucceed(t, "export-image", args)
			} else {
				res = s.MustFail(t, "export-image", args, tc.want)
			}
			close(stop)
			wg.Wait()
			got, err := os.ReadFile(target)
			must(t, err)
			if replaced := string(got) != "theirs"; replaced != tc.replaced {
				t.Fatalf("replaced=%v, want %v: %s", replaced, tc.replaced, Text(res))
			}
			if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o640 {
				t.Errorf("mode %v, want the file's 0640", fi.Mode().Perm())
			}
			if q := el.asked(); !tc.noElicit && (len(q) != 1 || !strings.Contains(q[0], "Replace the existing file "+target+" (6 bytes)")) {
				t.Fatalf("questions %q, want one about %s", q, target)
			}
			if parts, _ := filepath.Glob(filepath.Join(f.allowed, ".*.part")); len(parts) > 0 {
				t.Fatalf("left behind: %q", parts)
			}
		})
	}
}

// A yes (requestState + accept) was bound to the tool and arguments for 30 minutes, not
// to the file: sent again after the file changed, it overwrote the new content. It is now
// bound to the file (device, inode, size, mtime) and used once.
func TestOverwriteApprovalBoundToTheFile(t *testing.T) {
	needPodman(t)
	f := newPathFixture(t)
	target := filepath.Join(f.allowed, "approved.tar")
	must(t, os.WriteFile(target, []byte("old"), 0o600))
	s := StartServer(t, ServerOptions{Args: []string{"--allowed-dirs", f.allowed}, Client: manualRoundTrips(true)})
	args := map[string]any{"name": baseImage, "output": target, "overwrite": true}
	first := s.callRound(t, "export-image", args, nil, "")
	if first.RequestState == "" || first.InputRequests["overwrite"] == nil {
		t.Fatalf("no question: %s", Text(first))
	}
	// The file changes after the yes was asked for.
	time.Sleep(10 * time.Millisecond)
	must(t, os.WriteFile(target, []byte("new content"), 0o600))
	again := s.callRound(t, "export-image", args, map[string]string{"overwrite": "accept"}, first.RequestState)
	if again.InputRequests["overwrite"] == nil || again.RequestState == "" {
		t.Fatalf("the yes about the old file replaced the changed one: %v %s", again.IsError, Text(again))
	}
	if b, _ := os.ReadFile(target); string(b) != "new content" {
		t.Fatalf("the changed file holds %q", b)
	}
	if p := again.InputRequests["overwrite"].(*mcp.ElicitParams); !strings.Contains(p.Message, "(11 bytes)") {
		t.Fatalf("the new question is not about the changed file: %s", p.Message)
	}
	// A yes about the file as it is now replaces it, once.
	done := s.callRound(t, "export-image", args, map[string]string{"overwrite": "accept"}, again.RequestState)
	if done.IsError || done.InputRequests != nil {
		t.Fatalf("the yes about the file as it is: %s", Text(done))
	}
	exported := dirSnapshot(t, f.allowed)
	replay := s.callRound(t, "export-image", args, map[string]string{"overwrite": "accept"}, again.RequestState)
	if !replay.IsError || !strings.Contains(Text(replay), "was already used") {
		t.Fatalf("a replayed yes: %v %s", replay.IsError, Text(replay))
	}
	sameSnapshot(t, "after the replay", exported, dirSnapshot(t, f.allowed))
}

// manualRoundTrips is a client of MCP 2026-07-28 whose calls get input requests back
// as they are (no automatic round trips): the tests answer them by hand. elicit says
// whether it declares form elicitation.
func manualRoundTrips(elicit bool) *mcp.ClientOptions {
	o := &mcp.ClientOptions{MultiRoundTrip: &mcp.MultiRoundTripOptions{Disabled: true}}
	if elicit {
		o.ElicitationHandler = func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			return nil, fmt.Errorf("answered by hand")
		}
	}
	return o
}

// callRound calls a tool with answers (input request key → elicitation action) and the
// state of an earlier round.
func (s *Server) callRound(t *testing.T, name string, args map[string]any, answers map[string]string, state string) *mcp.CallToolResult {
	t.Helper()
	p := &mcp.CallToolParams{Name: name, Arguments: args, RequestState: state}
	if answers != nil {
		p.InputResponses = mcp.InputResponseMap{}
		for k, a := range answers {
			p.InputResponses[k] = &mcp.ElicitResult{Action: a}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res, err := s.Session.CallTool(ctx, p)
	if err != nil {
		t.Fatalf("call %s: %v", name, err)
	}
	return res
}
