package tools

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/tidwall/gjson"

	"github.com/image-mcp/image-mcp/capabilities"
)

// What a destructive call does when the client cannot ask the person (no elicitation).
const (
	ConfirmAllow = "allow"
	ConfirmDeny  = "deny"
)

// confirmKey names the one input request of a confirmation round trip.
const confirmKey = "confirm"

// confirmTTL bounds how long a question may stay unanswered.
const confirmTTL = 30 * time.Minute

// Confirmer asks the person before a destructive call, as the tool's ask rules in its
// corrections file say (capabilities.AskRule). It uses MCP elicitation as a multi
// round-trip: the first call answers with the question (inputRequests) and a signed
// state; the client asks the person and calls again with the answer, which the go-sdk
// also does for older clients by sending elicitation/create itself.
type Confirmer struct {
	Engine *Engine
	// Fallback is ConfirmAllow or ConfirmDeny: what happens when the client cannot elicit.
	Fallback string
	key      []byte
}

// newConfirmer makes a Confirmer with a fresh signing key; New installs its hooks.
func newConfirmer(e *Engine, fallback string) (*Confirmer, error) {
	c := &Confirmer{Engine: e, Fallback: fallback, key: make([]byte, 32)}
	if _, err := rand.Read(c.key); err != nil {
		return nil, fmt.Errorf("confirmation signing key: %w", err)
	}
	return c, nil
}

// Confirm is the Engine's Confirm hook: nil lets the call proceed.
func (c *Confirmer) Confirm(ctx context.Context, req *mcp.CallToolRequest, t *capabilities.Tool, v Values) *mcp.CallToolResult {
	rule := t.AskFor(v.Bool)
	if rule == nil {
		return nil
	}
	return c.ask(req, t, v, confirmKey, func() (string, *mcp.CallToolResult) {
		count := ""
		if rule.DryRun {
			var res *mcp.CallToolResult
			if count, res = c.dryRun(ctx, t, v); res != nil {
				return "", res
			}
		}
		return fillQuestion(t, rule.Question, v, count), nil
	})
}

// ConfirmOverwrite is the Engine's ConfirmOverwrite hook: replacing an existing file
// is destructive, so the person is asked, with the file's path and size.
func (c *Confirmer) ConfirmOverwrite(_ context.Context, req *mcp.CallToolRequest, t *capabilities.Tool, v Values, path string, size int64) *mcp.CallToolResult {
	return c.ask(req, t, v, overwriteKey, func() (string, *mcp.CallToolResult) {
		return fmt.Sprintf("Replace the existing file %s (%d bytes) with the output of %s? Its current content will be lost.", path, size, t.Name), nil
	})
}

// overwriteKey names the input request of an overwrite confirmation.
const overwriteKey = "overwrite"

// ask runs one confirmation round trip: the answer when the call carries one (bound
// to this question kind, tool and arguments), else the fallback when the client cannot
// ask, else the question.
func (c *Confirmer) ask(req *mcp.CallToolRequest, t *capabilities.Tool, v Values, key string, question func() (string, *mcp.CallToolResult)) *mcp.CallToolResult {
	args, _ := json.Marshal(v) // map keys sorted: a stable form of the call
	bound := key + "\x00" + t.Name
	if req != nil && req.Params != nil {
		if ans, ok := req.Params.InputResponses[key].(*mcp.ElicitResult); ok && c.verify(req.Params.RequestState, bound, args) {
			switch ans.Action {
			case "accept":
				c.Engine.Log.Info().Str("tool", t.Name).Str("question", key).RawJSON("arguments", shownArgs(t, v)).Msg("the person confirmed a destructive call")
				return nil
			case "decline":
				return errorResult("%s was not run: the person declined. Nothing was changed.", t.Name)
			default:
				return errorResult("%s was not run: the person cancelled the confirmation. Nothing was changed.", t.Name)
			}
		}
	}
	if !canElicit(req) {
		if c.Fallback == ConfirmDeny {
			return errorResult("%s was not run: it needs a person's confirmation, but this MCP client cannot ask (it does not support elicitation) "+
				"and image-mcp runs with --confirm-destructive=deny (IMAGE_MCP_CONFIRM_DESTRUCTIVE). Nothing was changed. "+
				"Use a client that supports elicitation, or ask the person who runs image-mcp to allow it.", t.Name)
		}
		return nil
	}
	q, res := question()
	if res != nil {
		return res
	}
	return &mcp.CallToolResult{
		InputRequests: mcp.InputRequestMap{key: &mcp.ElicitParams{
			Mode:            "form",
			Message:         q + fmt.Sprintf("\n\n(%s %s)", t.Name, shownArgs(t, v)),
			RequestedSchema: json.RawMessage(`{"type":"object","properties":{}}`),
		}},
		RequestState: c.sign(bound, args, time.Now()),
	}
}

