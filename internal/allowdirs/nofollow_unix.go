//go:build unix

package allowdirs

import "syscall"

// oNoFollow: the last element of a resolved path must not have become a symlink.
const oNoFollow = syscall.O_NOFOLLOW
