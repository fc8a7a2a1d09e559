package e2e

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/image-mcp/image-mcp/internal/fakecentral"
)

// TestFakeCentralContract checks the fake against the contract of docs/stackrox.md directly over HTTPS, so the
// end-to-end tests can trust that it rejects what a real Central rejects.
func TestFakeCentralContract(t *testing.T) {
	fc := StartFakeCentral(t, FakeCentralOptions{Bulk: 1500})
	pem, _ := os.ReadFile(fc.CAFile)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	for _, c := range contractCases {
		t.Run(c.name, func(t *testing.T) { checkContractCase(t, fc, hc, c) })
	}
	// The faults a test can switch on, then off again.
	t.Run("faults", func(t *testing.T) { checkContractFaults(t, fc, hc) })
	t.Run("limit 0 or over 1000 means 1000", func(t *testing.T) { checkContractLimit(t, fc, hc) })
}

// contractCase is one request to the fake and what Central answers to it.
type contractCase struct {
	name, method, target string
	auth                 []string // Authorization header values
	body                 string
	status, code         int
	want                 string // in the message, or in the 200 body
}

// adminBearer is the Authorization header of the admin token.
var adminBearer = []string{"Bearer " + adminToken}

// contractCases: the gateway's routing, auth, query rules and errors, and each operation.
var contractCases = []contractCase{
	{"unknown path", "GET", "/v1/nothing", adminBearer, "", 404, 5, "Not Found"},
	{"unknown path needs no auth", "GET", "/v1/images/cache/other", nil, "", 404, 5, "Not Found"},
	{"wrong method", "PUT", "/v1/images", adminBearer, "", 501, 12, "Method Not Allowed"},
	{"wrong method on scan", "DELETE", "/v1/images/scan", adminBearer, "", 501, 12, "Method Not Allowed"},
	{"GET scan is GetImage", "GET", "/v1/images/scan", adminBearer, "", 404, 5, `image with id "sha256:scan" does not exist: not found`},
	{"POST on invalidate", "POST", "/v1/images/cache/invalidate", adminBearer, "", 501, 12, "Method Not Allowed"},
	{"no token", "GET", "/v1/imagescount", nil, "", 401, 16, "credentials not found"},
	{"not a Bearer", "GET", "/v1/imagescount", []string{adminToken}, "", 401, 16, "credentials not found"},
	{"bad token", "GET", "/v1/imagescount", []string{"Bearer nope"}, "", 401, 16, "token validation failed"},
	{"Bearer twice", "GET", "/v1/imagescount", []string{"Bearer Bearer " + adminToken}, "", 401, 16, "token validation failed"},
	{"two headers", "GET", "/v1/imagescount", []string{"Bearer " + adminToken, "Bearer " + adminToken}, "", 401, 16, "token validation failed"},
	{"no Image role", "GET", "/v1/imagescount", []string{"Bearer " + noneToken}, "", 403, 7, `not authorized: "READ_ACCESS" for "Image"`},
	{"read role cannot invalidate", "GET", "/v1/images/cache/invalidate", []string{"Bearer " + readToken}, "", 403, 7, `"READ_WRITE_ACCESS"`},
	{"read role cannot delete", "DELETE", "/v1/images?query.query=x", []string{"Bearer " + readToken}, "", 403, 7, `"READ_WRITE_ACCESS"`},
	{"read role reads", "GET", "/v1/imagescount", []string{"Bearer " + readToken}, "", 200, 0, `"count"`},
	{"bad integer", "GET", "/v1/images?pagination.limit=abc", adminBearer, "", 400, 3, `parsing field "limit": strconv.ParseInt: parsing "abc": invalid syntax`},
	{"singular twice", "GET", "/v1/images?query=a&query=b", adminBearer, "", 400, 3, "too many values"},
	{"snake and camel are one field", "GET", "/v1/images?pagination.sort_option.field=Image&pagination.sortOption.field=Image", adminBearer, "", 400, 3, "too many values"},
	{"bad boolean", "DELETE", "/v1/images?query.query=x&confirm=yes", adminBearer, "", 400, 3, `parsing field "confirm"`},
	{"unknown params ignored", "GET", "/v1/imagescount?whatever=1", adminBearer, "", 200, 0, `"count": 1504`},
	{"plus decodes to space", "GET", "/v1/imagescount?query=Image:docker.io/library/nginx+Image%20Tag:1.25", adminBearer, "", 200, 0, `"count": 0`},
	{"%2B is AND", "GET", "/v1/imagescount?query=Image:docker.io/library/nginx%2BImage%20Tag:1.25", adminBearer, "", 200, 0, `"count": 1`},
	{"unknown label dropped", "GET", "/v1/imagescount?query=Imag:nginx", adminBearer, "", 200, 0, `"count": 1504`},
	{"missing image", "GET", "/v1/images/abc", adminBearer, "", 404, 5, `image with id "sha256:abc" does not exist: not found`},
	{"get by digest without sha256:", "GET", "/v1/images/" + strings.TrimPrefix(nginx121ID, "sha256:"), adminBearer, "", 200, 0, nginx121ID},
	{"scan without name", "POST", "/v1/images/scan", adminBearer, `{"imageName":"","unknownField":1}`, 400, 3, "image name must be specified: invalid arguments"},
	{"scan snake_case body", "POST", "/v1/images/scan", adminBearer, `{"image_name":"docker.io/library/nginx:1.21.6"}`, 200, 0, nginx121ID},
	{"scan fails", "POST", "/v1/images/scan", adminBearer, `{"imageName":"nginx:bad"}`, 500, 13, "scan could not be completed for image nginx:bad"},
	{"delete without scope", "DELETE", "/v1/images?confirm=false", adminBearer, "", 500, 13, "a scoping query is required"},
	{"delete dry run counts", "DELETE", "/v1/images?query.query=Image:docker.io", adminBearer, "", 200, 0, `"numDeleted": 2`},
	{"delete with t is confirm but matches none", "DELETE", "/v1/images?query.query=Image:none.example&confirm=t", adminBearer, "", 200, 0, `"dryRun": false`},
	{"delete empty query matches all", "DELETE", "/v1/images?query.query=", adminBearer, "", 200, 0, `"numDeleted": 1504`},
	{"invalidate", "GET", "/v1/images/cache/invalidate", adminBearer, "", 200, 0, `{}`},
	{"auth status needs a token", "GET", "/v1/auth/status", nil, "", 401, 16, "credentials not found"},
	{"auth status is GET only", "POST", "/v1/auth/status", adminBearer, "", 501, 12, "Method Not Allowed"},
	{"auth status lists the role's access", "GET", "/v1/auth/status", adminBearer, "", 200, 0, `"Image": "READ_WRITE_ACCESS"`},
	{"auth status answers a role without Image", "GET", "/v1/auth/status", []string{"Bearer " + noneToken}, "", 200, 0, `"friendlyName": "image-mcp-none"`},
}

