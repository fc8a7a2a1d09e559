package e2e

import (
	"context"
	"testing"
)

func TestToolsList(t *testing.T) {
	s := StartServer(t, ServerOptions{})
	res, err := s.Session.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tl := range res.Tools {
		names = append(names, tl.Name)
	}
	sameToolNames(t, "tools/list", names)
}
