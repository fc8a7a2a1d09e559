package podman

import (
	"archive/tar"
	"encoding/json"
	"io"
	"strings"

	"github.com/tidwall/gjson"
)

// DescribeFile is Podman's upstream.FileDescriber: the images in an archive written by an
// export, under "images".
func (c *Client) DescribeFile(written io.Reader) map[string]any {
	return map[string]any{"images": archiveImages(written)}
}

// archiveImages lists the image names in an image archive (docker-archive manifest.json or
// oci-archive index.json), reading only tar headers and the small index files. It reads
// what it is given, an archive just written and still open, never a path again: the
// path may have been swapped meanwhile.
func archiveImages(r io.Reader) []string {
	tr := tar.NewReader(r)
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
