//go:build unix

package tools

import (
	"io/fs"
	"syscall"
)

// fileIDOf is the device and inode of a file beside its size and modification time.
func fileIDOf(fi fs.FileInfo) fileID {
	id := fileID{Size: fi.Size(), ModTime: fi.ModTime().UnixNano()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		id.Dev, id.Ino = uint64(st.Dev), uint64(st.Ino)
	}
	return id
}
