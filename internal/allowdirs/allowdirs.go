// Package allowdirs keeps local file access inside the directories a person allowed
// (--allowed-dirs, or the MCP client's roots). A path is judged by where it really
// leads: cleaned, with the symlinks of its existing part resolved. The check is made
// again on what was actually opened, so swapping a symlink in between cannot escape.
package allowdirs

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

// Dirs are resolved absolute directories. Empty means no rule: any absolute path.
type Dirs []string

// Active tells whether paths are restricted.
func (d Dirs) Active() bool { return len(d) > 0 }

func (d Dirs) String() string { return strings.Join(d, ", ") }

// Resolve turns configured directories into Dirs: each must be an absolute path of an
// existing directory (a typo must not silently allow nothing, or something else). A list
// given that names no directory at all ("", ",", " ") is an error too: it must not
// start the server with no rule.
func Resolve(dirs []string) (Dirs, error) {
	if len(dirs) > 0 && strings.TrimSpace(strings.Join(dirs, "")) == "" {
		return nil, errors.New("names no directory (it is empty or blank); give at least one absolute directory, or leave the setting out")
	}
	var out Dirs
	for _, dir := range dirs {
		if dir = strings.TrimSpace(dir); dir == "" {
			continue
		}
		if !filepath.IsAbs(dir) {
			return nil, fmt.Errorf("allowed directory %q is not an absolute path", dir)
		}
		r, err := filepath.EvalSymlinks(filepath.Clean(dir))
		if err != nil {
			return nil, fmt.Errorf("allowed directory %s: %w", dir, err)
		}
		if fi, err := os.Stat(r); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("allowed directory %s is not a directory", dir)
		}
		out = append(out, r)
	}
	return out, nil
}

// FromRootURIs makes Dirs of MCP roots: only file:// URIs count (percent-decoded);
// a root that does not exist (yet) is kept as its cleaned path. ignored lists the rest.
func FromRootURIs(uris []string) (dirs Dirs, ignored []string) {
	for _, raw := range uris {
		u, err := url.Parse(raw)
		if err != nil || u.Scheme != "file" || (u.Host != "" && u.Host != "localhost") || !filepath.IsAbs(u.Path) || strings.ContainsRune(u.Path, 0) {
			ignored = append(ignored, raw)
			continue
		}
		p := filepath.Clean(u.Path)
		if r, err := filepath.EvalSymlinks(p); err == nil {
			p = r
		}
		dirs = append(dirs, p)
	}
	return dirs, ignored
}

