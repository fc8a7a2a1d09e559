package doctor

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/image-mcp/image-mcp/central"
	"github.com/image-mcp/image-mcp/upstream"
)

const tokenFix = "create an API token in Central (Platform Configuration → Integrations → StackRox API Token) with a role that has Image read " +
	"(and Image write to scan or delete), and set ROX_API_TOKEN (or ROX_API_TOKEN_FILE)"

// checkCentral connects to Central as the StackRox tools would and finds what the
// token's role may do: 1. connect (TLS) and have the token accepted, 2. read images,
// 3. write them (from the role, without trying).
func checkCentral(ctx context.Context, cfg Config, r *report) {
	r.section("StackRox Central")
	client, c, ok := centralClient(cfg, r)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	imageAccess, ok := checkToken(ctx, client, c, r)
	if ok && checkImageRead(ctx, client, r) {
		checkImageWrite(imageAccess, r)
	}
}

// centralClient is the StackRox tools' client, with the endpoint it goes to: false when
// there is none (not configured, or a bad setting).
func centralClient(cfg Config, r *report) (upstream.Client, central.Config, bool) {
	c := cfg.Central
	if cfg.CentralErr != nil {
		r.fail(cfg.CentralErr.Error(), "correct the setting; the StackRox tools answer with this error until then")
		return nil, c, false
	}
	// The server's rule: a token without an endpoint means roxctl's default endpoint.
	client, err := central.NewClient(c)
	switch {
	case errors.Is(err, central.ErrNotConfigured):
		r.info("not configured: the StackRox tools are off (set ROX_ENDPOINT and ROX_API_TOKEN to use them)")
		return nil, c, false
	case err != nil:
		r.fail(err.Error(), "")
		return nil, c, false
	}
	c.Endpoint = cmp.Or(c.Endpoint, central.DefaultEndpoint)
	r.ok("endpoint %s", c.Endpoint)
	if c.Insecure {
		r.warn("TLS certificate verification is off (ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY)", "give Central's CA with ROX_CA_CERT_FILE and turn verification back on")
	}
	return client, c, true
}

// checkToken connects (TLS) and asks whose the token is: the role's access to images
// when Central lists it; false when the connection or the token fails.
func checkToken(ctx context.Context, client upstream.Client, c central.Config, r *report) (imageAccess string, ok bool) {
	status, body, err := get(ctx, client, "/v1/auth/status")
	if err != nil {
		failConnection(r, c, err)
		return "", false
	}
	r.ok("connected over TLS%s", map[bool]string{true: " (not verified)", false: ", certificate verified"}[c.Insecure])
	switch status {
	case http.StatusOK:
		j := gjson.ParseBytes(body)
		who := cmp.Or(j.Get("userInfo.friendlyName").String(), j.Get("userInfo.username").String(), j.Get("userId").String(), "unknown identity")
		exp := j.Get("expires").String()
		if exp != "" {
			if t, err := time.Parse(time.RFC3339, exp); err == nil && time.Until(t) < 7*24*time.Hour {
				r.warn(fmt.Sprintf("the API token expires soon (%s)", exp), tokenFix)
			}
			exp = ", expires " + exp
		}
		r.ok("token accepted (%s%s)", who, exp)
		return j.Get("userInfo.permissions.resourceToAccess.Image").String(), true
	case http.StatusUnauthorized:
		r.fail("Central rejected the API token: "+centralMessage(status, body), tokenFix)
		return "", false
	}
	return "", true
}

// checkImageRead tries Image read by a read call the tools make themselves.
func checkImageRead(ctx context.Context, client upstream.Client, r *report) bool {
	status, body, err := get(ctx, client, "/v1/imagescount")
	switch {
	case err != nil:
		r.fail("GET /v1/imagescount: "+err.Error(), "")
	case status == http.StatusOK:
		r.ok("Image read permission: yes (GET /v1/imagescount answered %d image(s))", gjson.GetBytes(body, "count").Int())
		return true
	case status == http.StatusUnauthorized:
		r.fail("Central rejected the API token: "+centralMessage(status, body), tokenFix)
	case status == http.StatusForbidden:
		r.fail("the token's role may not read images: "+centralMessage(status, body), "give the token a role with Image read access (e.g. Analyst, or Continuous Integration), or "+tokenFix)
	default:
		r.fail("GET /v1/imagescount: "+centralMessage(status, body), "check that ROX_ENDPOINT is Central's API endpoint (host:port, no path)")
	}
	return false
}

// checkImageWrite reports Image write (scan, delete, invalidate caches), which cannot be
// tried without changing state: the auth status lists the role's permissions when
// Central sends them.
func checkImageWrite(imageAccess string, r *report) {
	switch imageAccess {
	case "READ_WRITE_ACCESS":
		r.ok("Image write permission: yes (from the token's role: the scan and delete tools will work)")
	case "READ_ACCESS", "NO_ACCESS":
		r.warn("Image write permission: no (the token's role has "+imageAccess+" to Image): the scan, delete and cache-invalidation tools will answer 403",
			"use a token whose role has Image write (e.g. Continuous Integration) if you need those tools")
	default:
		r.info("Image write permission: not checked (Central did not list the role's permissions, and trying a write would change state); scan and delete tools will say so if it is missing")
	}
}

func get(ctx context.Context, c upstream.Client, path string) (int, []byte, error) {
	resp, err := c.Do(ctx, &upstream.Request{Method: http.MethodGet, Path: path})
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, body, err
}

func failConnection(r *report, c central.Config, err error) {
	var unknown x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	msg := err.Error()
	switch {
	case errors.As(err, &unknown):
		r.fail("TLS: Central's certificate is not trusted ("+msg+")",
			"give the CA that signed Central's certificate with ROX_CA_CERT_FILE=/path/ca.pem (or --rox-ca-cert-file); for a throwaway test setup only, ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY=true")
	case errors.As(err, &hostErr):
		r.fail("TLS: Central's certificate is not for this name ("+msg+")",
			"use the name the certificate is for in ROX_ENDPOINT, or set ROX_SERVER_NAME to it")
	case isTLSErr(err):
		r.fail("TLS: "+msg, "check Central's certificate (expiry, CA) and ROX_CA_CERT_FILE")
	case isNetErr(err):
		r.fail("cannot reach Central at "+c.Endpoint+": "+msg, "check ROX_ENDPOINT (host:port of Central's API, e.g. central.example.com:443) and that this machine can reach it")
	default:
		r.fail("Central at "+c.Endpoint+": "+msg, "check ROX_ENDPOINT")
	}
}

// isTLSErr: the handshake failed — a certificate the client refused, a reply that is not
// TLS, or an alert either side sent (crypto/tls reports alerts as a *net.OpError whose
// Op is "remote error" or "local error").
func isTLSErr(err error) bool {
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	var record tls.RecordHeaderError
	var alert tls.AlertError
	var op *net.OpError
	return errors.As(err, &invalid) || errors.As(err, &verify) || errors.As(err, &record) || errors.As(err, &alert) ||
		errors.As(err, &op) && (op.Op == "remote error" || op.Op == "local error")
}

func isNetErr(err error) bool {
	var ne net.Error
	var oe *net.OpError
	var de *net.DNSError
	return errors.As(err, &oe) || errors.As(err, &de) || errors.As(err, &ne)
}

func centralMessage(status int, body []byte) string {
	msg := gjson.GetBytes(body, "message").String()
	if msg == "" {
		msg = strings.TrimSpace(string(body))
		if len(msg) > 200 {
			msg = msg[:200] + "…"
		}
	}
	return fmt.Sprintf("%s (HTTP %d)", msg, status)
}
