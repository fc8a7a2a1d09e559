package tools

import (
	"archive/tar"
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/image-mcp/image-mcp/internal/allowdirs"
)

// StreamSummary is what a pull, push or build stream comes to: not every line, but the
// images it produced, the digest, the error if any, and the last lines of output.
type StreamSummary struct {
	ID     string   `json:"id,omitempty"`
	Images []string `json:"images,omitempty"`
	Digest string   `json:"digest,omitempty"`
	Error  string   `json:"error,omitempty"`
	Lines  int      `json:"lines"`
	Output []string `json:"output,omitempty"`
}

const keepOutputLines = 30

// ReadNDJSON reads a stream of JSON objects (one per line) as Podman sends for pull, push
// and build. A failure inside the stream after a 200 (an `error` member) is reported in
// Error. onLine is called for each line of output text, for progress.
func ReadNDJSON(r io.Reader, onLine func(n int, text string)) (*StreamSummary, error) {
	s := &StreamSummary{}
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			s.consume(line, onLine)
		}
		if err == io.EOF {
			return s, nil
		}
		if err != nil {
			return s, err
		}
	}
}

func (s *StreamSummary) consume(line []byte, onLine func(int, string)) {
	if !gjson.ValidBytes(line) {
		s.addOutput(string(bytes.TrimSpace(line)), onLine)
		return
	}
	r := gjson.ParseBytes(line)
	if e := r.Get("error"); e.Exists() && e.String() != "" {
		s.Error = strings.TrimSpace(e.String())
	} else if e := r.Get("errorDetail.message"); e.Exists() && s.Error == "" {
		s.Error = strings.TrimSpace(e.String())
	}
	if st := r.Get("stream"); st.Exists() {
		for _, l := range strings.Split(strings.TrimRight(st.String(), "\n"), "\n") {
			s.addOutput(l, onLine)
		}
	}
	if st := r.Get("status"); st.Exists() { // the Docker-compatible shape (compatMode)
		s.addOutput(strings.TrimSpace(st.String()+" "+r.Get("progress").String()), onLine)
	}
	if id := r.Get("id"); id.Exists() && id.Type == gjson.String && r.Get("images").Exists() {
		s.ID = id.String()
	}
	if imgs := r.Get("images"); imgs.IsArray() {
		for _, i := range imgs.Array() {
			s.Images = append(s.Images, i.String())
		}
	}
	if d := r.Get("manifestdigest"); d.Exists() {
		s.Digest = d.String()
	}
	if id := r.Get("aux.ID"); id.Exists() {
		s.ID = id.String()
	}
}

func (s *StreamSummary) addOutput(l string, onLine func(int, string)) {
	if l = strings.TrimRight(l, "\r"); l == "" {
		return
	}
	s.Lines++
	if len(s.Output) == keepOutputLines {
		copy(s.Output, s.Output[1:])
		s.Output = s.Output[:keepOutputLines-1]
	}
	s.Output = append(s.Output, l)
	if onLine != nil {
		onLine(s.Lines, l)
	}
}

// finishBuild fills the image ID of a build: its last output line is the full ID.
func (s *StreamSummary) finishBuild() {
	if s.ID != "" || s.Error != "" || len(s.Output) == 0 {
		return
	}
	last := s.Output[len(s.Output)-1]
	if len(last) == 64 && isHex(last) {
		s.ID = last
	}
}

func isHex(s string) bool {
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

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

// ArchiveImages lists the image names in an image archive (docker-archive manifest.json or
// oci-archive index.json), reading only tar headers and the small index files.
func ArchiveImages(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	tr := tar.NewReader(f)
	var names []string
	for {
		h, err := tr.Next()
		if err != nil {
			return names
		}
		switch strings.TrimPrefix(h.Name, "./") {
		case "manifest.json":
			b, _ := io.ReadAll(io.LimitReader(tr, 8<<20))
			var m []struct{ RepoTags []string }
			if json.Unmarshal(b, &m) == nil {
				for _, e := range m {
					names = append(names, e.RepoTags...)
				}
			}
		case "index.json":
			b, _ := io.ReadAll(io.LimitReader(tr, 8<<20))
			for _, r := range gjson.GetBytes(b, `manifests.#.annotations.org\.opencontainers\.image\.ref\.name`).Array() {
				names = append(names, r.String())
			}
		}
	}
}
