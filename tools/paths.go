//lint:file-ignore SA1019 MCP roots are deprecated as of protocol 2026-07-28 but remain the standard way a client grants directories, and clients still use them.

package tools

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/internal/allowdirs"
	"github.com/image-mcp/image-mcp/podman"
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
		s.dirs, s.ignored = allowdirs.FromRootURIs(uris)
		s.fresh = true
		// Roots that are all unusable are a rule that allows nothing, not no rule.
		s.given = s.given || len(uris) > 0
	}
	switch {
	case !s.given:
		return nil, nil
	case len(s.dirs) == 0 && len(s.ignored) > 0:
		return nil, errorResult("the client's roots name no usable directory on this machine (only file:// URIs of a local absolute path count): %s. "+
			"So no path on this machine may be used; ask the person to add the directory as a root. Nothing was read or written.", clip(strings.Join(s.ignored, ", "), 1000))
	case len(s.dirs) == 0:
		return nil, errorResult("the client's roots list no directory now, so no path on this machine may be used (paths must be inside the allowed directories, and the client gave some before). Nothing was read or written.")
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

// checkURLs refuses, rule or no rule, a value that Podman would read as a path on its
// own machine where an argument takes URLs (role url, and the URL form of
// build-contexts): it accepts only what the argument's URLPrefixes name. (Podman 4.3.1
// builds from a `remote` that is a path and then deletes the directory above it.)
func checkURLs(t *capabilities.Tool, v Values) *mcp.CallToolResult {
	for _, a := range t.Args {
		var urls []string
		switch a.Role {
		case capabilities.RoleURL:
			if s := v.String(a.Name); s != "" {
				urls = []string{s}
			}
		case capabilities.RoleBuildContexts:
			for _, c := range podman.AdditionalBuildContexts(stringItems(v[a.Name])) {
				if c.Kind == podman.ContextURL {
					urls = append(urls, c.Value)
				}
			}
		default:
			continue
		}
		for _, u := range urls {
			if slices.ContainsFunc(a.URLPrefixes, func(p string) bool { return strings.HasPrefix(u, p) }) {
				continue
			}
			msg := fmt.Sprintf("%s: argument %q takes a URL that %s downloads, starting with %s; %q is not one, and %s would read it as a path on its own machine, "+
				"outside any allowed directory. Nothing was sent.", t.Name, a.Name, t.Capability.Display, strings.Join(a.URLPrefixes, ", "), clip(u, 200), t.Capability.Display)
			if a.FilesArg != "" {
				msg += fmt.Sprintf(" For files on this machine use %q.", a.FilesArg)
			}
			return errorResult("%s", msg)
		}
	}
	return nil
}

// checkHostPaths checks, under a rule, what Podman will open on its own machine when
// that is this machine (a unix socket): host paths and build contexts there, and the
// directories of additional build contexts (Podman opens them itself: a swap after this
// check is beyond reach). For a remote service they name another machine's files and
// cannot be checked here. It also finds the Containerfiles a build will read, which must
// lie inside its context: those of a context sent as a tar are returned, for the tar to
// check as it sends them (buildRequestIn); those of a context on the Podman host are
// checked here. Local files and directories are checked where image-mcp opens them
// (buildRequestIn, CreateOutputFile).
func checkHostPaths(ctx context.Context, t *capabilities.Tool, v Values, dirs allowdirs.Dirs, client upstream.Client) ([]string, *mcp.CallToolResult) {
	if !dirs.Active() {
		return nil, nil
	}
	local := isLocal(client)
	version := sync.OnceValue(func() string {
		if vc, ok := client.(upstream.Versioned); ok {
			if have, err := vc.Version(ctx); err == nil {
				return have
			}
		}
		return ""
	})
	cf := t.ArgWithRole(capabilities.RoleContextFile)
	var tarred []string
	for _, a := range t.Args {
		if _, given := v[a.Name]; !given {
			continue
		}
		bad := func(err error) ([]string, *mcp.CallToolResult) {
			name := a.Name
			var ce *podman.ContainerfileError
			if errors.As(err, &ce) && cf != nil && v.String(cf.Name) != "" {
				name = cf.Name // the Containerfile was named; else a default one in the context
			}
			return nil, errorResult("%s: argument %q: %v. Nothing was sent.", t.Name, name, err)
		}
		var err error
		switch a.Role {
		case capabilities.RoleContextDir:
			if cf != nil {
				if tarred, err = podman.ContainerfilePaths(v.String(cf.Name), "", version); err != nil {
					return bad(err)
				}
			}
		case capabilities.RoleHostContextDir:
			if local {
				err = checkHostContext(v.String(a.Name), cf, v, dirs, version)
			}
		case capabilities.RoleHostPath:
			if local {
				_, err = dirs.Check(v.String(a.Name))
			}
		case capabilities.RoleBuildContexts:
			err = checkBuildContextDirs(stringItems(v[a.Name]), dirs, local)
		}
		if err != nil {
			return bad(err)
		}
	}
	return tarred, nil
}

// checkHostContext checks a build context on the Podman host and the Containerfiles
// Podman will read in it.
func checkHostContext(dir string, cf *capabilities.Argument, v Values, dirs allowdirs.Dirs, version func() string) error {
	root, _, err := dirs.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	if cf == nil {
		return nil
	}
	names, err := podman.ContainerfilePaths(v.String(cf.Name), dir, version)
	if err != nil {
		return err
	}
	return podman.CheckContainerfiles(root, names)
}

// checkBuildContextDirs: the directories among additional build contexts must be inside
// the allowed directories (on a local Podman; a remote one's cannot be checked here),
// and a form Podman does not read is refused rather than guessed at.
func checkBuildContextDirs(items []string, dirs allowdirs.Dirs, local bool) error {
	for _, c := range podman.AdditionalBuildContexts(items) {
		switch c.Kind {
		case podman.ContextPath:
			if !local {
				continue
			}
			if _, err := dirs.Check(c.Value); err != nil {
				return fmt.Errorf("context %q is a directory on the Podman host: %w", c.Name, err)
			}
		case podman.ContextUnknown:
			return fmt.Errorf("%q is neither an image, a URL nor a directory as Podman reads them "+
				"(name=image:REF, name=url:URL, name=localpath:DIR, or Podman 4's JSON object); with the allowed directories in force it is refused", clip(c.Item, 200))
		}
	}
	return nil
}

// stringItems is an array argument's strings.
func stringItems(v any) []string {
	items, _ := v.([]any)
	out := make([]string, 0, len(items))
	for _, it := range items {
		if s, ok := it.(string); ok {
			out = append(out, s)
		}
	}
	return out
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
		if a.Role.MayNamePath() && anyGiven(v, []string{a.Name}) {
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
