package podman

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/internal/allowdirs"
	"github.com/image-mcp/image-mcp/internal/clip"
	"github.com/image-mcp/image-mcp/upstream"
)

// Check is Podman's upstream.Checker: the URLs of additional build contexts, rule or no
// rule, then, under the allowed directories, what Podman will open on its own machine
// when that is this machine (a unix socket): host paths and build contexts there, and
// the directories of additional build contexts (Podman opens them itself: a swap after
// this check is beyond reach). For a remote service they name another machine's files
// and cannot be checked here. The Containerfiles a build reads must lie inside its
// context: those of a context on the Podman host are checked here, those of a context
// sent as a tar by the tar as it is sent (Prepare). Local files and directories are
// checked where they are opened.
func (c *Client) Check(ctx context.Context, call upstream.Call) error {
	if err := checkContextURLs(call); err != nil {
		return err
	}
	dirs, err := call.Allowed()
	if err != nil || !dirs.Active() {
		return err
	}
	return c.checkHostPaths(ctx, call, dirs)
}

// checkContextURLs refuses a URL of an additional build context that Podman would read
// as a path on its own machine: only what the argument's URLPrefixes name is taken.
// (Podman 4.3.1 builds from a `remote` that is a path and then deletes the directory
// above it.)
func checkContextURLs(call upstream.Call) error {
	t := call.Tool()
	for _, a := range t.Args {
		if a.Role != capabilities.RoleBuildContexts {
			continue
		}
		for _, bc := range additionalBuildContexts(strs(call, a.Name)) {
			if bc.Kind != contextURL {
				continue
			}
			if err := a.CheckURL(t, bc.Value); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkHostPaths checks, in the order of the tool's arguments, those that name paths on
// Podman's machine or Containerfiles in a build context.
func (c *Client) checkHostPaths(ctx context.Context, call upstream.Call, dirs allowdirs.Dirs) error {
	t := call.Tool()
	local := !c.Remote()
	version := c.versionOnce(ctx)
	cf := t.ArgWithRole(capabilities.RoleContextFile)
	for _, a := range t.Args {
		if _, given := call.Arg(a.Name); !given {
			continue
		}
		var err error
		switch a.Role {
		case capabilities.RoleContextDir:
			if cf != nil {
				_, err = containerfilePaths(str(call, cf.Name), "", version)
			}
		case capabilities.RoleHostContextDir:
			if local {
				err = checkHostContext(call, str(call, a.Name), cf, dirs, version)
			}
		case capabilities.RoleHostPath:
			if local {
				_, err = dirs.Check(str(call, a.Name))
			}
		case capabilities.RoleBuildContexts:
			err = checkBuildContextDirs(strs(call, a.Name), dirs, local)
		}
		if err != nil {
			return argumentError(call, a.Name, err, ".")
		}
	}
	return nil
}

// argumentError names the argument a check or the context tar failed for: the one the
// Containerfile came from when one was named, else the one given. Nothing was sent; end
// ends the sentence.
func argumentError(call upstream.Call, name string, err error, end string) error {
	var ce *containerfileError
	if cf := call.Tool().ArgWithRole(capabilities.RoleContextFile); errors.As(err, &ce) && cf != nil && str(call, cf.Name) != "" {
		name = cf.Name // the Containerfile was named; else a default one in the context
	}
	return failf("%s: argument %q: %v. Nothing was sent%s", call.Tool().Name, name, err, end)
}

// versionOnce gives the service's version at most once for a check, "" when it cannot
// be read (asked only for a JSON-array Containerfile).
func (c *Client) versionOnce(ctx context.Context) func() string {
	return sync.OnceValue(func() string {
		v, err := c.Version(ctx)
		if err != nil {
			return ""
		}
		return v
	})
}

// checkHostContext checks a build context on the Podman host and the Containerfiles
// Podman will read in it (cf, the Containerfile argument; nil: none to check).
func checkHostContext(call upstream.Call, dir string, cf *capabilities.Argument, dirs allowdirs.Dirs, version func() string) error {
	root, _, err := dirs.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	if cf == nil {
		return nil
	}
	names, err := containerfilePaths(str(call, cf.Name), dir, version)
	if err != nil {
		return err
	}
	return checkContainerfiles(root, names)
}

// checkBuildContextDirs: the directories among additional build contexts must be inside
// the allowed directories (on a local Podman; a remote one's cannot be checked here),
// and a form Podman does not read is refused rather than guessed at.
func checkBuildContextDirs(items []string, dirs allowdirs.Dirs, local bool) error {
	for _, c := range additionalBuildContexts(items) {
		switch c.Kind {
		case contextPath:
			if !local {
				continue
			}
			if _, err := dirs.Check(c.Value); err != nil {
				return fmt.Errorf("context %q is a directory on the Podman host: %w", c.Name, err)
			}
		case contextUnknown:
			return fmt.Errorf("%q is neither an image, a URL nor a directory as Podman reads them "+
				"(name=image:REF, name=url:URL, name=localpath:DIR, or Podman 4's JSON object); with the allowed directories in force it is refused", clip.Text(c.Item, 200))
		}
	}
	return nil
}
