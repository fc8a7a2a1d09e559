package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/tidwall/gjson"

	"github.com/image-mcp/image-mcp/capabilities"
)

// Values runs a read-only tool for the values its answer holds at a gjson path (strings;
// the names completion offers), through the call's steps but the shaping: the same
// checks, request, credentials and timeout, the answer read whole. Nothing the person
// sees: an upstream's refusal is an error for the caller.
func (e *Engine) Values(ctx context.Context, t *capabilities.Tool, args json.RawMessage, path string) ([]string, error) {
	if !t.ReadOnly {
		return nil, fmt.Errorf("%s changes state; values are read only from read-only tools", t.Name)
	}
	v, err := CheckArguments(t, args)
	if err != nil {
		return nil, err
	}
	client, err := e.Connect(t.Capability)
	if err != nil {
		return nil, err
	}
	c, res := e.check(ctx, nil, client, t, v)
	if res != nil {
		return nil, errorOf(res)
	}
	ureq, err := buildRequestIn(t, v, c.allowed, c.containerfiles)
	if err != nil {
		return nil, err
	}
	defer closeBody(ureq)
	a, res := e.send(ctx, nil, t, client, ureq, "")
	if res != nil {
		return nil, errorOf(res)
	}
	defer a.end()
	if a.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s answered HTTP %d", t.Capability.Display, a.StatusCode)
	}
	body, err := readBody(a.Response, e.MaxAnswerBytes)
	if err != nil {
		return nil, err
	}
	var out []string
	gjson.GetBytes(body, path).ForEach(func(_, r gjson.Result) bool {
		if r.Type == gjson.String {
			out = append(out, r.String())
		}
		return true
	})
	return out, nil
}

// errorOf is a refusal's text as an error.
func errorOf(res *mcp.CallToolResult) error {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return errors.New(strings.Join(parts, " "))
}
