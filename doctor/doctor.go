// Package doctor checks image-mcp's upstreams the way the server will use them and prints
// a report with a fix for each problem: `image-mcp doctor`.
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
	"slices"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/central"
	"github.com/image-mcp/image-mcp/internal/version"
	"github.com/image-mcp/image-mcp/podman"
	"github.com/image-mcp/image-mcp/upstream"
)

// Config is what to check: the same settings the server reads.
type Config struct {
	Podman    podman.Env
	Autostart bool
	Central   central.Config
	// CentralErr is a Central setting that could not be read (e.g. a bad boolean).
	CentralErr error
	// Tools, when given, let the report name the tools the connected Podman is too old for.
	Tools []*capabilities.Tool
	// AllowedDirs says which directories path arguments must be inside; AllowedDirsErr is
	// a bad --allowed-dirs.
	AllowedDirs    string
	AllowedDirsErr error
	// Timeout bounds each check (default 30s).
	Timeout time.Duration
}

// report collects the lines of the report and counts problems.
type report struct {
	w        io.Writer
	problems int
	warnings int
}

func (r *report) section(name string) { fmt.Fprintf(r.w, "\n%s\n", name) }

func (r *report) ok(format string, args ...any) {
	fmt.Fprintf(r.w, "  [ok]   %s\n", fmt.Sprintf(format, args...))
}

func (r *report) info(format string, args ...any) {
	fmt.Fprintf(r.w, "  [--]   %s\n", fmt.Sprintf(format, args...))
}

func (r *report) warn(msg, fix string) {
	r.warnings++
	fmt.Fprintf(r.w, "  [warn] %s\n", msg)
	if fix != "" {
		fmt.Fprintf(r.w, "         fix: %s\n", fix)
	}
}

func (r *report) fail(msg, fix string) {
	r.problems++
	fmt.Fprintf(r.w, "  [FAIL] %s\n", msg)
	if fix != "" {
		fmt.Fprintf(r.w, "         fix: %s\n", fix)
	}
}

// Run checks everything and writes the report to w. It returns the process exit code:
// 0 when nothing is wrong (warnings allowed), 1 otherwise.
func Run(ctx context.Context, cfg Config, w io.Writer) int {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	r := &report{w: w}
	fmt.Fprintln(w, "image-mcp doctor")
	checkPodman(ctx, cfg, r)
	checkCentral(ctx, cfg, r)
	checkFiles(cfg, r)
	fmt.Fprintln(w)
	switch {
	case r.problems > 0:
		fmt.Fprintf(w, "%d problem(s), %d warning(s): fix the [FAIL] lines above, then run `image-mcp doctor` again.\n", r.problems, r.warnings)
		return 1
	case r.warnings > 0:
		fmt.Fprintf(w, "No problems; %d warning(s).\n", r.warnings)
	default:
		fmt.Fprintln(w, "No problems.")
	}
	return 0
}

const startPodmanFix = "start Podman's API socket: `systemctl --user enable --now podman.socket` (rootless) or `sudo systemctl enable --now podman.socket` (rootful); " +
	"or point image-mcp at a running service with --podman-url / CONTAINER_HOST (unix://, tcp:// or ssh://)"

func checkPodman(ctx context.Context, cfg Config, r *report) {
	r.section("Podman")
	ep := podman.Discover(cfg.Podman)
	r.info("looked at, in order: %s", strings.Join(ep.Tried, ", "))
	for _, w := range ep.Warnings {
		r.warn(w, "")
	}
	if ep.Err != nil {
		r.fail(ep.Err.Error(), "")
		return
	}
	var client *podman.Client
	if ep.URL == "" {
		if !cfg.Autostart {
			r.fail("no Podman service found, and autostart is off (--no-autostart / IMAGE_MCP_NO_AUTOSTART)", startPodmanFix+"; or allow image-mcp to start one itself (drop --no-autostart)")
			return
		}
		a, err := podman.PrepareAutostart(cfg.Podman)
		if err != nil {
			r.fail("no Podman service found: "+err.Error(), startPodmanFix)
			return
		}
		defer a.Stop()
		ep = a.Endpoint(ep)
		client = podman.NewClient(ep)
		a.Attach(client)
		r.info("no socket answers: the server would start `podman system service` itself; trying that now")
	} else {
		r.ok("found %s (from %s)", ep.URL, ep.Source)
		client = podman.NewClient(ep)
	}

	cctx, cancel := context.WithTimeout(ctx, cfg.Timeout+60*time.Second)
	defer cancel()
	v, err := client.Version(cctx)
	if err != nil {
		var uv *podman.UnsupportedVersionError
		if errors.As(err, &uv) {
			r.fail(err.Error(), fmt.Sprintf("upgrade Podman to %s or newer", podman.MinVersion))
			return
		}
		if ep.URL != "" && strings.HasPrefix(ep.Source, "autostart") {
			r.fail("image-mcp could not start a Podman service: "+err.Error(), startPodmanFix)
			return
		}
		r.fail(err.Error(), "")
		return
	}
	r.ok("reachable: libpod API %s (image-mcp needs ≥ %s)", v, podman.MinVersion)
	if strings.HasPrefix(ep.Source, "autostart") {
		r.warn("the Podman service runs only while image-mcp runs (it starts one on first use, ~1-2 s)", "to skip that, "+startPodmanFix)
	}
	if info := podmanInfo(cctx, client); info != "" {
		r.info("%s", info)
	}
	tested := "Podman " + strings.Join(podman.TestedSeries, ".x and ") + ".x"
	if podman.Tested(v) {
		r.info("CI tests image-mcp against %s; this one is %s", tested, v)
	} else {
		r.info("CI tests image-mcp against %s; %s is not one of those releases (expected to work; please report what does not)", tested, v)
	}
	// The version rules are the capability corrections' minVersion, tool-wide or per argument.
	var rules, newer, newerArgs []string
	for _, t := range cfg.Tools {
		if t.Capability == nil || t.Capability.Upstream != capabilities.UpstreamPodman {
			continue
		}
		if t.MinVersion != "" {
			rules = append(rules, fmt.Sprintf("%s (≥ %s)", t.Name, t.MinVersion))
			if version.Compare(v, t.MinVersion) < 0 {
				newer = append(newer, fmt.Sprintf("%s (≥ %s)", t.Name, t.MinVersion))
			}
		}
		for _, a := range t.Args {
			if a.MinVersion != "" && version.Compare(v, a.MinVersion) < 0 {
				newerArgs = append(newerArgs, fmt.Sprintf("%s %s (≥ %s)", t.Name, a.Name, a.MinVersion))
			}
		}
	}
	slices.Sort(rules)
	if len(rules) > 0 {
		r.info("tools that need more than Podman %s: %s", podman.MinVersion, strings.Join(rules, ", "))
	}
	if len(newer) > 0 {
		slices.Sort(newer)
		r.info("%d tool(s) need a newer Podman and answer so when called: %s", len(newer), strings.Join(newer, ", "))
	}
	if len(newerArgs) > 0 {
		slices.Sort(newerArgs)
		r.info("%d argument(s) need a newer Podman (which would ignore them) and are refused when given: %s", len(newerArgs), strings.Join(newerArgs, ", "))
	}
}

