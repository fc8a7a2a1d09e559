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

// OutputFile is a file a tool writes: it is written under a temporary name in the target
// directory and only takes its name when complete, so a failed or cancelled call leaves
// nothing behind and never clobbers an existing file unless asked. Every operation goes
// through an os.Root of the checked directory (openat and friends), so a directory
// swapped for a symlink after the check cannot send the file elsewhere.
//
// Whether an existing file is replaced is decided when the file takes its name, not only
// at the check: the name is taken with a hard link, which fails if anything is there;
// only what the person approved (the Existing the check asked about, unchanged) is then
// replaced, and anything else is a *TakenError for the caller to ask about again.
type OutputFile struct {
	Path      string
	overwrite bool
	approved  *Existing // what may be replaced; nil: nothing
	root      *os.Root
	name      string // in root
	tmp       *os.File
	tmpName   string // in root
}

// Existing is what an output path names now: what replacing it would lose. ID tells it
// from any other file, or from itself after a change.
type Existing struct {
	Path string
	Kind string // "file", "symbolic link", "FIFO", …
	Size int64
	Mode fs.FileMode
	ID   FileID
}

// FileID identifies a file and its state: device, inode, size and modification time.
// An approval is bound to it, so a file changed or swapped since is asked about again.
type FileID struct {
	Dev, Ino uint64
	Size     int64
	ModTime  int64 // nanoseconds
}

func (id FileID) String() string {
	return fmt.Sprintf("%d:%d:%d:%d", id.Dev, id.Ino, id.Size, id.ModTime)
}

// existingOf describes an entry found at an output path.
func existingOf(path string, fi fs.FileInfo) Existing {
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
	return Existing{Path: path, Kind: kind, Size: fi.Size(), Mode: fi.Mode(), ID: fileID(fi)}
}

// Describe names the entry for a question: a file with its size, anything else by kind.
func (ex Existing) Describe() string {
	if ex.Kind == "file" {
		return fmt.Sprintf("the existing file %s (%d bytes)", ex.Path, ex.Size)
	}
	return fmt.Sprintf("the existing %s %s (not a regular file)", ex.Kind, ex.Path)
}

// TakenError: the output's name is taken by something the person did not approve
// replacing (it appeared, or changed, while the file was written). Nothing was replaced.
type TakenError struct{ Existing Existing }

func (e *TakenError) Error() string {
	return fmt.Sprintf("%s appeared or changed while the output was written; nothing was overwritten", e.Existing.Path)
}

// ExistingOutput tells what the output path names now, if anything but a directory.
func ExistingOutput(path string, allowed allowdirs.Dirs) (Existing, bool) {
	root, name, resolved, err := allowed.OpenParent(path)
	if err != nil {
		return Existing{}, false
	}
	defer root.Close()
	fi, err := root.Lstat(name)
	if err != nil || fi.IsDir() {
		return Existing{}, false
	}
	return existingOf(resolved, fi), true
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

// approve lets Commit replace ex (as it is now) when it is still there; nil: nothing.
func (o *OutputFile) approve(ex *Existing) { o.approved = ex }

// Write appends to the temporary file.
func (o *OutputFile) Write(p []byte) (int, error) { return o.tmp.Write(p) }

// Written reads back what was written, through the open file: never by name, which may
// have been swapped meanwhile.
func (o *OutputFile) Written() io.Reader {
	size, err := o.tmp.Seek(0, io.SeekCurrent)
	if err != nil {
		return bytes.NewReader(nil)
	}
	return io.NewSectionReader(o.tmp, 0, size)
}

// Commit gives the complete file its name. The name is taken with a hard link, which
// fails if anything is there meanwhile: that is replaced only when it is the approved
// Existing, unchanged (keeping its mode); anything else is a *TakenError and the file
// is kept for another Commit after asking (or Abort).
func (o *OutputFile) Commit() error {
	if err := o.tmp.Sync(); err != nil {
		o.Abort()
		return err
	}
	// The temporary name must still be the file written (not swapped for another entry).
	if fi, err := o.root.Lstat(o.tmpName); err != nil || !sameFile(o.tmp, fi) {
		o.Abort()
		return fmt.Errorf("the temporary file in %s was replaced while it was written; nothing was saved", filepath.Dir(o.Path))
	}
	err := o.root.Link(o.tmpName, o.name)
	if err == nil {
		return o.finish(o.root.Remove(o.tmpName))
	}
	if !errors.Is(err, fs.ErrExist) {
		o.Abort()
		return err
	}
	fi, lerr := o.root.Lstat(o.name)
	if lerr != nil {
		o.Abort()
		return fmt.Errorf("%s: %w", o.Path, allowdirs.PathCause(lerr))
	}
	now := existingOf(o.Path, fi)
	if fi.IsDir() {
		o.Abort()
		return fmt.Errorf("%s became a directory while the output was written; nothing was saved", o.Path)
	}
	if !o.overwrite {
		o.Abort()
		return fmt.Errorf("%s was created by someone else meanwhile; nothing was overwritten", o.Path)
	}
	if o.approved == nil || o.approved.ID != now.ID {
		return &TakenError{Existing: now}
	}
	// A replaced file keeps its mode (the temporary one is 0600).
	if now.Kind == "file" {
		if err := o.tmp.Chmod(now.Mode.Perm()); err != nil {
			o.Abort()
			return err
		}
	}
	if err := o.root.Rename(o.tmpName, o.name); err != nil {
		o.Abort()
		return err
	}
	return o.finish(nil)
}

// finish closes what a committed file held.
func (o *OutputFile) finish(err error) error {
	o.tmp.Close()
	o.root.Close()
	o.tmp = nil
	return err
}

// Abort removes the partial file; a no-op once committed or aborted.
func (o *OutputFile) Abort() {
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
