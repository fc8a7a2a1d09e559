// Package fakecentral is a fake StackRox Central for the end-to-end tests and the bench.
// It keeps the REST contract of a real Central as docs/stackrox.md describes it (read from
// the StackRox sources): gateway routing, query parameter rules, auth, error bodies, and the
// ImageService operations over an image set built from real fixtures (testdata/), and
// AuthService's status for doctor. It rejects what a real Central rejects, so a client bug
// fails a test; faults (SetFault) show how a client copes when Central or a proxy misbehaves.
package fakecentral

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"embed"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"maps"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tidwall/gjson"
)

// The fixtures: three full images (one of them 2.3 MB) and a ListImages answer.
//
//go:embed testdata/*.json
var fixtures embed.FS

// Fixture returns one of the fixture files by name (e.g. FixtureNodejs).
func Fixture(name string) ([]byte, error) { return fixtures.ReadFile("testdata/" + name) }

// FixtureNodejs is the biggest fixture: a real 2.3 MB storage.Image with its scan.
const FixtureNodejs = "nodejs-centos-6.stackrox-fixture.json"

// Central roles of the fake's tokens.
const (
	RoleNone  = "none"  // authenticated, no Image permission
	RoleRead  = "read"  // Image read
	RoleAdmin = "admin" // Image read and write
)

// TokenExpires is when every token of the fake expires (GET /v1/auth/status says so).
const TokenExpires = "2099-01-01T00:00:00Z"

// roleInfo is what GET /v1/auth/status says about a role: the token's friendly name, the
// role's name and its union of permissions. A role without Image access has no Image key
// (Central lists only the resources a role grants).
var roleInfo = map[string]struct {
	friendlyName, role string
	access             map[string]string
}{
	RoleAdmin: {"image-mcp-ci", "Continuous Integration", map[string]string{"Image": "READ_WRITE_ACCESS", "Deployment": "READ_ACCESS"}},
	RoleRead:  {"image-mcp-analyst", "Analyst", map[string]string{"Image": "READ_ACCESS", "Deployment": "READ_ACCESS"}},
	RoleNone:  {"image-mcp-none", "None", map[string]string{}},
}

// Fault is a way the fake can misbehave, for every request after SetFault.
type Fault string

const (
	FaultNone      Fault = ""          // answer as Central does
	FaultInternal  Fault = "500"       // a gRPC internal error: HTTP 500 in Central's error shape
	FaultGarbage   Fault = "garbage"   // HTTP 200 with a body that is not JSON (a proxy's page)
	FaultTruncated Fault = "truncated" // the real answer, cut off half way (connection or stream reset)
	FaultHang      Fault = "hang"      // no answer until the client gives up
)

// Central is a running fake Central.
type Central struct {
	Addr   string // 127.0.0.1:port
	URL    string // https://127.0.0.1:port
	CAFile string // PEM of the CA that signed its certificate
	// Tokens maps an API token to its role; change it with SetRole once requests run.
	Tokens map[string]string

	dir    string // holds CAFile
	pool   *x509.CertPool
	srv    *httptest.Server
	mu     sync.Mutex
	images []*fakeImage
	reqs   []RecordedRequest
	// hang makes requests to these paths block until the client goes away.
	hang       map[string]bool
	hangStarts chan string
	hangAborts chan string
	fault      Fault
	override   http.HandlerFunc
	done       chan struct{} // closed by Close: ends hanging requests
}

// RecordedRequest is one request as the fake received it.
type RecordedRequest struct {
	Method   string
	Path     string // as sent, still escaped
	RawQuery string
	Header   http.Header
	Body     []byte
}

type fakeImage struct {
	id, name, registry, remote, tag string
	list                            json.RawMessage // storage.ListImage
	full                            json.RawMessage // storage.Image
	cves, severities, components    []string
	fixable                         bool
}

// The fake's tokens, one per role.
const (
	AdminToken = "admin-token-1"   // Image read and write
	ReadToken  = "read-only-token" // Image read
	NoneToken  = "no-image-token"  // authenticated, no Image permission
)

