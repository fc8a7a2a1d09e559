package tools

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"maps"
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

// confirmer asks the person before a destructive call, as the tool's ask rules in its
// corrections file say (capabilities.AskRule; every destructive call is asked about),
// and before an output file replaces another. A client of MCP 2026-07-28 gets the
// question as an input request in the result, with a signed state; it asks the person
// and calls again with the answer and that state. An older client is asked with
// elicitation/create during the call. A yes counts once: a state answered once is
// refused after, and it is bound to the exact call (tool and arguments) and, for an
// overwrite, to the file as it was (fileID).
type confirmer struct {
	// fallback is ConfirmAllow or ConfirmDeny: what happens when the client cannot elicit.
	fallback string
	key      []byte

	mu   sync.Mutex
	used map[string]time.Time // answered states, until they expire
}

// newConfirmer makes a confirmer with a fresh signing key.
func newConfirmer(fallback string) *confirmer {
	c := &confirmer{fallback: fallback, key: make([]byte, 32), used: map[string]time.Time{}}
	rand.Read(c.key) // never fails (crypto/rand)
	return c
}

// destructive asks before a destructive call; nil lets it go on.
func (cf *confirmer) destructive(c *call) error {
	rule := c.t.AskFor(c.v.Bool)
	if rule == nil {
		return nil
	}
	return cf.ask(c, confirmKey, "", func() (string, error) {
		count := ""
		if rule.DryRun {
			var err error
			if count, err = c.dryRun(); err != nil {
				return "", err
			}
		}
		return fillQuestion(c.t, rule.Question, c.v, count), nil
	})
}

// overwrite asks before ex is replaced by the call's output file: replacing an existing
// file is destructive, so the person is asked, naming what is there. The answer is bound
// to that entry as it is now.
func (cf *confirmer) overwrite(c *call, ex existing) error {
	return cf.ask(c, overwriteKey, ex.ID.String(), func() (string, error) {
		return fmt.Sprintf("Replace %s with the output of %s? Its current content will be lost.", ex.describe(), c.t.Name), nil
	})
}

// overwriteKey names the input request of an overwrite confirmation.
const overwriteKey = "overwrite"

// ask runs one confirmation: the answer when the call carries one (bound to this
// question kind, tool, arguments and subject, and not used before), else the fallback
// when the client cannot ask, else the question: an input request for a client of MCP
// 2026-07-28, elicitation/create now for an older one. nil lets the call go on.
func (cf *confirmer) ask(c *call, key, subject string, question func() (string, error)) error {
	args, _ := json.Marshal(c.v) // map keys sorted: a stable form of the call
	bound := key + "\x00" + c.t.Name + "\x00" + subject
	if ans, state, ok := answerTo(c.req, key); ok {
		used := failf("%s was not run: this answer (its requestState) was already used. A person's answer counts for one call; "+
			"call again without requestState and inputResponses to ask again. Nothing was changed.", c.t.Name)
		switch {
		case cf.wasUsed(state):
			// Refused whatever it was bound to: the file it was about may have been
			// replaced by its own use.
			return used
		case cf.verify(state, bound, args):
			if !cf.useOnce(state) { // a call at the same time used it first
				return used
			}
			return answered(c, key, ans)
		}
	}
	if !canElicit(c.req) {
		if cf.fallback == ConfirmDeny {
			return failf("%s was not run: it needs a person's confirmation, but this MCP client cannot ask (it does not support elicitation) "+
				"and image-mcp runs with --confirm-destructive=deny (IMAGE_MCP_CONFIRM_DESTRUCTIVE). Nothing was changed. "+
				"Use a client that supports elicitation, or ask the person who runs image-mcp to allow it.", c.t.Name)
		}
		return nil
	}
	q, err := question()
	if err != nil {
		return err
	}
	params := &mcp.ElicitParams{
		Mode:            "form",
		Message:         q + fmt.Sprintf("\n\n(%s %s)", c.t.Name, shownArgs(c.t, c.v)),
		RequestedSchema: json.RawMessage(`{"type":"object","properties":{}}`),
	}
	if c.req.Session != nil && !clientTakesInputRequests(c.req.Session) {
		ans, err := c.req.Session.Elicit(c.ctx, params)
		if err != nil {
			return failf("%s was not run: image-mcp asked the client to confirm it with the person (elicitation/create), and the client failed: %v. Nothing was changed.", c.t.Name, err)
		}
		return answered(c, key, ans)
	}
	return &inputRequest{requests: mcp.InputRequestMap{key: params}, state: cf.sign(bound, args, time.Now())}
}

// answerTo is the person's answer to the question key that the call carries, with the
// state it came back with.
func answerTo(req *mcp.CallToolRequest, key string) (*mcp.ElicitResult, string, bool) {
	if req == nil || req.Params == nil {
		return nil, "", false
	}
	ans, ok := req.Params.InputResponses[key].(*mcp.ElicitResult)
	return ans, req.Params.RequestState, ok
}

// answered acts on the person's answer: nil (go on) for accept.
func answered(c *call, key string, ans *mcp.ElicitResult) error {
	switch ans.Action {
	case "accept":
		c.e.log.Info().Str("tool", c.t.Name).Str("question", key).RawJSON("arguments", shownArgs(c.t, c.v)).Msg("the person confirmed a destructive call")
		return nil
	case "decline":
		return failf("%s was not run: the person declined. Nothing was changed.", c.t.Name)
	default:
		return failf("%s was not run: the person cancelled the confirmation. Nothing was changed.", c.t.Name)
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

// dryRun calls the operation with the confirm argument false, through the same steps
// up to the answer, and reads the count of what a confirmed call would affect.
func (c *call) dryRun() (string, error) {
	dry := maps.Clone(c.v)
	dry[c.t.Confirm.Argument] = false
	d := *c
	d.v, d.req, d.prepared = dry, nil, nil // no progress: the person is not asked yet
	ureq, err := d.request()
	if err != nil {
		return "", err
	}
	a, err := d.send(ureq, "the dry run before asking for confirmation failed")
	if err != nil {
		return "", err
	}
	defer a.end()
	if a.StatusCode >= 400 {
		return "", d.upstreamError(a)
	}
	body, err := io.ReadAll(io.LimitReader(a.Body, 1<<20))
	if err != nil {
		return "", d.transportError(a.ctx, err)
	}
	if r := gjson.GetBytes(body, c.t.Confirm.Count); r.Exists() {
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
	return capabilities.Placeholder.ReplaceAllStringFunc(q, func(m string) string {
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
