package tools

import (
	"cmp"
	"context"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/podman"
)

// Call runs one checked tool call, in five steps:
//
//	check   everything that can refuse it, before anything is sent (checks.go)
//	request the upstream request from the arguments (request.go), credentials added
//	send    under the call's timeout, with progress (send.go)
//	read    the answer, by the tool's response kind (readers.go)
//	shape   the result: fields, the output budget, notices (result.go, notices.go)
//
// Every failure on the way is an isError result that says what to do.
func (e *Engine) Call(ctx context.Context, req *mcp.CallToolRequest, t *capabilities.Tool, v Values) (res *mcp.CallToolResult) {
	client, err := e.Connect(t.Capability)
	if err != nil {
		return errorResult("%s: %v", t.Name, err)
	}
	c, res := e.check(ctx, req, client, t, v)
	if res != nil {
		return res
	}
	if c.out != nil {
		defer c.out.Abort() // a no-op once committed
	}

	ureq, err := buildRequestIn(t, v, c.allowed, c.containerfiles)
	if err != nil {
		return errorResult("%v", err)
	}
	defer closeBody(ureq)
	creds, err := podman.ApplyRegistryAuth(t, v, ureq)
	if err != nil {
		return errorResult("%s: %v", t.Name, err)
	}
	if creds != nil {
		e.Redact.Add(creds.Secrets()...) // before anything is sent: progress may echo them
		e.Log.Debug().Str("tool", t.Name).Str("registry", creds.Registry).Str("credentials", cmp.Or(creds.Source, "none")).Msg("registry credentials")
		defer func() { res = podman.FinishRegistryResult(res, t, creds) }()
	}

	a, res := e.send(ctx, req, t, client, ureq, "")
	if res != nil {
		return res
	}
	defer a.end()

	return readerFor(t.Response)(e, c, a)
}
