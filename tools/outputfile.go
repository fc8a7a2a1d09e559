package tools

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	"github.com/image-mcp/image-mcp/internal/allowdirs"
)

// OutputFile is a file a tool writes: it is written under a temporary name in the target
// directory and only takes its name when complete, so a failed or cancelled call leaves
// nothing behind and never clobbers an existing file unless asked. Every operation goes
// through an os.Root of the checked directory (openat and friends), so a directory
// swapped for a symlink after the check cannot send the file elsewhere.
type OutputFile struct {
	Path      string
	overwrite bool
	root      *os.Root
	name      string // in root
	tmp       *os.File
	tmpName   string // in root
}

// ExistingOutput tells whether the output path names an existing file and its size:
// what an overwrite would replace.
func ExistingOutput(path string, allowed allowdirs.Dirs) (resolved string, size int64, exists bool) {
	root, name, resolved, err := allowed.OpenParent(path)
	if err != nil {
		return "", 0, false
	}
	defer root.Close()
	fi, err := root.Lstat(name)
	if err != nil || fi.IsDir() {
		return resolved, 0, false
	}
	return resolved, fi.Size(), true
}

// CreateOutputFile checks the target before anything is sent upstream.
func CreateOutputFile(path string, overwrite bool, allowed allowdirs.Dirs) (*OutputFile, error) {
	if path == "" {
		return nil, errors.New("no output path given")
	}
	root, name, resolved, err := allowed.OpenParent(path)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*OutputFile, error) {
		root.Close()
		return nil, err
	}
	if fi, err := root.Lstat(name); err == nil {
		if fi.IsDir() {
			return fail(fmt.Errorf("%s is a directory; give a file path", resolved))
		}
		if !overwrite {
			return fail(fmt.Errorf("%s already exists; pass overwrite=true to replace it, or choose another path", resolved))
		}
	}
	var tmp *os.File
	var tmpName string
	for range 100 {
		tmpName = "." + name + "." + strconv.FormatUint(rand.Uint64(), 36) + ".part"
		tmp, err = root.OpenFile(tmpName, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if err != nil {
		return fail(fmt.Errorf("cannot write in %s: %w", filepath.Dir(resolved), allowdirs.PathCause(err)))
	}
	return &OutputFile{Path: resolved, overwrite: overwrite, root: root, name: name, tmp: tmp, tmpName: tmpName}, nil
}

// Write appends to the temporary file.
func (o *OutputFile) Write(p []byte) (int, error) { return o.tmp.Write(p) }

// Commit gives the complete file its name.
func (o *OutputFile) Commit() error {
	defer o.root.Close()
	if err := o.tmp.Sync(); err != nil {
		o.Abort()
		return err
	}
	if err := o.tmp.Close(); err != nil {
		o.Abort()
		return err
	}
	if o.overwrite {
		if err := o.root.Rename(o.tmpName, o.name); err != nil {
			o.root.Remove(o.tmpName)
			return err
		}
		return nil
	}
	// A hard link fails if the name was taken meanwhile: no clobbering, even in a race.
	if err := o.root.Link(o.tmpName, o.name); err != nil {
		o.root.Remove(o.tmpName)
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s was created by someone else meanwhile; nothing was overwritten", o.Path)
		}
		return err
	}
	return o.root.Remove(o.tmpName)
}

// Abort removes the partial file.
func (o *OutputFile) Abort() {
	o.tmp.Close()
	o.root.Remove(o.tmpName)
	o.root.Close()
}
