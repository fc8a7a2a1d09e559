package fakecentral

// The gateway: which pattern answers a request, and the order of its checks (route,
// authenticate, authorize, parse the query, run the operation).

import (
	"io"
	"net/http"
	"net/url"
	"strings"
)

// operation answers a routed, authorized request: p its query parameters, id what the
// route's "{id}" bound.
type operation func(fc *Central, w http.ResponseWriter, r *http.Request, p params, id string)

// route is one gateway pattern: its path segments ("{id}" binds one) and methods.
type route struct {
	segs    []string
	methods map[string]operation
	write   map[string]bool // methods that need Image write
	anyRole bool            // any authenticated token, no Image permission needed
}

var routes = []route{
	{segs: []string{"v1", "auth", "status"}, methods: map[string]operation{
		http.MethodGet: (*Central).authStatus}, anyRole: true},
	{segs: []string{"v1", "images"}, methods: map[string]operation{
		http.MethodGet: (*Central).listImages, http.MethodDelete: (*Central).deleteImages}, write: map[string]bool{http.MethodDelete: true}},
	{segs: []string{"v1", "imagescount"}, methods: map[string]operation{
		http.MethodGet: (*Central).countImages}},
	{segs: []string{"v1", "images", "scan"}, methods: map[string]operation{
		http.MethodPost: (*Central).scanImage}, write: map[string]bool{http.MethodPost: true}},
	{segs: []string{"v1", "images", "cache", "invalidate"}, methods: map[string]operation{
		http.MethodGet: (*Central).invalidate}, write: map[string]bool{http.MethodGet: true}},
	{segs: []string{"v1", "images", "{id}"}, methods: map[string]operation{
		http.MethodGet: (*Central).getImage}},
}

// serve records a request, then lets the test's override, a hang or a fault answer it,
// else answers as Central.
func (fc *Central) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	fc.mu.Lock()
	fc.reqs = append(fc.reqs, RecordedRequest{Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
	hang := fc.hang[r.URL.Path]
	fault, override := fc.fault, fc.override
	fc.mu.Unlock()
	if override != nil {
		override(w, r)
		return
	}
	if fc.misbehave(w, r, body, hang, fault) {
		return
	}
	fc.answer(w, r, body)
}

// answer routes, authenticates and authorizes a request and runs its operation.
func (fc *Central) answer(w http.ResponseWriter, r *http.Request, body []byte) {
	rt, id, e := findRoute(r)
	if e != nil {
		fc.writeError(w, *e)
		return
	}
	role, e := fc.authenticate(r)
	if e != nil {
		if e.msg == errNoCredentials.msg {
			w.Header().Set("WWW-Authenticate", `Bearer realm="StackRox"`)
		}
		fc.writeError(w, *e)
		return
	}
	if e := authorize(role, rt.write[r.Method], rt.anyRole); e != nil {
		fc.writeError(w, *e)
		return
	}
	p, perr := parseParams(r.URL.RawQuery)
	if perr != nil {
		fc.writeError(w, *perr)
		return
	}
	r.Body = io.NopCloser(strings.NewReader(string(body)))
	rt.methods[r.Method](fc, w, r, p, id)
}

// findRoute is the gateway's routing: patterns are matched in order per method, the first
// that has the method wins; a path that some pattern matches for another method is 501,
// no match at all is 404. id is what "{id}" bound.
func findRoute(r *http.Request) (route, string, *centralError) {
	segs := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
	pathKnown := false
	for _, rt := range routes {
		bound, ok := matchRoute(rt.segs, segs)
		if !ok {
			continue
		}
		pathKnown = true
		if _, ok := rt.methods[r.Method]; ok {
			return rt, bound, nil
		}
	}
	if pathKnown {
		return route{}, "", &errMethodNotAllow
	}
	return route{}, "", &errNotFoundRoute
}

// matchRoute matches a request's escaped path segments against a pattern; "{id}" binds
// one non-empty segment, unescaped.
func matchRoute(pattern, segs []string) (string, bool) {
	if len(pattern) != len(segs) {
		return "", false
	}
	var bound string
	for i, p := range pattern {
		if p == "{id}" {
			v, err := url.PathUnescape(segs[i])
			if err != nil || v == "" {
				return "", false
			}
			bound = v
			continue
		}
		if p != segs[i] {
			return "", false
		}
	}
	return bound, true
}