// Options set up a fake.
type Options struct {
	// Bulk adds this many generated images (registry.example.com/bulk/app-N:1.0).
	Bulk int
	// Rename gives fixture images other names (full name → new full name), so a test can
	// have Central know an image it pushed to the test registry.
	Rename map[string]string
}

// Start starts a fake Central over TLS (HTTP/2 and HTTP/1.1) with a fresh CA. Close it.
func Start(o Options) (*Central, error) {
	fc := &Central{
		Tokens:     map[string]string{AdminToken: RoleAdmin, ReadToken: RoleRead, NoneToken: RoleNone},
		hang:       map[string]bool{},
		done:       make(chan struct{}),
		hangStarts: make(chan string, 16),
		hangAborts: make(chan string, 16),
	}
	var err error
	if fc.images, err = loadFakeImages(o.Bulk); err != nil {
		return nil, err
	}
	for _, img := range fc.images {
		if to, ok := o.Rename[img.name]; ok {
			if err := img.rename(to); err != nil {
				return nil, err
			}
		}
	}
	caPEM, cert, err := newTestCA()
	if err != nil {
		return nil, err
	}
	fc.pool = x509.NewCertPool()
	fc.pool.AppendCertsFromPEM(caPEM)
	if fc.dir, err = os.MkdirTemp("", "fakecentral-"); err != nil {
		return nil, err
	}
	fc.CAFile = filepath.Join(fc.dir, "central-ca.pem")
	if err := os.WriteFile(fc.CAFile, caPEM, 0o644); err != nil {
		os.RemoveAll(fc.dir)
		return nil, err
	}
	fc.srv = httptest.NewUnstartedServer(http.HandlerFunc(fc.serve))
	fc.srv.EnableHTTP2 = true
	fc.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are what some tests want
	fc.srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	fc.srv.StartTLS()
	fc.Addr = fc.srv.Listener.Addr().String()
	fc.URL = "https://" + fc.Addr
	return fc, nil
}

// Close stops the fake and removes its CA file.
func (fc *Central) Close() {
	close(fc.done)
	fc.srv.CloseClientConnections()
	fc.srv.Close()
	os.RemoveAll(fc.dir)
}

// Client is an HTTPS client that trusts the fake's CA: a baseline without image-mcp.
func (fc *Central) Client() *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: fc.pool, MinVersion: tls.VersionTLS12}, ForceAttemptHTTP2: true}}
}

// HangStarts reports the path of each request that started hanging (see Hang).
func (fc *Central) HangStarts() <-chan string { return fc.hangStarts }

// HangAborts reports the path of each hanging request (see Hang) its client gave up on.
func (fc *Central) HangAborts() <-chan string { return fc.hangAborts }

// Env is the environment that points image-mcp at this fake with a token.
func (fc *Central) Env(token string) []string {
	return []string{"ROX_ENDPOINT=" + fc.Addr, "ROX_API_TOKEN=" + token, "ROX_CA_CERT_FILE=" + fc.CAFile}
}

// Requests returns the requests received so far.
func (fc *Central) Requests() []RecordedRequest {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	return append([]RecordedRequest(nil), fc.reqs...)
}

// ImageCount is how many images the fake holds now.
func (fc *Central) ImageCount() int {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	return len(fc.images)
}

// ImageIDs are the ids of the images the fake holds now, in the order ListImages lists them.
func (fc *Central) ImageIDs() []string {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	ids := make([]string, len(fc.images))
	for i, img := range fc.images {
		ids[i] = img.id
	}
	return ids
}

// Hang makes requests to path block until the client aborts them; each abort is reported
// on HangAborts.
func (fc *Central) Hang(path string) {
	fc.mu.Lock()
	fc.hang[path] = true
	fc.mu.Unlock()
}

// SetFault makes every following request misbehave so (FaultNone: answer again).
func (fc *Central) SetFault(f Fault) {
	fc.mu.Lock()
	fc.fault = f
	fc.mu.Unlock()
}

// Override makes the test's handler answer every following request instead of the fake
// (after it is recorded): answers no Central gives, such as a hostile one. nil: answer
// as Central again.
func (fc *Central) Override(h http.HandlerFunc) {
	fc.mu.Lock()
	fc.override = h
	fc.mu.Unlock()
}

