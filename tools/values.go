package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/image-mcp/image-mcp/capabilities"
)

// Values runs a read-only tool for the values its answer holds at a gjson path (strings;
// the names completion offers), through the steps of a call up to the answer (the same
// checks, request, credentials and timeout), the answer read whole as readJSON reads it.
// Nothing the person sees: an upstream's refusal is an error for the caller.
func (e *Engine) Values(ctx context.Context, t *capabilities.Tool, args json.RawMessage, path string) ([]string, error) {
	if !t.ReadOnly {
		return nil, fmt.Errorf("%s changes state; values are read only from read-only tools", t.Name)
	}
	if t.Response != "" && t.Response != capabilities.ResponseJSON {
		return nil, fmt.Errorf("%s answers %s, not JSON; values are read only from JSON answers", t.Name, t.Response)
	}
	v, err := CheckArguments(t, args)
	if err != nil {
		return nil, err
	}
	c := e.newCall(ctx, nil, t, v)
	a, err := c.start()
	if err != nil {
		return nil, err
	}
	defer a.end()
	body, err := c.readWhole(a)
	if err != nil {
		return nil, err
	}
	if body = bytes.TrimSpace(body); len(body) == 0 {
		return nil, nil
	}
	if body, err = c.checkJSON(a, body); err != nil {
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
