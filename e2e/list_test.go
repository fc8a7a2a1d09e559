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
	if len(res.Tools) != 29 {
		t.Fatalf("got %d tools, want 29", len(res.Tools))
	}
}