// checkContractCase sends c's request and checks the status and the body or error body.
func checkContractCase(t *testing.T, fc *FakeCentral, hc *http.Client, c contractCase) {
	req, _ := http.NewRequest(c.method, "https://"+fc.Addr+c.target, strings.NewReader(c.body))
	for _, a := range c.auth {
		req.Header.Add("Authorization", a)
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != c.status {
		t.Fatalf("HTTP %d, want %d: %s", resp.StatusCode, c.status, body)
	}
	if c.status == 200 {
		if !strings.Contains(string(body), c.want) {
			t.Fatalf("body does not hold %q: %.300s", c.want, body)
		}
		return
	}
	var e struct {
		Code    int
		Message string
		Details []any
		Error   string
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Code != c.code || !strings.Contains(e.Message, c.want) || e.Error != e.Message || e.Details == nil {
		t.Fatalf("error body %s (%v), want code %d and %q", body, err, c.code, c.want)
	}
	if c.status == 401 && c.want == "credentials not found" && resp.Header.Get("WWW-Authenticate") == "" {
		t.Fatal("401 without WWW-Authenticate")
	}
}

// checkContractFaults: each fault answers as it says, and FaultNone answers as Central again.
func checkContractFaults(t *testing.T, fc *FakeCentral, hc *http.Client) {
	get := func() (*http.Response, []byte, error) {
		req, _ := http.NewRequest("GET", "https://"+fc.Addr+"/v1/images?pagination.limit=50", nil)
		req.Header.Set("Authorization", adminBearer[0])
		resp, err := hc.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return resp, body, err
	}
	for _, c := range []struct {
		fault fakecentral.Fault
		check func(*http.Response, []byte, error) bool
	}{
		{fakecentral.FaultInternal, func(r *http.Response, b []byte, err error) bool {
			return err == nil && r.StatusCode == 500 && strings.Contains(string(b), `"code":13`)
		}},
		{fakecentral.FaultGarbage, func(r *http.Response, b []byte, err error) bool {
			return err == nil && r.StatusCode == 200 && !json.Valid(b)
		}},
		{fakecentral.FaultTruncated, func(r *http.Response, b []byte, err error) bool {
			return err != nil && r != nil && r.StatusCode == 200 && len(b) > 0 && int64(len(b)) < r.ContentLength
		}},
		{fakecentral.FaultNone, func(r *http.Response, b []byte, err error) bool {
			return err == nil && r.StatusCode == 200 && json.Valid(b)
		}},
	} {
		fc.SetFault(c.fault)
		r, b, err := get()
		if r == nil && err != nil {
			// No answer at all (a truncated one still has its response and status).
			t.Fatalf("fault %q: %v", c.fault, err)
		}
		if !c.check(r, b, err) {
			t.Fatalf("fault %q: HTTP %d, %d bytes of %d, err %v: %.200q", c.fault, r.StatusCode, len(b), r.ContentLength, err, b)
		}
	}
}

// checkContractLimit: ListImages without a limit, or with 0 or more than 1000, lists 1000.
func checkContractLimit(t *testing.T, fc *FakeCentral, hc *http.Client) {
	for _, q := range []string{"", "?pagination.limit=0", "?pagination.limit=5000"} {
		req, _ := http.NewRequest("GET", "https://"+fc.Addr+"/v1/images"+q, nil)
		req.Header.Set("Authorization", adminBearer[0])
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var got listAnswer
		json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		if len(got.Images) != 1000 {
			t.Fatalf("%q: %d images, want 1000", q, len(got.Images))
		}
	}
}