// podmanInfo summarises GET /libpod/info: version, rootless, storage.
func podmanInfo(ctx context.Context, c *podman.Client) string {
	resp, err := c.Do(ctx, &upstream.Request{Method: http.MethodGet, Path: "/libpod/info"})
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		return ""
	}
	j := gjson.ParseBytes(body)
	mode := "rootful"
	if j.Get("host.security.rootless").Bool() {
		mode = "rootless"
	}
	return fmt.Sprintf("Podman %s, %s, storage %s (%s), %d image(s)", j.Get("version.Version").String(), mode,
		j.Get("store.graphRoot").String(), j.Get("store.graphDriverName").String(), j.Get("store.imageStore.number").Int())
}

const tokenFix = "create an API token in Central (Platform Configuration → Integrations → StackRox API Token) with a role that has Image read " +
	"(and Image write to scan or delete), and set ROX_API_TOKEN (or ROX_API_TOKEN_FILE)"

func checkCentral(ctx context.Context, cfg Config, r *report) {
	r.section("StackRox Central")
	c := cfg.Central
	if cfg.CentralErr != nil {
		r.fail(cfg.CentralErr.Error(), "correct the setting; the StackRox tools answer with this error until then")
		return
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	// The server's rule: a token without an endpoint means roxctl's default endpoint.
	client, err := central.NewClient(c)
	switch {
	case errors.Is(err, central.ErrNotConfigured):
		r.info("not configured: the StackRox tools are off (set ROX_ENDPOINT and ROX_API_TOKEN to use them)")
		return
	case err != nil:
		r.fail(err.Error(), "")
		return
	}
	if c.Endpoint == "" {
		c.Endpoint = central.DefaultEndpoint
	}
	r.ok("endpoint %s", c.Endpoint)
	if c.Insecure {
		r.warn("TLS certificate verification is off (ROX_INSECURE_CLIENT_SKIP_TLS_VERIFY)", "give Central's CA with ROX_CA_CERT_FILE and turn verification back on")
	}

	// 1. Connection and TLS, and whether the token is accepted at all.
	status, body, err := get(ctx, client, "/v1/auth/status")
	if err != nil {
		failConnection(r, c, err)
		return
	}
	r.ok("connected over TLS%s", map[bool]string{true: " (not verified)", false: ", certificate verified"}[c.Insecure])
	var imageAccess string
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
		imageAccess = j.Get("userInfo.permissions.resourceToAccess.Image").String()
	case http.StatusUnauthorized:
		r.fail("Central rejected the API token: "+centralMessage(status, body), tokenFix)
		return
	}

	// 2. The role: Image read, by a read call the tools make themselves.
	status, body, err = get(ctx, client, "/v1/imagescount")
	switch {
	case err != nil:
		r.fail("GET /v1/imagescount: "+err.Error(), "")
		return
	case status == http.StatusOK:
		r.ok("Image read permission: yes (GET /v1/imagescount answered %d image(s))", gjson.GetBytes(body, "count").Int())
	case status == http.StatusUnauthorized:
		r.fail("Central rejected the API token: "+centralMessage(status, body), tokenFix)
		return
	case status == http.StatusForbidden:
		r.fail("the token's role may not read images: "+centralMessage(status, body), "give the token a role with Image read access (e.g. Analyst, or Continuous Integration), or "+tokenFix)
		return
	default:
		r.fail("GET /v1/imagescount: "+centralMessage(status, body), "check that ROX_ENDPOINT is Central's API endpoint (host:port, no path)")
		return
	}

	// 3. Image write (scan, delete, invalidate caches) cannot be tried without changing
	// state; the auth status lists the role's permissions when Central sends them.
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

// checkFiles reports where path arguments may lead (files read, written, sent as a
// build context).
func checkFiles(cfg Config, r *report) {
	r.section("Files")
	if cfg.AllowedDirsErr != nil {
		r.fail(cfg.AllowedDirsErr.Error(), "give existing directories as absolute paths in --allowed-dirs (IMAGE_MCP_ALLOWED_DIRS, separated by ':')")
		return
	}
	r.info("allowed directories: %s", cfg.AllowedDirs)
}
