//go:build unix

package tools

import (
	"io/fs"
	"syscall"
)

// fileID is the device and inode of a file beside its size and modification time.
func fileID(fi fs.FileInfo) FileID {
	id := FileID{Size: fi.Size(), ModTime: fi.ModTime().UnixNano()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		id.Dev, id.Ino = uint64(st.Dev), uint64(st.Ino)
	}
	return id
}