// Contains tells whether the resolved path is one of the directories or below one.
func (d Dirs) Contains(resolved string) bool {
	for _, dir := range d {
		if resolved == dir || dir == string(filepath.Separator) || strings.HasPrefix(resolved, dir+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// OutsideError: a path leads outside the allowed directories.
type OutsideError struct {
	Path     string
	Resolved string
	Allowed  Dirs
}

func (e *OutsideError) Error() string {
	shown := e.Resolved
	if shown != filepath.Clean(e.Path) {
		shown = filepath.Clean(e.Path) + " (resolves to " + e.Resolved + ")"
	}
	return fmt.Sprintf("%s is outside the allowed directories: %s", shown, e.Allowed)
}

// Check validates a path and returns where it leads: it must be absolute, without NUL,
// and, when the rule is active, resolve inside the directories. Only the existing part
// of the path is resolved (an output file need not exist yet).
func (d Dirs) Check(path string) (string, error) {
	if strings.ContainsRune(path, 0) {
		return "", errors.New("the path contains a NUL byte")
	}
	if !filepath.IsAbs(path) {
		return "", fmt.Errorf("%q is not an absolute path; give the full path on this machine", path)
	}
	resolved, err := resolveExisting(filepath.Clean(path))
	if err != nil {
		return "", err
	}
	if d.Active() && !d.Contains(resolved) {
		return "", &OutsideError{Path: path, Resolved: resolved, Allowed: d}
	}
	return resolved, nil
}

// resolveExisting resolves the symlinks of the longest existing prefix of a clean
// absolute path and appends the rest.
func resolveExisting(p string) (string, error) {
	r, err := filepath.EvalSymlinks(p)
	if err == nil {
		return r, nil
	}
	// A missing element, or a file where a directory should be: resolve what exists;
	// opening the rest then says what is wrong.
	if !errors.Is(err, os.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
		return "", fmt.Errorf("cannot resolve %s: %w", p, PathCause(err))
	}
	parent := filepath.Dir(p)
	if parent == p {
		return p, nil
	}
	rp, err := resolveExisting(parent)
	if err != nil {
		return "", err
	}
	return filepath.Join(rp, filepath.Base(p)), nil
}

// OpenFile opens an existing file for reading, after Check, and checks again where the
// opened file really is. It does not block on a FIFO (the caller looks at what it got).
func (d Dirs) OpenFile(path string) (*os.File, string, error) {
	if err := notADirectoryPath(path); err != nil {
		return nil, "", err
	}
	resolved, err := d.Check(path)
	if err != nil {
		return nil, "", err
	}
	f, err := os.OpenFile(resolved, os.O_RDONLY|oNoFollow, 0)
	if err != nil {
		return nil, "", fmt.Errorf("cannot read %s: %w", path, openCause(resolved, err))
	}
	if err := d.verifyOpened(f, resolved); err != nil {
		f.Close()
		return nil, "", err
	}
	return f, resolved, nil
}

// OpenRoot opens an existing directory as an os.Root, after Check, and checks again
// where the opened directory really is. Everything then opened through the Root stays
// below it (openat, symlinks out of it refused), whatever is swapped meanwhile.
func (d Dirs) OpenRoot(path string) (*os.Root, string, error) {
	resolved, err := d.Check(path)
	if err != nil {
		return nil, "", err
	}
	if fi, err := os.Stat(resolved); err == nil && !fi.IsDir() {
		return nil, "", fmt.Errorf("%s is not a directory", path)
	}
	root, err := os.OpenRoot(resolved)
	if err != nil {
		return nil, "", fmt.Errorf("cannot open %s: %w", path, PathCause(err))
	}
	f, err := root.Open(".")
	if err == nil {
		err = d.verifyOpened(f, resolved)
		f.Close()
	}
	if err != nil {
		root.Close()
		return nil, "", err
	}
	return root, resolved, nil
}

// verifyOpened checks where an open file really is: a symlink swapped in after Check
// (anywhere in the path) shows here. On Linux /proc/self/fd names the opened file;
// elsewhere the path is resolved again and must be the same file.
func (d Dirs) verifyOpened(f *os.File, resolved string) error {
	if !d.Active() {
		return nil
	}
	real := ""
	if runtime.GOOS == "linux" {
		if r, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(int(f.Fd()))); err == nil {
			real = r
		}
	}
	if real == "" {
		again, err := filepath.EvalSymlinks(resolved)
		fi, ferr := f.Stat()
		si, serr := os.Stat(again)
		if err != nil || ferr != nil || serr != nil || !os.SameFile(fi, si) {
			return fmt.Errorf("%s changed while it was being opened; try again", resolved)
		}
		real = again
	}
	if !d.Contains(real) {
		return &OutsideError{Path: resolved, Resolved: real, Allowed: d}
	}
	return nil
}

// PathCause is the reason inside an *os.PathError ("no such file or directory"), for
// messages that name the path themselves.
func PathCause(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// OpenParent is for a file to be written: the path is checked (its existing part
// resolved, so an existing symlink leads to its target) and its directory opened as an
// os.Root; name is the file's name in that directory. Creating, renaming and linking
// through the Root cannot leave the checked directory.
func (d Dirs) OpenParent(path string) (root *os.Root, name, resolved string, err error) {
	if err := notADirectoryPath(path); err != nil {
		return nil, "", "", err
	}
	if resolved, err = d.Check(path); err != nil {
		return nil, "", "", err
	}
	// Before its parent is opened: the allowed directory itself has a parent outside.
	if fi, err := os.Stat(resolved); err == nil && fi.IsDir() {
		return nil, "", "", fmt.Errorf("%s is a directory; give a file path", resolved)
	}
	dir := filepath.Dir(resolved)
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, "", "", fmt.Errorf("directory %s does not exist (create it first): %w", dir, PathCause(err))
	}
	if !fi.IsDir() {
		return nil, "", "", fmt.Errorf("%s is not a directory", dir)
	}
	if root, _, err = d.OpenRoot(dir); err != nil {
		return nil, "", "", err
	}
	return root, filepath.Base(resolved), resolved, nil
}

// notADirectoryPath refuses a file path that ends with a slash: it names a directory
// (cleaning the path would quietly drop the slash).
func notADirectoryPath(path string) error {
	if len(path) > 1 && strings.HasSuffix(path, "/") {
		return fmt.Errorf("%s ends with a slash, which names a directory; give the path of a file", path)
	}
	return nil
}

// openCause says why opening a resolved path failed. A symlink there is one that Check
// could not resolve (O_NOFOLLOW then says "too many levels of symbolic links"): say
// where it points.
func openCause(resolved string, err error) error {
	if !errors.Is(err, syscall.ELOOP) {
		return PathCause(err)
	}
	target, lerr := os.Readlink(resolved)
	if lerr != nil {
		return PathCause(err)
	}
	if _, serr := os.Stat(resolved); errors.Is(serr, os.ErrNotExist) {
		return fmt.Errorf("it is a symbolic link to %s, which does not exist", target)
	}
	return fmt.Errorf("it is a symbolic link to %s, which cannot be followed", target)
}
