package tools

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	"github.com/image-mcp/image-mcp/internal/allowdirs"
)

// outputFile is a file a tool writes: it is written under a temporary name in the target
// directory and only takes its name when complete, so a failed or cancelled call leaves
// nothing behind and never clobbers an existing file unless asked. Every operation goes
// through an os.Root of the checked directory (openat and friends), so a directory
// swapped for a symlink after the check cannot send the file elsewhere.
//
// Whether an existing file is replaced is decided when the file takes its name, not only
// at the check: the name is taken with a hard link, which fails if anything is there;
// only what the person approved (the existing entry the check asked about, unchanged) is then
// replaced, and anything else is a *takenError for the caller to ask about again.
type outputFile struct {
	path      string
	overwrite bool
	approved  *existing // what may be replaced; nil: nothing
	root      *os.Root
	name      string // in root
	tmp       *os.File
	tmpName   string // in root
}

// existing is what an output path names now: what replacing it would lose. ID tells it
// from any other file, or from itself after a change.
type existing struct {
	Path string
	Kind string // "file", "symbolic link", "FIFO", …
	Size int64
	Mode fs.FileMode
	ID   fileID
}

// fileID identifies a file and its state: device, inode, size and modification time.
// An approval is bound to it, so a file changed or swapped since is asked about again.
type fileID struct {
	Dev, Ino uint64
	Size     int64
	ModTime  int64 // nanoseconds
}

func (id fileID) String() string {
	return fmt.Sprintf("%d:%d:%d:%d", id.Dev, id.Ino, id.Size, id.ModTime)
}

// existingOf describes an entry found at an output path.
func existingOf(path string, fi fs.FileInfo) existing {
	kind := "file"
	switch m := fi.Mode(); {
	case m&fs.ModeSymlink != 0:
		kind = "symbolic link"
	case m&fs.ModeNamedPipe != 0:
		kind = "FIFO"
	case m&fs.ModeSocket != 0:
		kind = "socket"
	case m&fs.ModeDevice != 0:
		kind = "device"
	case !m.IsRegular():
		kind = "special file"
	}
	return existing{Path: path, Kind: kind, Size: fi.Size(), Mode: fi.Mode(), ID: fileIDOf(fi)}
}

// describe names the entry for a question: a file with its size, anything else by kind.
func (ex existing) describe() string {
	if ex.Kind == "file" {
		return fmt.Sprintf("the existing file %s (%d bytes)", ex.Path, ex.Size)
	}
	return fmt.Sprintf("the existing %s %s (not a regular file)", ex.Kind, ex.Path)
}

// takenError: the output's name is taken by something the person did not approve
// replacing (it appeared, or changed, while the file was written). Nothing was replaced.
type takenError struct{ existing existing }

func (e *takenError) Error() string {
	return fmt.Sprintf("%s appeared or changed while the output was written; nothing was overwritten", e.existing.Path)
}

// existingOutput tells what the output path names now, if anything but a directory.
func existingOutput(path string, allowed allowdirs.Dirs) (existing, bool) {
	root, name, resolved, err := allowed.OpenParent(path)
	if err != nil {
		return existing{}, false
	}
	defer root.Close()
	fi, err := root.Lstat(name)
	if err != nil || fi.IsDir() {
		return existing{}, false
	}
	return existingOf(resolved, fi), true
}

// createOutputFile checks the target before anything is sent upstream.
func createOutputFile(path string, overwrite bool, allowed allowdirs.Dirs) (*outputFile, error) {
	if path == "" {
		return nil, errors.New("no output path given")
	}
	root, name, resolved, err := allowed.OpenParent(path)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*outputFile, error) {
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
	return &outputFile{path: resolved, overwrite: overwrite, root: root, name: name, tmp: tmp, tmpName: tmpName}, nil
}

// approve lets commit replace ex (as it is now) when it is still there; nil: nothing.
func (o *outputFile) approve(ex *existing) { o.approved = ex }

// Write appends to the temporary file.
func (o *outputFile) Write(p []byte) (int, error) { return o.tmp.Write(p) }

// written reads back what was written, through the open file: never by name, which may
// have been swapped meanwhile.
func (o *outputFile) written() io.Reader {
	size, err := o.tmp.Seek(0, io.SeekCurrent)
	if err != nil {
		return bytes.NewReader(nil)
	}
	return io.NewSectionReader(o.tmp, 0, size)
}

// commit gives the complete file its name. The name is taken with a hard link, which
// fails if anything is there meanwhile: that is replaced only when it is the approved
// entry, unchanged (keeping its mode); anything else is a *takenError and the file
// is kept for another commit after asking (or abort).
func (o *outputFile) commit() error {
	if err := o.tmp.Sync(); err != nil {
		o.abort()
		return err
	}
	// The temporary name must still be the file written (not swapped for another entry).
	if fi, err := o.root.Lstat(o.tmpName); err != nil || !sameFile(o.tmp, fi) {
		o.abort()
		return fmt.Errorf("the temporary file in %s was replaced while it was written; nothing was saved", filepath.Dir(o.path))
	}
	err := o.root.Link(o.tmpName, o.name)
	if err == nil {
		return o.finish(o.root.Remove(o.tmpName))
	}
	if !errors.Is(err, fs.ErrExist) {
		o.abort()
		return err
	}
	fi, lerr := o.root.Lstat(o.name)
	if lerr != nil {
		o.abort()
		return fmt.Errorf("%s: %w", o.path, allowdirs.PathCause(lerr))
	}
	now := existingOf(o.path, fi)
	if fi.IsDir() {
		o.abort()
		return fmt.Errorf("%s became a directory while the output was written; nothing was saved", o.path)
	}
	if !o.overwrite {
		o.abort()
		return fmt.Errorf("%s was created by someone else meanwhile; nothing was overwritten", o.path)
	}
	if o.approved == nil || o.approved.ID != now.ID {
		return &takenError{existing: now}
	}
	// A replaced file keeps its mode (the temporary one is 0600).
	if now.Kind == "file" {
		if err := o.tmp.Chmod(now.Mode.Perm()); err != nil {
			o.abort()
			return err
		}
	}
	if err := o.root.Rename(o.tmpName, o.name); err != nil {
		o.abort()
		return err
	}
	return o.finish(nil)
}

// finish closes what a committed file held.
func (o *outputFile) finish(err error) error {
	o.tmp.Close()
	o.root.Close()
	o.tmp = nil
	return err
}

// abort removes the partial file; a no-op once committed or aborted.
func (o *outputFile) abort() {
	if o.tmp == nil {
		return
	}
	o.tmp.Close()
	o.root.Remove(o.tmpName)
	o.root.Close()
	o.tmp = nil
}

func sameFile(f *os.File, fi fs.FileInfo) bool {
	own, err := f.Stat()
	return err == nil && os.SameFile(own, fi)
}
