package podman

import (
	"encoding/json"
	"maps"
	"path/filepath"
	"slices"
	"strings"
)

// buildContextKind is what Podman makes of an additional build context.
type buildContextKind string

// The kinds: an image, a URL Podman downloads, a directory on Podman's machine, or a
// form Podman does not read.
const (
	contextImage   buildContextKind = "image"
	contextURL     buildContextKind = "URL"
	contextPath    buildContextKind = "directory"
	contextUnknown buildContextKind = "unknown"
)

// buildContext is one additional build context as Podman reads it.
type buildContext struct {
	Item  string // the argument's item it came from
	Name  string
	Kind  buildContextKind
	Value string
}

// additionalBuildContexts reads the items of `additionalbuildcontexts` in both forms
// Podman has had (pkg/api/handlers/compat/images_build.go):
//
//   - 4.x reads one JSON object, name → buildah's AdditionalBuildContext
//     {"IsURL","IsImage","Value","DownloadedCache"} (keys matched as encoding/json does,
//     whatever their case). An image wins; a URL is downloaded unless DownloadedCache
//     names a directory already holding it; anything else is a directory.
//   - 5.x reads name=url:URL and name=image:REF (and name=localpath:DIR for a build on
//     the Podman host) and ignores any other value.
func additionalBuildContexts(items []string) []buildContext {
	var out []buildContext
	for _, it := range items {
		if strings.HasPrefix(strings.TrimSpace(it), "{") {
			var m map[string]*struct {
				IsURL, IsImage         bool
				Value, DownloadedCache string
			}
			if err := json.Unmarshal([]byte(it), &m); err != nil {
				out = append(out, buildContext{Item: it, Kind: contextUnknown, Value: it})
				continue
			}
			for _, name := range slices.Sorted(maps.Keys(m)) {
				c := m[name]
				switch {
				case c == nil:
				case c.IsImage:
					out = append(out, buildContext{Item: it, Name: name, Kind: contextImage, Value: c.Value})
				case c.IsURL:
					out = append(out, buildContext{Item: it, Name: name, Kind: contextURL, Value: c.Value})
					if c.DownloadedCache != "" {
						out = append(out, buildContext{Item: it, Name: name, Kind: contextPath, Value: c.DownloadedCache})
					}
				default:
					out = append(out, buildContext{Item: it, Name: name, Kind: contextPath, Value: c.Value})
				}
			}
			continue
		}
		name, value, ok := strings.Cut(it, "=")
		c := buildContext{Item: it, Name: name, Kind: contextUnknown, Value: value}
		if ok {
			if u, isURL := strings.CutPrefix(value, "url:"); isURL {
				c.Kind, c.Value = contextURL, u
			} else if img, isImage := strings.CutPrefix(value, "image:"); isImage {
				c.Kind, c.Value = contextImage, img
			} else if p, isPath := strings.CutPrefix(value, "localpath:"); isPath {
				c.Kind, c.Value = contextPath, filepath.Clean(p)
			}
		}
		out = append(out, c)
	}
	return out
}
