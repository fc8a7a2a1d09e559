package fakecentral

// The ImageService operations.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
)

func (fc *Central) listImages(w http.ResponseWriter, _ *http.Request, p params, _ string) {
	q, e := p.rawQuery("")
	if e != nil {
		fc.writeError(w, *e)
		return
	}
	found, e := fc.search(q, 1000)
	if e != nil {
		fc.writeError(w, *e)
		return
	}
	list := make([]json.RawMessage, len(found))
	for i, img := range found {
		list[i] = img.list
	}
	fc.writeJSON(w, map[string]any{"images": list})
}

func (fc *Central) countImages(w http.ResponseWriter, _ *http.Request, p params, _ string) {
	q, e := p.rawQuery("")
	if e != nil {
		fc.writeError(w, *e)
		return
	}
	q.limit, q.offset = 0, 0 // a count ignores pagination
	found, e := fc.search(q, 0)
	if e != nil {
		fc.writeError(w, *e)
		return
	}
	fc.writeJSON(w, map[string]any{"count": len(found)})
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func (fc *Central) getImage(w http.ResponseWriter, _ *http.Request, p params, id string) {
	for _, b := range []string{"includeSnoozed", "stripDescription"} {
		if _, e := p.bool(b); e != nil {
			fc.writeError(w, *e)
			return
		}
	}
	// Not a UUID: a digest, with sha256: added when it has no algorithm.
	if !uuidRE.MatchString(id) && !strings.Contains(id, ":") {
		id = "sha256:" + id
	}
	found := fc.lastImage(func(img *fakeImage) bool { return img.id == id })
	if found == nil {
		fc.writeError(w, centralError{http.StatusNotFound, 5, fmt.Sprintf("image with id %q does not exist: not found", id)})
		return
	}
	fc.writeJSON(w, found.full)
}

// lastImage is the last image that matches, or nil.
func (fc *Central) lastImage(match func(*fakeImage) bool) *fakeImage {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	var found *fakeImage
	for _, img := range fc.images {
		if match(img) {
			found = img
		}
	}
	return found
}

func (fc *Central) scanImage(w http.ResponseWriter, r *http.Request, _ params, _ string) {
	var req map[string]json.RawMessage
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, &req); err != nil {
		fc.writeError(w, centralError{http.StatusBadRequest, 3, fmt.Sprintf("proto: syntax error: %v", err)})
		return
	}
	var name string
	for _, k := range []string{"imageName", "image_name"} {
		if raw, ok := req[k]; ok {
			if err := json.Unmarshal(raw, &name); err != nil {
				fc.writeError(w, centralError{http.StatusBadRequest, 3, fmt.Sprintf("proto: (line 1:1): invalid value for string field %s", k)})
				return
			}
		}
	}
	if name == "" {
		fc.writeError(w, centralError{http.StatusBadRequest, 3, "image name must be specified: invalid arguments"})
		return
	}
	reg, remote, tag := splitImageName(name)
	full := reg + "/" + remote + ":" + tag
	found := fc.lastImage(func(img *fakeImage) bool { return img.name == full })
	if found == nil {
		msg := fmt.Sprintf("scan could not be completed for image %s ([MISSING_METADATA MISSING_SCAN_DATA]): please check that an applicable registry and scanner is integrated", name)
		fc.writeError(w, centralError{http.StatusInternalServerError, 13, msg})
		return
	}
	fc.writeJSON(w, found.full)
}

func (fc *Central) invalidate(w http.ResponseWriter, _ *http.Request, _ params, _ string) {
	fc.writeJSON(w, json.RawMessage(`{}`))
}

func (fc *Central) deleteImages(w http.ResponseWriter, _ *http.Request, p params, _ string) {
	q, e := p.rawQuery("query.")
	if e != nil {
		fc.writeError(w, *e)
		return
	}
	confirm, e := p.bool("confirm")
	if e != nil {
		fc.writeError(w, *e)
		return
	}
	if !q.anyParamForRaw {
		fc.writeError(w, errScopingRequired)
		return
	}
	found, e := fc.search(q, 0)
	if e != nil {
		fc.writeError(w, *e)
		return
	}
	if confirm {
		gone := map[*fakeImage]bool{}
		for _, img := range found {
			gone[img] = true
		}
		fc.mu.Lock()
		kept := fc.images[:0:0]
		for _, img := range fc.images {
			if !gone[img] {
				kept = append(kept, img)
			}
		}
		fc.images = kept
		fc.mu.Unlock()
	}
	fc.writeJSON(w, map[string]any{"numDeleted": len(found), "dryRun": !confirm})
}
