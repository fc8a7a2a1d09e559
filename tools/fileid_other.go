//go:build !unix

package tools

import "io/fs"

// fileID is a file's size and modification time (no inode here).
func fileID(fi fs.FileInfo) FileID {
	return FileID{Size: fi.Size(), ModTime: fi.ModTime().UnixNano()}
}