// SetRole gives a token a role (RoleAdmin, RoleRead, RoleNone); "" removes the token.
func (fc *Central) SetRole(token, role string) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if role == "" {
		delete(fc.Tokens, token)
		return
	}
	fc.Tokens[token] = role
}

// newTestCA makes a self-signed CA and a server certificate for 127.0.0.1 and localhost.
func newTestCA() ([]byte, tls.Certificate, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "StackRox Certificate Authority (test)"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "central.stackrox"},
		DNSNames:     []string{"localhost", "central.stackrox"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// loadFakeImages builds the image set from the fixtures, plus bulk generated images.
func loadFakeImages(bulk int) ([]*fakeImage, error) {
	var images []*fakeImage
	listJSON, err := Fixture("list-images.json")
	if err != nil {
		return nil, err
	}
	listed := map[string]json.RawMessage{}
	gjson.GetBytes(listJSON, "images").ForEach(func(_, v gjson.Result) bool {
		listed[v.Get("id").String()] = json.RawMessage(v.Raw)
		return true
	})
	for _, f := range []string{"image-wordpress-ubuntu-trimmed.gateway.json", "get-image.synthetic.json", FixtureNodejs} {
		full, err := Fixture(f)
		if err != nil {
			return nil, err
		}
		img := imageFromFull(full)
		if l, ok := listed[img.id]; ok {
			img.list = l
			delete(listed, img.id)
		}
		images = append(images, img)
	}
	// Listed without a full fixture: a minimal storage.Image from its list entry.
	for _, l := range listed {
		lr := gjson.ParseBytes(l)
		reg, remote, tag := splitImageName(lr.Get("name").String())
		name := map[string]string{"registry": reg, "remote": remote, "tag": tag, "fullName": lr.Get("name").String()}
		full, _ := json.Marshal(map[string]any{"id": lr.Get("id").String(), "name": name, "names": []any{name},
			"metadata": nil, "scan": nil, "notPullable": false, "isClusterLocal": false, "priority": lr.Get("priority").String(),
			"riskScore": 0, "topCvss": 0, "notes": []string{"MISSING_SCAN_DATA"}, "lastUpdated": lr.Get("lastUpdated").String()})
		img := imageFromFull(full)
		img.list = l
		images = append(images, img)
	}
	for i := range bulk {
		name := fmt.Sprintf("registry.example.com/bulk/app-%05d:1.0", i)
		id := fmt.Sprintf("sha256:%064x", 0xb000000+i)
		reg, remote, tag := splitImageName(name)
		nm := map[string]string{"registry": reg, "remote": remote, "tag": tag, "fullName": name}
		list, _ := json.Marshal(map[string]any{"id": id, "name": name, "components": 12, "cves": 3, "fixableCves": 1,
			"created": "2024-01-02T03:04:05Z", "lastUpdated": "2024-02-03T04:05:06.123456789Z", "priority": strconv.Itoa(100 + i)})
		full, _ := json.Marshal(map[string]any{"id": id, "name": nm, "names": []any{nm}, "metadata": nil, "scan": nil,
			"notPullable": false, "isClusterLocal": false, "priority": strconv.Itoa(100 + i), "riskScore": 1.5, "topCvss": 5.5,
			"notes": []string{}, "lastUpdated": "2024-02-03T04:05:06.123456789Z"})
		img := imageFromFull(full)
		img.list = list
		images = append(images, img)
	}
	return images, nil
}

func imageFromFull(full []byte) *fakeImage {
	r := gjson.ParseBytes(full)
	img := &fakeImage{
		id:       r.Get("id").String(),
		name:     r.Get("name.fullName").String(),
		registry: r.Get("name.registry").String(),
		remote:   r.Get("name.remote").String(),
		tag:      r.Get("name.tag").String(),
		full:     full,
	}
	r.Get("scan.components").ForEach(func(_, c gjson.Result) bool {
		img.components = append(img.components, c.Get("name").String())
		c.Get("vulns").ForEach(func(_, v gjson.Result) bool {
			img.cves = append(img.cves, v.Get("cve").String())
			img.severities = append(img.severities, v.Get("severity").String())
			if v.Get("fixedBy").String() != "" {
				img.fixable = true
			}
			return true
		})
		return true
	})
	// The list entry the gateway would emit for it (components/cves/fixableCves are oneofs).
	list, _ := json.Marshal(map[string]any{"id": img.id, "name": img.name,
		"components": r.Get("components").Int(), "cves": r.Get("cves").Int(), "fixableCves": r.Get("fixableCves").Int(),
		"created": r.Get("metadata.v1.created").String(), "lastUpdated": r.Get("lastUpdated").String(), "priority": r.Get("priority").String()})
	img.list = list
	return img
}

// rename gives the image another full name, in its list entry and its full JSON too.
func (img *fakeImage) rename(name string) error {
	img.name = name
	img.registry, img.remote, img.tag = splitImageName(name)
	nm := map[string]string{"registry": img.registry, "remote": img.remote, "tag": img.tag, "fullName": name}
	patch := func(raw json.RawMessage, set func(map[string]any)) (json.RawMessage, error) {
		d := json.NewDecoder(strings.NewReader(string(raw)))
		d.UseNumber()
		var m map[string]any
		if err := d.Decode(&m); err != nil {
			return nil, fmt.Errorf("rename %s: %w", name, err)
		}
		set(m)
		return json.Marshal(m)
	}
	var err error
	if img.full, err = patch(img.full, func(m map[string]any) { m["name"], m["names"] = nm, []any{nm} }); err != nil {
		return err
	}
	img.list, err = patch(img.list, func(m map[string]any) { m["name"] = name })
	return err
}

func splitImageName(name string) (registry, remote, tag string) {
	rest := name
	if i := strings.Index(rest, "/"); i > 0 && strings.ContainsAny(rest[:i], ".:") {
		registry, rest = rest[:i], rest[i+1:]
	} else {
		registry = "docker.io"
		if !strings.Contains(rest, "/") {
			rest = "library/" + rest
		}
	}
	remote, tag = rest, "latest"
	if i := strings.LastIndex(rest, ":"); i > 0 {
		remote, tag = rest[:i], rest[i+1:]
	}
	return registry, remote, tag
}

// --- HTTP ---

// centralError is the gateway's error body.
type centralError struct {
	status int
	code   int
	msg    string
}

func (fc *Central) writeError(w http.ResponseWriter, e centralError) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.status)
	json.NewEncoder(w).Encode(map[string]any{"code": e.code, "message": e.msg, "details": []any{}, "error": e.msg})
}

