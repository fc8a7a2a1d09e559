package capabilities

import (
	"strings"
	"testing"
)

func TestParsePromptsUnknownKey(t *testing.T) {
	_, err := parsePrompts("p.yaml", []byte("prompts:\n- name: a\n  tittle: x\n"))
	if err == nil || !strings.Contains(err.Error(), "p.yaml") || !strings.Contains(err.Error(), "tittle") || !strings.Contains(err.Error(), "title") {
		t.Fatalf("want an error naming the file, the key and the known keys, got %v", err)
	}
}
