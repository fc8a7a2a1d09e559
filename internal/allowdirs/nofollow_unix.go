//go:build unix

package allowdirs

import "syscall"

// oNoFollow: the last element of a resolved path must not have become a symlink; and
// opening a FIFO must not wait for a writer.
const oNoFollow = syscall.O_NOFOLLOW | syscall.O_NONBLOCK
