package podman

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"

	"github.com/image-mcp/image-mcp/internal/allowdirs"
)

// tarDirectory streams a tar of a build context directory, leaving out what its
// .containerignore (or .dockerignore) excludes. Nothing is held in memory: a goroutine
// writes into a pipe that the HTTP request reads; closing the reader stops it.
//
// The directory is opened once as an os.Root after the allowed-directories check (see
// allowdirs.OpenRoot), and every file is read through it: symlinks are stored as links,
// as Podman's own client does, never followed, and a directory swapped for a symlink
// during the walk cannot lead the tar outside the context.
//
// containerfiles (see containerfilePaths; nil: no check) must not be symlinks nor lie
// under one (checkContainerfiles, a *containerfileError): Podman, unpacking the tar,
// would follow such a link on its own machine. The walk checks them again as it sends
// them, so a link swapped in after the check is not sent either.
func tarDirectory(dir string, allowed allowdirs.Dirs, containerfiles []string) (io.ReadCloser, error) {
	root, _, err := allowed.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("build context: %w", err)
	}
	fi, err := root.Stat(".")
	if err != nil || !fi.IsDir() {
		root.Close()
		return nil, fmt.Errorf("build context %s is not a directory", dir)
	}
	if err := checkContainerfiles(root, containerfiles); err != nil {
		root.Close()
		return nil, err
	}
	ignore, err := readIgnoreFile(root)
	if err != nil {
		root.Close()
		return nil, err
	}
	pr, pw := io.Pipe()
	go func() {
		defer root.Close()
		pw.CloseWithError(writeContextTar(pw, root, ignore, onTheWay(containerfiles)))
	}()
	return pr, nil
}

// alwaysSent are sent even when ignored, as Podman's client does (it appends these
// exceptions to the ignore patterns): the build needs them.
var alwaysSent = []string{"!Dockerfile", "!Containerfile", "!.dockerignore", "!.containerignore"}

// readIgnoreFile reads the patterns of .containerignore, else .dockerignore, with the
// reader Podman's and Docker's clients use, and returns the matcher they use.
func readIgnoreFile(root *os.Root) (*patternmatcher.PatternMatcher, error) {
	var patterns []string
	for _, name := range []string{".containerignore", ".dockerignore"} {
		f, err := root.Open(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", name, allowdirs.PathCause(err))
		}
		patterns, err = ignorefile.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", name, err)
		}
		break
	}
	if len(patterns) == 0 {
		return nil, nil
	}
	pm, err := patternmatcher.New(append(patterns, alwaysSent...))
	if err != nil {
		return nil, fmt.Errorf("bad pattern in the build context's ignore file: %w", err)
	}
	return pm, nil
}

// writeContextTar walks the root as Docker's archive code does with a pattern matcher:
// the parent's match result is carried down, and an excluded directory is skipped
// unless a `!` exception could re-include something below it. A symlink at a path of
// noLinks fails the walk.
func writeContextTar(w io.Writer, root *os.Root, pm *patternmatcher.PatternMatcher, noLinks map[string]bool) error {
	tw := tar.NewWriter(w)
	parents := map[string]patternmatcher.MatchInfo{}
	fsys := root.FS()
	err := fs.WalkDir(fsys, ".", func(rel string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if rel == "." {
			return nil
		}
		if pm != nil {
			skip, info, err := pm.MatchesUsingParentResults(rel, parents[path.Dir(rel)])
			if err != nil {
				return err
			}
			if d.IsDir() {
				parents[rel] = info
			}
			if skip {
				if !d.IsDir() || hasExceptionUnder(pm, rel) {
					return nil
				}
				return fs.SkipDir
			}
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.Mode()&os.ModeSocket != 0 {
			return nil // a socket cannot be archived and is no build input
		}
		link := ""
		if info.Mode()&os.ModeSymlink != 0 {
			if noLinks[rel] {
				return symlinkError(root, rel, rel)
			}
			if link, err = root.Readlink(rel); err != nil {
				return err
			}
		}
		hdr, err := tar.FileInfoHeader(info, link)
		if err != nil {
			return err
		}
		hdr.Name = rel
		if d.IsDir() {
			hdr.Name += "/"
		}
		hdr.Uname, hdr.Gname = "", ""
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if !info.Mode().IsRegular() {
			return nil
		}
		f, err := root.Open(rel)
		if err != nil {
			return err
		}
		_, err = io.CopyN(tw, f, hdr.Size) // the size in the header, even if the file grows
		f.Close()
		return err
	})
	if err != nil {
		return fmt.Errorf("build context: %w", err)
	}
	return tw.Close()
}

// hasExceptionUnder: a `!` pattern starts with dir/, so the walk must enter dir (the
// rule of Docker's archive code).
func hasExceptionUnder(pm *patternmatcher.PatternMatcher, dir string) bool {
	if !pm.Exclusions() {
		return false
	}
	for _, p := range pm.Patterns() {
		if p.Exclusion() && strings.HasPrefix(p.String()+"/", dir+"/") {
			return true
		}
	}
	return false
}
