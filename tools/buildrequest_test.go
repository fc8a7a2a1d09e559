package tools

import (
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/image-mcp/image-mcp/internal/upstreamhttp"
	"github.com/image-mcp/image-mcp/upstream"
)

func TestEscapeSegment(t *testing.T) {
	for in, want := range map[string]string{
		"localhost/x:1":           "localhost%2Fx:1",
		"a/b@sha256:0123abcd":     "a%2Fb@sha256:0123abcd",
		"../../containers/json":   "..%2F..%2Fcontainers%2Fjson",
		"x?all=true":              "x%3Fall=true",
		"x#frag":                  "x%23frag",
		"a%2Fb":                   "a%252Fb",
		"%":                       "%25",
		".":                       "%2E",
		"..":                      "%2E%2E",
		"...":                     "...",
		"a b":                     "a%20b",
		"sha256:0123":             "sha256:0123",
		"127.0.0.1:5000/test/x:1": "127.0.0.1:5000%2Ftest%2Fx:1",
	} {
		got := escapeSegment(in)
		if got != want {
			t.Errorf("escapeSegment(%q) = %q, want %q", in, got, want)
		}
		// Exactly one segment, and it decodes back to the name.
		if strings.ContainsAny(got, "/?#") {
			t.Errorf("escapeSegment(%q) = %q leaves a separator", in, got)
		}
		if dec, err := url.PathUnescape(got); err != nil || dec != in {
			t.Errorf("escapeSegment(%q) = %q decodes to %q, %v", in, got, dec, err)
		}
	}
}

// build checks raw JSON arguments the way the engine does, then builds the request.
func build(t *testing.T, tool, args string) (*upstream.Request, error) {
	t.Helper()
	tl := specTool(t, tool)
	v, err := CheckArguments(tl, json.RawMessage(args))
	if err != nil {
		t.Fatalf("%s %s: check: %v", tool, args, err)
	}
	return buildRequest(tl, v, nil)
}

// requestCase is a call's arguments and the request they make.
type requestCase struct {
	name, tool, args string
	method, path     string
	query            string // as sent (upstreamhttp.EncodeQuery)
	header           map[string]string
}

