//go:build !unix

package tools

import "io/fs"

// fileIDOf is a file's size and modification time (no inode here).
func fileIDOf(fi fs.FileInfo) fileID {
	return fileID{Size: fi.Size(), ModTime: fi.ModTime().UnixNano()}
}
