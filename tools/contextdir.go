package tools

import (
	"archive/tar"
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// tarDirectory streams a tar of a build context directory, leaving out what its
// .containerignore (or .dockerignore) excludes. Nothing is held in memory: a goroutine
// writes into a pipe that the HTTP request reads; closing the reader stops it.
func tarDirectory(dir string) (io.ReadCloser, error) {
	if !filepath.IsAbs(dir) {
		return nil, fmt.Errorf("%q is not an absolute path; give the full path of the build context directory on this machine", dir)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("cannot read build context %s: %w", dir, unwrapPathError(err))
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("build context %s is not a directory", dir)
	}
	ignore, err := readIgnoreFile(dir)
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(writeContextTar(pw, dir, ignore))
	}()
	return pr, nil
}

func writeContextTar(w io.Writer, dir string, ignore *ignoreRules) error {
	tw := tar.NewWriter(w)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		if ignore.excludes(rel) && !alwaysSent[rel] {
			if d.IsDir() && !ignore.hasExceptionsUnder(rel) {
				return filepath.SkipDir
			}
			return nil
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
			if link, err = os.Readlink(path); err != nil {
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
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		_, err = io.Copy(tw, f)
		f.Close()
		return err
	})
	if err != nil {
		return fmt.Errorf("build context: %w", err)
	}
	return tw.Close()
}

// alwaysSent are sent even when ignored, as Docker and Podman do: the build needs them.
var alwaysSent = map[string]bool{"Containerfile": true, "Dockerfile": true, ".containerignore": true, ".dockerignore": true}

// ignoreRules are the patterns of a .containerignore/.dockerignore file, in order; the
// last pattern that matches a path decides, and `!` patterns re-include.
type ignoreRules struct {
	rules []ignoreRule
}

type ignoreRule struct {
	re     *regexp.Regexp
	negate bool
	raw    string
}

func readIgnoreFile(dir string) (*ignoreRules, error) {
	for _, name := range []string{".containerignore", ".dockerignore"} {
		f, err := os.Open(filepath.Join(dir, name))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", name, unwrapPathError(err))
		}
		defer f.Close()
		return parseIgnore(f)
	}
	return &ignoreRules{}, nil
}

func parseIgnore(r io.Reader) (*ignoreRules, error) {
	ir := &ignoreRules{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		neg := strings.HasPrefix(line, "!")
		if neg {
			line = strings.TrimSpace(line[1:])
		}
		line = strings.Trim(filepath.ToSlash(filepath.Clean(line)), "/")
		if line == "" || line == "." {
			continue
		}
		ir.rules = append(ir.rules, ignoreRule{re: globRegexp(line), negate: neg, raw: line})
	}
	return ir, sc.Err()
}

// globRegexp turns an ignore pattern into a regexp over slash paths: `*` and `?` stay in
// one segment, `**` crosses segments, and a match also covers everything below it.
func globRegexp(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '*' && i+1 < len(p) && p[i+1] == '*':
			i++
			if i+1 < len(p) && p[i+1] == '/' {
				i++
				b.WriteString("(.*/)?")
			} else {
				b.WriteString(".*")
			}
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		case c == '[':
			j := strings.IndexByte(p[i:], ']')
			if j < 0 {
				b.WriteString(`\[`)
				continue
			}
			b.WriteString(p[i : i+j+1])
			i += j
		case c == '\\' && i+1 < len(p):
			i++
			b.WriteString(regexp.QuoteMeta(string(p[i])))
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("(/.*)?$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return regexp.MustCompile("^" + regexp.QuoteMeta(p) + "(/.*)?$")
	}
	return re
}

func (ir *ignoreRules) excludes(rel string) bool {
	out := false
	for _, r := range ir.rules {
		if r.re.MatchString(rel) {
			out = !r.negate
		}
	}
	return out
}

// hasExceptionsUnder tells whether a `!` rule could re-include something below dir, in
// which case the walk must go into it.
func (ir *ignoreRules) hasExceptionsUnder(dir string) bool {
	for _, r := range ir.rules {
		if r.negate && (strings.HasPrefix(r.raw, dir+"/") || strings.Contains(r.raw, "*")) {
			return true
		}
	}
	return false
}
