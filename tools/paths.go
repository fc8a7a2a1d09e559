//lint:file-ignore SA1019 MCP roots are deprecated as of protocol 2026-07-28 but remain the standard way a client grants directories, and clients still use them.

package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/internal/allowdirs"
	"github.com/image-mcp/image-mcp/upstream"
)

// PathNote is added to the description of every path argument. It is the same whether
// a rule is in force or not, so the tool list does not change with the configuration.
const PathNote = " Must be inside the allowed directories, if any are set."

// rootsKey names the input request that lists the client's roots.
const rootsKey = "roots"

// PathRule says which directories local paths must be inside: the --allowed-dirs of
// the person who runs image-mcp when given (a person's config is narrower than a
// client's default), else the client's MCP roots, else any path.
type PathRule struct {
	Flag allowdirs.Dirs

	mu       sync.Mutex
	sessions map[*mcp.ServerSession]*sessionRoots
}

// sessionRoots is the last root list of a session. Once a client has given roots, an
// empty list later allows nothing: removing roots must not widen access.
type sessionRoots struct {
	dirs  allowdirs.Dirs
	fresh bool
	given bool
}

// RootsChanged is the server's RootsListChangedHandler: the next call lists them again.
func (p *PathRule) RootsChanged(_ context.Context, req *mcp.RootsListChangedRequest) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s := p.sessions[req.Session]; s != nil {
		s.fresh = false
	}
}

// allowedFor gives the directories a call's paths must be inside (nil: any path), or a
// result to return instead: a roots input request for clients of MCP 2026-07-28, or an
// error.
func (p *PathRule) allowedFor(ctx context.Context, req *mcp.CallToolRequest) (allowdirs.Dirs, *mcp.CallToolResult) {
	if p == nil {
		return nil, nil
	}
	if p.Flag.Active() {
		return p.Flag, nil
	}
	if req == nil || req.Session == nil || !declaresRoots(req.Session) {
		return nil, nil
	}
	p.mu.Lock()
	if p.sessions == nil {
		p.sessions = map[*mcp.ServerSession]*sessionRoots{}
	}
	s := p.sessions[req.Session]
	if s == nil {
		s = &sessionRoots{}
		p.sessions[req.Session] = s
	}
	p.mu.Unlock()

	var list *mcp.ListRootsResult
	if req.Params != nil {
		list, _ = req.Params.InputResponses[rootsKey].(*mcp.ListRootsResult)
	}
	p.mu.Lock()
	fresh := s.fresh
	p.mu.Unlock()
	if list == nil && !fresh {
		if clientTakesInputRequests(req.Session) {
			// Servers may not send roots/list themselves on MCP 2026-07-28: ask in the result.
			return nil, &mcp.CallToolResult{InputRequests: mcp.InputRequestMap{rootsKey: &mcp.ListRootsParams{}}}
		}
		var err error
		if list, err = req.Session.ListRoots(ctx, nil); err != nil {
			return nil, errorResult("cannot list the client's roots (the directories this call may use): %v", err)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if list != nil {
		var uris []string
		for _, r := range list.Roots {
			if r != nil {
				uris = append(uris, r.URI)
			}
		}
		s.dirs, _ = allowdirs.FromRootURIs(uris)
		s.fresh = true
		s.given = s.given || len(s.dirs) > 0
	}
	switch {
	case !s.given:
		return nil, nil
	case len(s.dirs) == 0:
		return nil, errorResult("the client's roots list no directory now, so no path on this machine may be used (paths must be inside the allowed directories, and the client gave some before). Nothing was read or written.")
	}
	return s.dirs, nil
}

func declaresRoots(ss *mcp.ServerSession) bool {
	ip := ss.InitializeParams()
	return ip != nil && ip.Capabilities != nil && (ip.Capabilities.RootsV2 != nil || ip.Capabilities.Roots.ListChanged)
}

// clientTakesInputRequests: the session's protocol is 2026-07-28 or later, where
// elicitation and roots travel as input requests in a result.
func clientTakesInputRequests(ss *mcp.ServerSession) bool {
	ip := ss.InitializeParams()
	return ip != nil && ip.ProtocolVersion >= "2026-07-28"
}

// checkHostPaths checks the paths handed to a Podman service on this machine (it opens
// them, not image-mcp: a swap after this check is beyond reach). For a remote service
// they name another machine's files and cannot be checked here. Local files and
// directories are checked where image-mcp opens them (buildRequestIn, CreateOutputFile).
func checkHostPaths(t *capabilities.Tool, v Values, dirs allowdirs.Dirs, local bool) *mcp.CallToolResult {
	for _, a := range t.Args {
		p, given := v[a.Name].(string)
		if !given || !local || !dirs.Active() {
			continue
		}
		var err error
		switch a.Role {
		case capabilities.RoleHostPath:
			_, err = dirs.Check(p)
		case capabilities.RoleContextFile:
			err = checkContextFiles(p)
		}
		if err != nil {
			return errorResult("%s: argument %q: %v", t.Name, a.Name, err)
		}
	}
	return nil
}

// checkContextFiles: a Containerfile named by a build (a path, or a JSON array of them,
// as Podman reads it) must be a relative path inside the context; Podman would open an
// absolute one on its own machine, outside the context.
func checkContextFiles(v string) error {
	names := []string{v}
	if strings.HasPrefix(strings.TrimSpace(v), "[") {
		if err := json.Unmarshal([]byte(v), &names); err != nil {
			return fmt.Errorf("is neither a path nor a JSON array of paths: %v", err)
		}
	}
	for _, n := range names {
		c := filepath.ToSlash(filepath.Clean(n))
		if strings.ContainsRune(n, 0) || filepath.IsAbs(n) || strings.HasPrefix(n, "/") || c == ".." || strings.HasPrefix(c, "../") {
			return fmt.Errorf("%q must be a relative path inside the build context (the allowed directories are in force)", n)
		}
	}
	return nil
}

// isLocal: the upstream runs on this machine (a Podman unix socket), so host paths
// are this machine's paths.
func isLocal(c upstream.Client) bool {
	r, ok := c.(interface{ Remote() bool })
	return ok && !r.Remote()
}

// hasPathArgs: the call gives a value to a path argument.
func hasPathArgs(t *capabilities.Tool, v Values) bool {
	for _, a := range t.Args {
		if (a.Role == capabilities.RoleContextFile || a.Role.NamesPath()) && v.String(a.Name) != "" {
			return true
		}
	}
	return false
}

// DescribeAllowed says in words which directories are in force, for doctor and the log.
func (p *PathRule) DescribeAllowed() string {
	if p != nil && p.Flag.Active() {
		return fmt.Sprintf("%s (--allowed-dirs)", p.Flag)
	}
	return "from the client's roots at run time; any path when the client gives none"
}
