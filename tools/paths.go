//lint:file-ignore SA1019 MCP roots are deprecated as of protocol 2026-07-28 but remain the standard way a client grants directories, and clients still use them.

package tools

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/image-mcp/image-mcp/internal/allowdirs"
	"github.com/image-mcp/image-mcp/internal/clip"
)

// pathNote is added to the description of every path argument. It is the same whether
// a rule is in force or not, so the tool list does not change with the configuration.
const pathNote = " Must be inside the allowed directories, if any are set."

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
	dirs    allowdirs.Dirs
	ignored []string // roots that name no usable local directory
	fresh   bool
	given   bool
}

// RootsChanged is the server's RootsListChangedHandler: the next call lists them again.
func (p *PathRule) RootsChanged(_ context.Context, req *mcp.RootsListChangedRequest) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s := p.sessions[req.Session]; s != nil {
		s.fresh = false
	}
}

// allowedFor gives the directories a call's paths must be inside (nil: any path), or
// why the call cannot go on: a roots input request for clients of MCP 2026-07-28, or a
// failure.
func (p *PathRule) allowedFor(ctx context.Context, req *mcp.CallToolRequest) (allowdirs.Dirs, error) {
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
			return nil, &inputRequest{requests: mcp.InputRequestMap{rootsKey: &mcp.ListRootsParams{}}}
		}
		var err error
		if list, err = req.Session.ListRoots(ctx, nil); err != nil {
			return nil, failf("cannot list the client's roots (the directories this call may use): %v", err)
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
		s.dirs, s.ignored = allowdirs.FromRootURIs(uris)
		s.fresh = true
		// Roots that are all unusable are a rule that allows nothing, not no rule.
		s.given = s.given || len(uris) > 0
	}
	switch {
	case !s.given:
		return nil, nil
	case len(s.dirs) == 0 && len(s.ignored) > 0:
		return nil, failf("the client's roots name no usable directory on this machine (only file:// URIs of a local absolute path count): %s. "+
			"So no path on this machine may be used; ask the person to add the directory as a root. Nothing was read or written.", clip.Text(strings.Join(s.ignored, ", "), 1000))
	case len(s.dirs) == 0:
		return nil, failf("the client's roots list no directory now, so no path on this machine may be used (paths must be inside the allowed directories, and the client gave some before). Nothing was read or written.")
	}
	return s.dirs, nil
}

func declaresRoots(ss *mcp.ServerSession) bool {
	ip := ss.InitializeParams()
	return ip != nil && ip.Capabilities != nil && (ip.Capabilities.RootsV2 != nil || ip.Capabilities.Roots.ListChanged)
}

// inputRequestsFrom is the first MCP version whose clients take input requests.
const inputRequestsFrom = "2026-07-28"

// clientTakesInputRequests: the session's protocol is 2026-07-28 or later, where
// elicitation and roots travel as input requests in a result. The version is the one
// the session runs, which NegotiatedProtocol keeps in InitializeParams.
func clientTakesInputRequests(ss *mcp.ServerSession) bool {
	ip := ss.InitializeParams()
	return ip != nil && ip.ProtocolVersion >= inputRequestsFrom
}

// NegotiatedProtocol is a receiving middleware for the legacy handshake: a client that
// asks `initialize` for 2026-07-28 or later is answered an older version (that version
// negotiates through server/discover), yet the session keeps the version it asked for,
// which the go-sdk and clientTakesInputRequests read. It would then get input requests
// it cannot answer. So the request is given the version the handshake will answer, the
// newest before 2026-07-28, and the session records what it really speaks.
func NegotiatedProtocol() mcp.Middleware {
	answered := ""
	for _, v := range mcp.SupportedProtocolVersions() { // newest first
		if v < inputRequestsFrom {
			answered = v
			break
		}
	}
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			if r, ok := req.(*mcp.ServerRequest[*mcp.InitializeParams]); ok && r.Params != nil && r.Params.ProtocolVersion >= inputRequestsFrom {
				p := *r.Params
				p.ProtocolVersion = answered
				req = &mcp.ServerRequest[*mcp.InitializeParams]{Session: r.Session, Params: &p, Extra: r.Extra}
			}
			return next(ctx, method, req)
		}
	}
}

// DescribeAllowed says in words which directories are in force, for doctor and the log.
func (p *PathRule) DescribeAllowed() string {
	if p != nil && p.Flag.Active() {
		return fmt.Sprintf("%s (--allowed-dirs)", p.Flag)
	}
	return "from the client's roots at run time; any path when the client gives none"
}
