package podman

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/image-mcp/image-mcp/internal/version"
)

// The Containerfiles a build reads, found as Podman finds them (pkg/api/handlers/compat/
// images_build.go, 4.3.1 and 5.x), so that under the allowed directories they can be
// held to the build context: Podman follows a symlink in the context (or on the way to
// the named file) to wherever it points on its own machine.

// defaultContainerfiles are read when a build names none: Containerfile when it exists
// (Podman stats it, following a symlink), else Dockerfile.
var defaultContainerfiles = []string{"Containerfile", "Dockerfile"}

// arraysInContextFrom is the first Podman that joins each entry of a JSON-array
// `dockerfile` with the context; older ones (4.3.1) use the entries as given, so a
// relative one is read from the service's working directory and an absolute one from
// anywhere on its machine.
const arraysInContextFrom = "4.6.0"

// containerfileError is a Containerfile that would be read from outside the context.
type containerfileError struct {
	Name string // as given, or as found in the context
	Why  string
}

func (e *containerfileError) Error() string { return fmt.Sprintf("%q %s", e.Name, e.Why) }

// containerfilePaths gives the Containerfiles a build with this `dockerfile` value reads,
// as clean slash paths relative to the context; none named means defaultContainerfiles.
// hostContext is the context directory when it is on Podman's machine (a local build:
// an absolute entry inside it is allowed), "" when the context is sent as a tar (Podman
// unpacks it in a directory of its own, so no absolute path is inside it). podmanVersion
// gives Podman's, asked only for the JSON-array form. URLs (http://, https://) are
// downloaded, not read from the context, and left out.
func containerfilePaths(dockerfile, hostContext string, podmanVersion func() string) ([]string, error) {
	if strings.TrimSpace(dockerfile) == "" {
		return defaultContainerfiles, nil
	}
	entries := []string{dockerfile}
	// Podman tries the value as a JSON array of strings first.
	var list []string
	if json.Unmarshal([]byte(dockerfile), &list) == nil {
		if len(list) == 0 {
			return defaultContainerfiles, nil
		}
		if v := podmanVersion(); hostContext == "" && version.Compare(v, arraysInContextFrom) < 0 {
			return nil, &containerfileError{Name: dockerfile, Why: fmt.Sprintf("is a JSON array: Podman before %s (this one is %s) reads its entries from its own working directory, not from the build context. Give one path inside the context", arraysInContextFrom, cmp.Or(v, "unknown"))}
		}
		entries = list
	}
	var names []string
	for _, n := range entries {
		if strings.HasPrefix(n, "http://") || strings.HasPrefix(n, "https://") {
			continue
		}
		rel, err := inContext(n, hostContext)
		if err != nil {
			return nil, err
		}
		names = append(names, rel)
	}
	return names, nil
}

// inContext makes one Containerfile path relative to the context, or says why it is not
// inside it.
func inContext(n, hostContext string) (string, error) {
	outside := &containerfileError{Name: n, Why: "must be a path inside the build context (the allowed directories are in force)"}
	if n == "" || strings.ContainsRune(n, 0) {
		return "", outside
	}
	p := filepath.Clean(filepath.FromSlash(n))
	if filepath.IsAbs(p) {
		if hostContext == "" {
			outside.Why = "must be a relative path inside the build context: Podman opens an absolute one on its own machine (the allowed directories are in force)"
			return "", outside
		}
		rel, err := filepath.Rel(filepath.Clean(hostContext), p)
		if err != nil {
			return "", outside
		}
		p = rel
	}
	if p == "." || p == ".." || strings.HasPrefix(p, ".."+string(filepath.Separator)) {
		return "", outside
	}
	return filepath.ToSlash(p), nil
}

// checkContainerfiles holds the Containerfiles to the context opened as root: each must be
// reached through directories that are not symlinks and not be a symlink itself. One
// that does not exist is left to Podman, which says so.
func checkContainerfiles(root *os.Root, names []string) error {
	for _, n := range names {
		parts := strings.Split(n, "/")
		for i := range parts {
			p := path.Join(parts[:i+1]...)
			fi, err := root.Lstat(p)
			if errors.Is(err, fs.ErrNotExist) {
				break
			}
			if err != nil {
				return &containerfileError{Name: n, Why: fmt.Sprintf("cannot be read in the build context: %v", err)}
			}
			if fi.Mode()&fs.ModeSymlink != 0 {
				return symlinkError(root, n, p)
			}
			if !fi.IsDir() {
				break
			}
		}
	}
	return nil
}

func symlinkError(root *os.Root, name, link string) error {
	target, _ := root.Readlink(link)
	what := "is a symbolic link"
	if link != name {
		what = fmt.Sprintf("is under %q, a symbolic link", link)
	}
	return &containerfileError{Name: name, Why: fmt.Sprintf("%s (to %s); Podman would read the file it points to, which may be outside the build context. Put the file itself in the context", what, target)}
}

// onTheWay is every path a check of names looked at: the names and their directories.
// The tar of the context refuses a symlink at any of them, so one swapped in after the
// check is not sent.
func onTheWay(names []string) map[string]bool {
	if len(names) == 0 {
		return nil
	}
	m := map[string]bool{}
	for _, n := range names {
		for p := n; p != "." && p != "/" && p != ""; p = path.Dir(p) {
			m[p] = true
		}
	}
	return m
}
