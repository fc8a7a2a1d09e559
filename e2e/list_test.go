package e2e

import (
	"testing"
)

func TestToolsList(t *testing.T) {
	s := StartServer(t, ServerOptions{})
	sameToolNames(t, "tools/list", toolNames(listTools(t, s)))
}