func (fc *Central) writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	switch x := v.(type) {
	case json.RawMessage:
		w.Write(x)
	default:
		// The gateway's output may carry extra whitespace: clients must parse, not compare.
		b, _ := json.MarshalIndent(v, "", "  ")
		w.Write(b)
	}
}

var (
	errNotFoundRoute   = centralError{http.StatusNotFound, 5, "Not Found"}
	errMethodNotAllow  = centralError{http.StatusNotImplemented, 12, "Method Not Allowed"}
	errNoCredentials   = centralError{http.StatusUnauthorized, 16, "credentials not found"}
	errBadToken        = centralError{http.StatusUnauthorized, 16, "credentials not found: token-based: cannot extract identity: token validation failed"}
	errNeedRead        = centralError{http.StatusForbidden, 7, `not authorized: "READ_ACCESS" for "Image"`}
	errNeedWrite       = centralError{http.StatusForbidden, 7, `not authorized: "READ_WRITE_ACCESS" for "Image"`}
	errScopingRequired = centralError{http.StatusInternalServerError, 13, "a scoping query is required"}
)

// route is one gateway pattern: its path segments ("{id}" binds one) and methods.
type route struct {
	segs    []string
	methods map[string]func(fc *Central, w http.ResponseWriter, r *http.Request, p params, id string)
	write   map[string]bool // methods that need Image write
	anyRole bool            // any authenticated token, no Image permission needed
}

