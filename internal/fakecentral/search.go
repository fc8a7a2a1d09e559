package fakecentral

// Central's search query language, as far as the tools use it.

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// search evaluates the query and applies pagination (see paginate for maxLimit).
func (fc *Central) search(q rawQuery, maxLimit int64) ([]*fakeImage, *centralError) {
	match, err := compileSearch(q.query)
	if err != nil {
		return nil, &centralError{http.StatusBadRequest, 3, err.Error()}
	}
	fc.mu.Lock()
	var out []*fakeImage
	for _, img := range fc.images {
		if match(img) {
			out = append(out, img)
		}
	}
	fc.mu.Unlock()
	return q.paginate(out, maxLimit), nil
}

// compileSearch understands `Label:v1,v2+Label2:v3`: comma is OR, `+` is AND, labels and
// values are case-insensitive, values are prefix matches, `"exact"` and `!negation` work.
// Unknown labels are dropped, as Central does.
func compileSearch(query string) (func(*fakeImage) bool, error) {
	type term struct {
		get    func(*fakeImage) []string
		values []string
	}
	var terms []term
	if strings.TrimSpace(query) != "" {
		for _, pair := range strings.Split(query, "+") {
			label, vals, ok := strings.Cut(pair, ":")
			if !ok {
				return nil, fmt.Errorf("query format: %q is not Label:value", pair)
			}
			get := searchField(strings.ToLower(strings.TrimSpace(label)))
			if get == nil {
				continue
			}
			terms = append(terms, term{get: get, values: strings.Split(vals, ",")})
		}
	}
	return func(img *fakeImage) bool {
		for _, t := range terms {
			have := t.get(img)
			ok := false
			for _, v := range t.values {
				if valueMatches(v, have) {
					ok = true
					break
				}
			}
			if !ok {
				return false
			}
		}
		return true
	}, nil
}

func valueMatches(v string, have []string) bool {
	neg := strings.HasPrefix(v, "!")
	v = strings.ToLower(strings.TrimPrefix(v, "!"))
	exact := len(v) >= 2 && strings.HasPrefix(v, `"`) && strings.HasSuffix(v, `"`)
	v = strings.Trim(v, `"`)
	found := false
	for _, h := range have {
		h = strings.ToLower(h)
		if (exact && h == v) || (!exact && strings.HasPrefix(h, v)) {
			found = true
			break
		}
	}
	return found != neg
}

func searchField(label string) func(*fakeImage) []string {
	switch label {
	case "image":
		// Full name; the name without its registry and the bare repository name too, so
		// `Image:nginx` finds docker.io/library/nginx:1.25.
		return func(i *fakeImage) []string {
			out := []string{i.name}
			for s := i.name; strings.Contains(s, "/"); {
				s = s[strings.Index(s, "/")+1:]
				out = append(out, s)
			}
			return out
		}
	case "image sha":
		return func(i *fakeImage) []string { return []string{i.id} }
	case "image registry":
		return func(i *fakeImage) []string { return []string{i.registry} }
	case "image remote":
		return func(i *fakeImage) []string { return []string{i.remote} }
	case "image tag":
		return func(i *fakeImage) []string { return []string{i.tag} }
	case "cve":
		return func(i *fakeImage) []string { return i.cves }
	case "severity":
		return func(i *fakeImage) []string { return i.severities }
	case "component":
		return func(i *fakeImage) []string { return i.components }
	case "fixable":
		return func(i *fakeImage) []string { return []string{strconv.FormatBool(i.fixable)} }
	}
	return nil
}
