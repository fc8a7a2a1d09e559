package e2e

import (
	"testing"

	"github.com/image-mcp/image-mcp/internal/fakecentral"
)

// The fake StackRox Central (internal/fakecentral, shared with the bench) under the names
// the tests use.
type (
	FakeCentral        = fakecentral.Central
	FakeCentralOptions = fakecentral.Options
	RecordedRequest    = fakecentral.RecordedRequest
)

const (
	adminToken = fakecentral.AdminToken
	readToken  = fakecentral.ReadToken
	noneToken  = fakecentral.NoneToken
)

// StartFakeCentral starts a fake Central for the test; it stops when the test ends.
func StartFakeCentral(t testing.TB, o FakeCentralOptions) *FakeCentral {
	t.Helper()
	fc, err := fakecentral.Start(o)
	if err != nil {
		t.Fatalf("start the fake Central: %v", err)
	}
	t.Cleanup(fc.Close)
	return fc
}
