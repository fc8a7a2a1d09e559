package tools

import (
	"strings"

	"github.com/tidwall/gjson"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/internal/clip"
)

// reportedErrors turns failures that an upstream reports inside a 2xx JSON answer (the
// tool's ErrorsAt path) into the call's error. The whole answer is kept in the text: the
// part that succeeded (e.g. the images that were removed) matters too.
func reportedErrors(t *capabilities.Tool, body []byte) error {
	if t.ErrorsAt == "" {
		return nil
	}
	r := gjson.GetBytes(body, t.ErrorsAt)
	var msgs []string
	switch {
	case r.IsArray():
		for _, m := range r.Array() {
			if s := strings.TrimSpace(m.String()); s != "" {
				msgs = append(msgs, s)
			}
		}
	case r.Type == gjson.String && strings.TrimSpace(r.String()) != "":
		msgs = append(msgs, strings.TrimSpace(r.String()))
	}
	if len(msgs) == 0 {
		return nil
	}
	return failf("%s: %s reported errors: %s\n\nIts whole answer (what did succeed is listed there):\n%s",
		t.Name, t.Capability.Display, strings.Join(msgs, "; "), clip.Text(strings.TrimSpace(string(body)), 4000))
}