var routes = []route{
	{segs: []string{"v1", "auth", "status"}, methods: map[string]func(*Central, http.ResponseWriter, *http.Request, params, string){
		http.MethodGet: (*Central).authStatus}, anyRole: true},
	{segs: []string{"v1", "images"}, methods: map[string]func(*Central, http.ResponseWriter, *http.Request, params, string){
		http.MethodGet: (*Central).listImages, http.MethodDelete: (*Central).deleteImages}, write: map[string]bool{http.MethodDelete: true}},
	{segs: []string{"v1", "imagescount"}, methods: map[string]func(*Central, http.ResponseWriter, *http.Request, params, string){
		http.MethodGet: (*Central).countImages}},
	{segs: []string{"v1", "images", "scan"}, methods: map[string]func(*Central, http.ResponseWriter, *http.Request, params, string){
		http.MethodPost: (*Central).scanImage}, write: map[string]bool{http.MethodPost: true}},
	{segs: []string{"v1", "images", "cache", "invalidate"}, methods: map[string]func(*Central, http.ResponseWriter, *http.Request, params, string){
		http.MethodGet: (*Central).invalidate}, write: map[string]bool{http.MethodGet: true}},
	{segs: []string{"v1", "images", "{id}"}, methods: map[string]func(*Central, http.ResponseWriter, *http.Request, params, string){
		http.MethodGet: (*Central).getImage}},
}

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

	if hang || fault == FaultHang {
		select {
		case fc.hangStarts <- r.URL.Path:
		default:
		}
		select {
		case <-r.Context().Done():
			select {
			case fc.hangAborts <- r.URL.Path:
			default:
			}
		case <-fc.done:
		}
		return
	}
	switch fault {
	case FaultInternal:
		fc.writeError(w, centralError{http.StatusInternalServerError, 13, "internal error: the database is unavailable"})
		return
	case FaultGarbage:
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte("\x00\x01<html>502 Bad Gateway</html>\xff{{{"))
		return
	case FaultTruncated:
		// The answer Central would give, its full length announced, half of it sent; then
		// the connection (HTTP/1.1) or the stream (HTTP/2) is reset.
		rec := httptest.NewRecorder()
		fc.answer(rec, r, body)
		full := rec.Body.Bytes()
		maps.Copy(w.Header(), rec.Header())
		w.Header().Set("Content-Length", strconv.Itoa(len(full)))
		w.WriteHeader(rec.Code)
		w.Write(full[:len(full)/2])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	}
	fc.answer(w, r, body)
}

// answer routes, authenticates and authorizes a request and runs its operation.
func (fc *Central) answer(w http.ResponseWriter, r *http.Request, body []byte) {

	// Gateway routing: patterns are matched in order per method; a path that some pattern
	// matches for another method is 501, no match at all is 404.
	segs := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
	var handler func(*Central, http.ResponseWriter, *http.Request, params, string)
	var id string
	pathKnown, write, anyRole := false, false, false
	for _, rt := range routes {
		bound, ok := matchRoute(rt.segs, segs)
		if !ok {
			continue
		}
		pathKnown = true
		if h, ok := rt.methods[r.Method]; ok && handler == nil {
			handler, id, write, anyRole = h, bound, rt.write[r.Method], rt.anyRole
		}
	}
	switch {
	case handler == nil && pathKnown:
		fc.writeError(w, errMethodNotAllow)
		return
	case handler == nil:
		fc.writeError(w, errNotFoundRoute)
		return
	}

	// Authentication, then authorization.
	role, e := fc.authenticate(r)
	if e != nil {
		if e.msg == errNoCredentials.msg {
			w.Header().Set("WWW-Authenticate", `Bearer realm="StackRox"`)
		}
		fc.writeError(w, *e)
		return
	}
	switch {
	case anyRole:
		// The auth status answers every authenticated token, whatever its role.
	case role == RoleNone:
		if write {
			fc.writeError(w, errNeedWrite)
		} else {
			fc.writeError(w, errNeedRead)
		}
		return
	case role == RoleRead && write:
		fc.writeError(w, errNeedWrite)
		return
	}

	p, perr := parseParams(r.URL.RawQuery)
	if perr != nil {
		fc.writeError(w, *perr)
		return
	}
	r.Body = io.NopCloser(strings.NewReader(string(body)))
	handler(fc, w, r, p, id)
}

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

