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
	"sync"
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
// corrections file say (capabilities.AskRule; every destructive call is asked about),
// and before an output file replaces another. A client of MCP 2026-07-28 gets the
// question as an input request in the result, with a signed state; it asks the person
// and calls again with the answer and that state. An older client is asked with
// elicitation/create during the call. A yes counts once: a state answered once is
// refused after, and it is bound to the exact call (tool and arguments) and, for an
// overwrite, to the file as it was (FileID).
type Confirmer struct {
	Engine *Engine
	// Fallback is ConfirmAllow or ConfirmDeny: what happens when the client cannot elicit.
	Fallback string
	key      []byte

	mu   sync.Mutex
	used map[string]time.Time // answered states, until they expire
}

// newConfirmer makes a Confirmer with a fresh signing key; New installs its hooks.
func newConfirmer(e *Engine, fallback string) (*Confirmer, error) {
	c := &Confirmer{Engine: e, Fallback: fallback, key: make([]byte, 32), used: map[string]time.Time{}}
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
	return c.ask(ctx, req, t, v, confirmKey, "", func() (string, *mcp.CallToolResult) {
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
// is destructive, so the person is asked, naming what is there. The answer is bound to
// that entry as it is now.
func (c *Confirmer) ConfirmOverwrite(ctx context.Context, req *mcp.CallToolRequest, t *capabilities.Tool, v Values, ex Existing) *mcp.CallToolResult {
	return c.ask(ctx, req, t, v, overwriteKey, ex.ID.String(), func() (string, *mcp.CallToolResult) {
		return fmt.Sprintf("Replace %s with the output of %s? Its current content will be lost.", ex.Describe(), t.Name), nil
	})
}

// overwriteKey names the input request of an overwrite confirmation.
const overwriteKey = "overwrite"

// ask runs one confirmation: the answer when the call carries one (bound to this
// question kind, tool, arguments and subject, and not used before), else the fallback
// when the client cannot ask, else the question: in the result for a client of MCP
// 2026-07-28, by elicitation/create now for an older one.
func (c *Confirmer) ask(ctx context.Context, req *mcp.CallToolRequest, t *capabilities.Tool, v Values, key, subject string, question func() (string, *mcp.CallToolResult)) *mcp.CallToolResult {
	args, _ := json.Marshal(v) // map keys sorted: a stable form of the call
	bound := key + "\x00" + t.Name + "\x00" + subject
	if req != nil && req.Params != nil {
		if ans, ok := req.Params.InputResponses[key].(*mcp.ElicitResult); ok {
			state := req.Params.RequestState
			used := errorResult("%s was not run: this answer (its requestState) was already used. A person's answer counts for one call; "+
				"call again without requestState and inputResponses to ask again. Nothing was changed.", t.Name)
			switch {
			case c.wasUsed(state):
				// Refused whatever it was bound to: the file it was about may have been
				// replaced by its own use.
				return used
			case c.verify(state, bound, args):
				if !c.useOnce(state) { // a call at the same time used it first
					return used
				}
				return c.answered(t, v, key, ans)
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
	params := &mcp.ElicitParams{
		Mode:            "form",
		Message:         q + fmt.Sprintf("\n\n(%s %s)", t.Name, shownArgs(t, v)),
		RequestedSchema: json.RawMessage(`{"type":"object","properties":{}}`),
	}
	if req.Session != nil && !clientTakesInputRequests(req.Session) {
		ans, err := req.Session.Elicit(ctx, params)
		if err != nil {
			return errorResult("%s was not run: image-mcp asked the client to confirm it with the person (elicitation/create), and the client failed: %v. Nothing was changed.", t.Name, err)
		}
		return c.answered(t, v, key, ans)
	}
	return &mcp.CallToolResult{
		InputRequests: mcp.InputRequestMap{key: params},
		RequestState:  c.sign(bound, args, time.Now()),
	}
}

// answered acts on the person's answer: nil (go on) for accept.
func (c *Confirmer) answered(t *capabilities.Tool, v Values, key string, ans *mcp.ElicitResult) *mcp.CallToolResult {
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

// wasUsed: the state was answered before.
func (c *Confirmer) wasUsed(state string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, seen := c.used[state]
	return seen
}

// useOnce records an answered state; false when it was answered before. States are
// kept until they expire (a state older than confirmTTL fails verify anyway).
func (c *Confirmer) useOnce(state string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	for s, until := range c.used {
		if now.After(until) {
			delete(c.used, s)
		}
	}
	if _, seen := c.used[state]; seen {
		return false
	}
	c.used[state] = now.Add(confirmTTL + time.Minute)
	return true
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

// The request state binds an answer to the exact call it was asked for (tool, arguments,
// subject) and to a time, and a random nonce makes each question's state its own (two
// alike asked in the same second are answered, and used, apart); it is signed because
// it travels through the client.
func (c *Confirmer) sign(bound string, args []byte, at time.Time) string {
	ts := strconv.FormatInt(at.Unix(), 10)
	nonce := make([]byte, 12)
	rand.Read(nonce)
	n := base64.RawURLEncoding.EncodeToString(nonce)
	return ts + "." + n + "." + base64.RawURLEncoding.EncodeToString(c.mac(bound, args, ts+"."+n))
}

func (c *Confirmer) verify(state, bound string, args []byte) bool {
	i := strings.LastIndexByte(state, '.')
	if i < 0 {
		return false
	}
	stamp, sig := state[:i], state[i+1:]
	ts, _, ok := strings.Cut(stamp, ".")
	if !ok {
		return false
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || time.Since(time.Unix(sec, 0)) > confirmTTL {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	return err == nil && hmac.Equal(got, c.mac(bound, args, stamp))
}

func (c *Confirmer) mac(bound string, args []byte, stamp string) []byte {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte(bound))
	m.Write([]byte{0})
	m.Write(args)
	m.Write([]byte{0})
	m.Write([]byte(stamp))
	return m.Sum(nil)
}
