package fakecentral

// Query parameters as the gateway decodes them.

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// params are query parameters under their canonical (lowerCamel per segment) names.
type params map[string][]string

// parseParams decodes a query string as the gateway does: `+` is a space, snake_case and
// camelCase segments are the same field, unknown fields are kept here and ignored later.
func parseParams(raw string) (params, *centralError) {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return nil, &centralError{http.StatusBadRequest, 3, err.Error()}
	}
	p := params{}
	for k, vs := range q {
		segs := strings.Split(k, ".")
		for i, s := range segs {
			segs[i] = lowerCamel(s)
		}
		c := strings.Join(segs, ".")
		p[c] = append(p[c], vs...)
	}
	return p, nil
}

func lowerCamel(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// one returns a singular field; given twice it is the gateway's 400.
func (p params) one(name string) (string, bool, *centralError) {
	vs, ok := p[name]
	if !ok {
		return "", false, nil
	}
	if len(vs) > 1 {
		last := name[strings.LastIndex(name, ".")+1:]
		return "", true, &centralError{http.StatusBadRequest, 3, fmt.Sprintf("too many values for field %q: %s", last, strings.Join(vs, ", "))}
	}
	return vs[0], true, nil
}

func (p params) str(name string) (string, *centralError) {
	v, _, e := p.one(name)
	return v, e
}

func (p params) int32(name string) (int64, *centralError) {
	v, ok, e := p.one(name)
	if e != nil || !ok {
		return 0, e
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		last := name[strings.LastIndex(name, ".")+1:]
		return 0, &centralError{http.StatusBadRequest, 3, fmt.Sprintf("parsing field %q: %v", last, err)}
	}
	return n, nil
}

func (p params) bool(name string) (bool, *centralError) {
	v, ok, e := p.one(name)
	if e != nil || !ok {
		return false, e
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		last := name[strings.LastIndex(name, ".")+1:]
		return false, &centralError{http.StatusBadRequest, 3, fmt.Sprintf("parsing field %q: %v", last, err)}
	}
	return b, nil
}
