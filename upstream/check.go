package upstream

import "context"

// Checker checks, before anything is sent, what the upstream will do with a call's
// arguments on its own (paths it opens on its machine, URLs it downloads, files it
// reads in a build context), in the forms only it reads. The engine has checked the
// arguments against the schema, and URLs of role url.
type Checker interface {
	Check(ctx context.Context, c Call) error
}
