package podman

import (
	"context"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/upstream"
)

// Prepare is Podman's upstream.Preparer: a build context directory (role context-dir) is
// sent as a tar without what its ignore file leaves out, its Containerfiles held to it
// under the allowed directories; then the registry credentials the tool's registryAuth
// rule asks for, from the argument or the auth files. The Prepared is nil when the call
// sends no credentials.
func (c *Client) Prepare(ctx context.Context, call upstream.Call, req *upstream.Request) (upstream.Prepared, error) {
	if err := c.contextBody(ctx, call, req); err != nil {
		return nil, err
	}
	creds, err := applyRegistryAuth(c.endpoint.AuthFiles, call, req)
	switch {
	case err != nil:
		return nil, failf("%s: %v", call.Tool().Name, err)
	case creds == nil:
		return nil, nil
	}
	return creds, nil
}

// contextBody streams the tar of the build context as the request body.
func (c *Client) contextBody(ctx context.Context, call upstream.Call, req *upstream.Request) error {
	a := call.Tool().ArgWithRole(capabilities.RoleContextDir)
	if a == nil || str(call, a.Name) == "" {
		return nil
	}
	allowed, err := call.Allowed()
	if err != nil {
		return err
	}
	var containerfiles []string
	if cf := call.Tool().ArgWithRole(capabilities.RoleContextFile); cf != nil && allowed.Active() {
		if containerfiles, err = containerfilePaths(str(call, cf.Name), "", c.versionOnce(ctx)); err != nil {
			return argumentError(call, a.Name, err, ".") // as the check said
		}
	}
	body, err := tarDirectory(str(call, a.Name), allowed, containerfiles)
	if err != nil {
		return argumentError(call, a.Name, err, "")
	}
	req.Body = body
	req.Stream = true // a context lasts as long as it is big: no overall timeout
	if req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/x-tar")
	}
	return nil
}