var requestCases = []requestCase{
	{name: "path with / and :", tool: "inspect-image", args: `{"name":"localhost/x:1"}`,
		method: "GET", path: "/libpod/images/localhost%2Fx:1/json"},
	{name: "path with a digest", tool: "inspect-image", args: `{"name":"a/b@sha256:9b2a28eb47540823042a2ba401386845089bb7b62a9637d55816132c4c3c36eb"}`,
		method: "GET", path: "/libpod/images/a%2Fb@sha256:9b2a28eb47540823042a2ba401386845089bb7b62a9637d55816132c4c3c36eb/json"},
	{name: "path climbing to another endpoint", tool: "inspect-image", args: `{"name":"../../containers/json"}`,
		method: "GET", path: "/libpod/images/..%2F..%2Fcontainers%2Fjson/json"},
	{name: "path smuggling a query", tool: "image-exists", args: `{"name":"x?all=true"}`,
		method: "GET", path: "/libpod/images/x%3Fall=true/exists"},
	{name: "path dot", tool: "remove-image-local-storage", args: `{"name":"."}`,
		method: "DELETE", path: "/libpod/images/%2E"},
	{name: "path dot dot", tool: "inspect-image", args: `{"name":".."}`,
		method: "GET", path: "/libpod/images/%2E%2E/json"},
	{name: "path percent", tool: "inspect-image", args: `{"name":"a%2Fb"}`,
		method: "GET", path: "/libpod/images/a%252Fb/json"},
	{name: "path and query", tool: "remove-image-local-storage", args: `{"name":"localhost/x:1","force":true}`,
		method: "DELETE", path: "/libpod/images/localhost%2Fx:1", query: "force=true"},
	{name: "dotted query keys", tool: "listimages-returns-all-images", args: `{"query":"Image:nginx","pagination.limit":5,"pagination.sort_option.reversed":false}`,
		method: "GET", path: "/v1/images", query: "pagination.limit=5&pagination.sort_option.reversed=false&query=Image%3Anginx"},
	{name: "plus in a query value", tool: "listimages-returns-all-images-2", args: `{"query":"Image:nginx+Fixable:true"}`,
		method: "GET", path: "/v1/imagescount", query: "query=Image%3Anginx%2BFixable%3Atrue"},
	{name: "integer given as 2.0", tool: "listimages-returns-all-images", args: `{"pagination.offset":2.0}`,
		method: "GET", path: "/v1/images", query: "pagination.offset=2"},
	{name: "arrays repeat the key", tool: "remove-one-more-images-storage", args: `{"images":["localhost/a:1","b"],"force":false}`,
		method: "DELETE", path: "/libpod/images/remove", query: "force=false&images=localhost%2Fa%3A1&images=b"},
	{name: "empty array sends nothing", tool: "remove-one-more-images-storage", args: `{"images":[],"all":true}`,
		method: "DELETE", path: "/libpod/images/remove", query: "all=true"},
	{name: "booleans and numbers", tool: "search-images", args: `{"term":"r/x","limit":3,"tlsVerify":false,"listTags":true}`,
		method: "GET", path: "/libpod/images/search", query: "limit=3&listTags=true&term=r%2Fx&tlsVerify=false"},
	{name: "JSON string query value as is", tool: "list-images", args: `{"filters":"{\"reference\":[\"localhost/x\"]}"}`,
		method: "GET", path: "/libpod/images/json", query: "filters=%7B%22reference%22%3A%5B%22localhost%2Fx%22%5D%7D"},
	{name: "local fields argument not sent", tool: "list-images", args: `{"all":true,"fields":["Id"]}`,
		method: "GET", path: "/libpod/images/json", query: "all=true"},
	{name: "header", tool: "pull-images", args: `{"reference":"127.0.0.1:5000/x:1","X-Registry-Auth":"eyJ1c2VybmFtZSI6ImEifQ==","tlsVerify":false}`,
		method: "POST", path: "/libpod/images/pull", query: "reference=127.0.0.1%3A5000%2Fx%3A1&tlsVerify=false",
		header: map[string]string{"X-Registry-Auth": "eyJ1c2VybmFtZSI6ImEifQ=="}},
	{name: "tag", tool: "tag-image", args: `{"name":"localhost/x:1","repo":"localhost/y","tag":"2"}`,
		method: "POST", path: "/libpod/images/localhost%2Fx:1/tag", query: "repo=localhost%2Fy&tag=2"},
	{name: "no arguments", tool: "invalidatescanandregistrycaches-removes-image-metadata-cache", args: `{}`,
		method: "GET", path: "/v1/images/cache/invalidate"},
	{name: "dotted names of delete", tool: "deleteimage-removes-images-based-query", args: `{"query.query":"Image:a b","confirm":true}`,
		method: "DELETE", path: "/v1/images", query: "confirm=true&query.query=Image%3Aa%20b"},
	// Role narrow only names an argument in a cut answer's notice: it is still sent.
	{name: "narrowing arguments are sent", tool: "listimages-returns-all-images-2", args: `{"query":"Image:x","pagination.limit":7}`,
		method: "GET", path: "/v1/imagescount", query: "pagination.limit=7&query=Image%3Ax"},
	{name: "narrowing filters are sent", tool: "prune-unused-images", args: `{"filters":"{\"until\":[\"24h\"]}"}`,
		method: "POST", path: "/libpod/images/prune", query: "filters=%7B%22until%22%3A%5B%2224h%22%5D%7D"},
}

func TestBuildRequest(t *testing.T) {
	for _, tc := range requestCases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := build(t, tc.tool, tc.args)
			if err != nil {
				t.Fatal(err)
			}
			if req.Method != tc.method || req.Path != tc.path {
				t.Errorf("%s %s, want %s %s", req.Method, req.Path, tc.method, tc.path)
			}
			if q := upstreamhttp.EncodeQuery(req.Query); q != tc.query {
				t.Errorf("query %q, want %q", q, tc.query)
			}
			for k, v := range tc.header {
				if got := req.Header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			if len(tc.header) == 0 && len(req.Header) != 0 {
				t.Errorf("unexpected headers %v", req.Header)
			}
			if req.Body != nil {
				t.Errorf("unexpected body")
			}
			if req.Stream != (tc.tool == "pull-images") {
				t.Errorf("stream %v", req.Stream)
			}
		})
	}
}

