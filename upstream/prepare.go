package upstream

import "context"

// Preparer adds to a request the engine built from a call's arguments what only the
// upstream knows: a body packed from a directory argument (role context-dir, which the
// engine does not send itself), credentials. A body it sets is closed by the engine.
type Preparer interface {
	// Prepare may give nil: nothing was added that the rest of the call needs.
	Prepare(ctx context.Context, c Call, req *Request) (Prepared, error)
}

// Prepared is what Prepare put in a request that the rest of the call needs to know.
type Prepared interface {
	// Secrets are the credential values the request carries, to be masked in
	// everything image-mcp writes before the request is sent.
	Secrets() []string
	// Finish gives a failure's text with what the upstream knows about it added (which
	// credentials a registry refused, and how to give others), or as it is.
	Finish(failure string) string
	// String says what was added, for the log, without a secret.
	String() string
}