// canElicit: the client declared form elicitation (an empty elicitation capability
// means form, for older protocol versions).
func canElicit(req *mcp.CallToolRequest) bool {
	if req == nil {
		return false
	}
	caps := req.ClientCapabilities()
	if caps == nil || caps.Elicitation == nil {
		return false
	}
	e := caps.Elicitation
	return e.Form != nil || e.URL == nil
}

// dryRun calls the operation with the confirm argument false and reads the count of
// what a confirmed call would affect.
func (c *Confirmer) dryRun(ctx context.Context, t *capabilities.Tool, v Values) (string, *mcp.CallToolResult) {
	dry := Values{}
	maps.Copy(dry, v)
	dry[t.Confirm.Argument] = false
	client, err := c.Engine.Connect(t.Capability)
	if err != nil {
		return "", errorResult("%s: %v", t.Name, err)
	}
	ureq, err := BuildRequest(t, dry)
	if err != nil {
		return "", errorResult("%v", err)
	}
	defer closeBody(ureq)
	a, res := c.Engine.send(ctx, nil, t, client, ureq, "the dry run before asking for confirmation failed")
	if res != nil {
		return "", res
	}
	defer a.end()
	if a.StatusCode >= 400 {
		return "", c.Engine.upstreamError(a.ctx, t, client, a.Response)
	}
	body, err := io.ReadAll(io.LimitReader(a.Body, 1<<20))
	if err != nil {
		return "", c.Engine.transportError(a.ctx, t, err)
	}
	if r := gjson.GetBytes(body, t.Confirm.Count); r.Exists() {
		return r.String(), nil
	}
	return "an unknown number of", nil
}

// shownArgs is the call's arguments for the person and the log: header arguments
// (credentials such as X-Registry-Auth) are left out.
func shownArgs(t *capabilities.Tool, v Values) []byte {
	shown := Values{}
	for k, val := range v {
		if a := t.Arg(k); a == nil || a.In != "header" {
			shown[k] = val
		}
	}
	b, _ := json.Marshal(shown)
	return b
}

// fillQuestion puts argument values (and the dry run's count) into a question; the
// count agrees with the confirm rule's noun after it ("1 image", "3 images").
func fillQuestion(t *capabilities.Tool, q string, v Values, count string) string {
	if c := t.Confirm; c != nil && count != "" {
		q = strings.ReplaceAll(q, "{count} "+c.Noun, c.Counted(count))
	}
	return capabilities.AskPlaceholder.ReplaceAllStringFunc(q, func(m string) string {
		name := m[1 : len(m)-1]
		if name == "count" && count != "" {
			return count
		}
		val, ok := v[name]
		if !ok {
			return "(none given)"
		}
		if items, isList := val.([]any); isList {
			parts := make([]string, len(items))
			for i, it := range items {
				parts[i] = scalarString(it)
			}
			return strings.Join(parts, ", ")
		}
		return scalarString(val)
	})
}

// The request state binds an answer to the exact call it was asked for (tool and
// arguments) and to a time; it is signed because it travels through the client.
func (c *Confirmer) sign(tool string, args []byte, at time.Time) string {
	ts := strconv.FormatInt(at.Unix(), 10)
	return ts + "." + base64.RawURLEncoding.EncodeToString(c.mac(tool, args, ts))
}

func (c *Confirmer) verify(state, tool string, args []byte) bool {
	ts, sig, ok := strings.Cut(state, ".")
	if !ok {
		return false
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || time.Since(time.Unix(sec, 0)) > confirmTTL {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	return err == nil && hmac.Equal(got, c.mac(tool, args, ts))
}

func (c *Confirmer) mac(tool string, args []byte, ts string) []byte {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte(tool))
	m.Write([]byte{0})
	m.Write(args)
	m.Write([]byte{0})
	m.Write([]byte(ts))
	return m.Sum(nil)
}
