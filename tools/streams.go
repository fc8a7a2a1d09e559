package tools

import (
	"archive/tar"
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/tidwall/gjson"
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
// nothing behind and never clobbers an existing file unless asked.
type OutputFile struct {
	Path      string
	overwrite bool
	tmp       *os.File
}

// CreateOutputFile checks the target before anything is sent upstream.
func CreateOutputFile(path string, overwrite bool) (*OutputFile, error) {
	if path == "" {
		return nil, errors.New("no output path given")
	}
	if !filepath.IsAbs(path) {
		return nil, fmt.Errorf("%q is not an absolute path", path)
	}
	path = filepath.Clean(path)
	dir := filepath.Dir(path)
	di, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("directory %s does not exist (create it first): %w", dir, unwrapPathError(err))
	}
	if !di.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	if fi, err := os.Lstat(path); err == nil {
		if fi.IsDir() {
			return nil, fmt.Errorf("%s is a directory; give a file path", path)
		}
		if !overwrite {
			return nil, fmt.Errorf("%s already exists; pass overwrite=true to replace it, or choose another path", path)
		}
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.part")
	if err != nil {
		return nil, fmt.Errorf("cannot write in %s: %w", dir, unwrapPathError(err))
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, err
	}
	return &OutputFile{Path: path, overwrite: overwrite, tmp: tmp}, nil
}

// Write appends to the temporary file.
func (o *OutputFile) Write(p []byte) (int, error) { return o.tmp.Write(p) }

// Commit gives the complete file its name.
func (o *OutputFile) Commit() error {
	if err := o.tmp.Sync(); err != nil {
		o.Abort()
		return err
	}
	if err := o.tmp.Close(); err != nil {
		o.Abort()
		return err
	}
	if o.overwrite {
		if err := os.Rename(o.tmp.Name(), o.Path); err != nil {
			os.Remove(o.tmp.Name())
			return err
		}
		return nil
	}
	// A hard link fails if the name was taken meanwhile: no clobbering, even in a race.
	if err := os.Link(o.tmp.Name(), o.Path); err != nil {
		os.Remove(o.tmp.Name())
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s was created by someone else meanwhile; nothing was overwritten", o.Path)
		}
		return err
	}
	return os.Remove(o.tmp.Name())
}

// Abort removes the partial file.
func (o *OutputFile) Abort() {
	o.tmp.Close()
	os.Remove(o.tmp.Name())
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