// authenticate takes `Authorization: Bearer <token>`, exactly one header, one Bearer.
func (fc *Central) authenticate(r *http.Request) (string, *centralError) {
	vals := r.Header.Values("Authorization")
	if len(vals) == 0 {
		return "", &errNoCredentials
	}
	if len(vals) > 1 {
		return "", &errBadToken
	}
	tok, ok := strings.CutPrefix(vals[0], "Bearer ")
	if !ok {
		return "", &errNoCredentials
	}
	fc.mu.Lock()
	role, ok := fc.Tokens[tok]
	fc.mu.Unlock()
	if !ok {
		return "", &errBadToken
	}
	return role, nil
}

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

// rawQuery is a parsed v1.RawQuery: the search string and its pagination.
type rawQuery struct {
	query          string
	limit, offset  int64
	sortField      string
	sortReversed   bool
	anyParamForRaw bool
}

func (p params) rawQuery(prefix string) (rawQuery, *centralError) {
	var q rawQuery
	var e *centralError
	if q.query, e = p.str(prefix + "query"); e != nil {
		return q, e
	}
	if q.limit, e = p.int32(prefix + "pagination.limit"); e != nil {
		return q, e
	}
	if q.offset, e = p.int32(prefix + "pagination.offset"); e != nil {
		return q, e
	}
	if q.sortField, e = p.str(prefix + "pagination.sortOption.field"); e != nil {
		return q, e
	}
	if q.sortReversed, e = p.bool(prefix + "pagination.sortOption.reversed"); e != nil {
		return q, e
	}
	for k := range p {
		if prefix != "" && strings.HasPrefix(k, prefix) {
			q.anyParamForRaw = true
		}
	}
	return q, nil
}

// search evaluates the query and applies pagination. maxLimit > 0 caps the page (ListImages:
// limit 0 or >1000 means 1000); 0 means a limit of 0 is no limit (DeleteImages, counts).
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
	if f := strings.ToLower(q.sortField); f == "image" || f == "image name" {
		sort.SliceStable(out, func(i, j int) bool { return out[i].name < out[j].name })
	}
	if q.sortReversed {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	limit := q.limit
	if maxLimit > 0 && (limit <= 0 || limit > maxLimit) {
		limit = maxLimit
	}
	off := min(max(q.offset, 0), int64(len(out)))
	out = out[off:]
	if limit > 0 && int64(len(out)) > limit {
		out = out[:limit]
	}
	return out, nil
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

// --- operations ---

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

// authStatus is AuthService.GetAuthStatus for an API token: who the token is, when it
// expires and its role's permissions (every field present, as the gateway emits them).
func (fc *Central) authStatus(w http.ResponseWriter, r *http.Request, _ params, _ string) {
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	fc.mu.Lock()
	info := roleInfo[fc.Tokens[tok]]
	fc.mu.Unlock()
	id := fmt.Sprintf("%x", sha256.Sum256([]byte(tok)))[:32]
	fc.writeJSON(w, map[string]any{
		"userId":     "auth-token:" + id,
		"expires":    TokenExpires,
		"refreshUrl": "",
		"authProvider": map[string]any{"id": "api-token-provider", "name": "API Token", "type": "api-token",
			"uiEndpoint": "", "enabled": true, "config": map[string]string{}, "loginUrl": "", "validated": true,
			"extraUiEndpoints": []string{}, "active": true, "requiredAttributes": []any{}, "traits": nil, "claimMappings": map[string]string{}, "lastUpdated": nil},
		"userInfo": map[string]any{"username": "", "friendlyName": info.friendlyName,
			"permissions": map[string]any{"resourceToAccess": info.access},
			"roles":       []any{map[string]any{"name": info.role, "resourceToAccess": info.access}}},
		"userAttributes": []any{},
		"idpToken":       "",
	})
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