func TestBuildRequestJSONBody(t *testing.T) {
	req, err := build(t, "scanimage-scans-single-image-and", `{"body":{"imageName":"quay.io/x/y:1","force":true}}`)
	if err != nil {
		t.Fatal(err)
	}
	if req.Method != "POST" || req.Path != "/v1/images/scan" || len(req.Query) != 0 {
		t.Errorf("%s %s ?%v", req.Method, req.Path, req.Query)
	}
	if ct := req.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	b, _ := io.ReadAll(req.Body)
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil || !reflect.DeepEqual(got, map[string]any{"imageName": "quay.io/x/y:1", "force": true}) {
		t.Errorf("body %s (%v)", b, err)
	}
	if req.ContentLength != int64(len(b)) {
		t.Errorf("ContentLength %d, body %d bytes", req.ContentLength, len(b))
	}
}

func TestBuildRequestInputFile(t *testing.T) {
	dir := t.TempDir()
	tarPath := filepath.Join(dir, "image.tar")
	if err := os.WriteFile(tarPath, []byte("not really a tar, 31 bytes long"), 0o600); err != nil {
		t.Fatal(err)
	}
	req, err := build(t, "load-image", `{"upload":"`+tarPath+`"}`)
	if err != nil {
		t.Fatal(err)
	}
	defer closeBody(req)
	if req.Method != "POST" || req.Path != "/libpod/images/load" || len(req.Query) != 0 {
		t.Errorf("%s %s ?%v: the path is not sent upstream", req.Method, req.Path, req.Query)
	}
	if ct := req.Header.Get("Content-Type"); ct != "application/x-tar" {
		t.Errorf("Content-Type %q", ct)
	}
	b, _ := io.ReadAll(req.Body)
	if string(b) != "not really a tar, 31 bytes long" || req.ContentLength != 31 {
		t.Errorf("body %q, ContentLength %d", b, req.ContentLength)
	}

	// A Content-Type argument wins over the default.
	req, err = build(t, "import-image", `{"upload":"`+tarPath+`","Content-Type":"application/x-gzip","reference":"localhost/i:1"}`)
	if err != nil {
		t.Fatal(err)
	}
	closeBody(req)
	if ct := req.Header.Get("Content-Type"); ct != "application/x-gzip" {
		t.Errorf("Content-Type %q", ct)
	}
	if q := upstreamhttp.EncodeQuery(req.Query); q != "reference=localhost%2Fi%3A1" {
		t.Errorf("query %q", q)
	}

	for _, tc := range []struct{ args, want string }{
		{`{"upload":"` + filepath.Join(dir, "missing.tar") + `"}`, "cannot read"},
		{`{"upload":"` + dir + `"}`, "is a directory"},
	} {
		_, err := build(t, "load-image", tc.args)
		var ae *argumentError
		if !errors.As(err, &ae) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `"upload"`) {
			t.Errorf("%s: %v, want an argument error with %q", tc.args, err, tc.want)
		}
	}
}

func TestBuildRequestEmptyPathSegment(t *testing.T) {
	_, err := build(t, "inspect-image", `{"name":""}`)
	if err == nil || !strings.Contains(err.Error(), `"name" must not be empty`) {
		t.Errorf("empty name: %v", err)
	}
}

func TestEncodeQueryOnRequest(t *testing.T) {
	req, err := build(t, "search-images", `{"term":"a+b c"}`)
	if err != nil {
		t.Fatal(err)
	}
	if q := upstreamhttp.EncodeQuery(req.Query); q != "term=a%2Bb%20c" {
		t.Errorf("query %q", q)
	}
}

// An empty input file is sent as no body; the file opened to check it must not stay open.
func TestBuildRequestEmptyInputFileIsClosed(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty.tar")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	openFDs := func() int {
		ents, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Fatal(err)
		}
		return len(ents)
	}
	before := openFDs()
	for range 20 {
		req, err := build(t, "load-image", `{"upload":"`+empty+`"}`)
		if err != nil {
			t.Fatal(err)
		}
		if req.Body != nil {
			t.Fatalf("an empty file gave a body")
		}
		closeBody(req)
	}
	if after := openFDs(); after >= before+20 {
		t.Errorf("open file descriptors %d → %d after 20 requests with an empty file: each leaks one", before, after)
	}
}
