package doctor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/internal/version"
	"github.com/image-mcp/image-mcp/podman"
	"github.com/image-mcp/image-mcp/upstream"
)

const startPodmanFix = "start Podman's API socket: `systemctl --user enable --now podman.socket` (rootless) or `sudo systemctl enable --now podman.socket` (rootful); " +
	"or point image-mcp at a running service with --podman-url / CONTAINER_HOST (unix://, tcp:// or ssh://)"

// checkPodman finds Podman as the server would, asks its version and what it is, and
// names the tools and arguments it is too old for.
func checkPodman(ctx context.Context, cfg Config, r *report) {
	r.section("Podman")
	client, ep, stop := findPodman(cfg, r)
	if client == nil {
		return
	}
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, checkTimeout+60*time.Second)
	defer cancel()
	v, ok := podmanVersion(ctx, client, ep, r)
	if !ok {
		return
	}
	if strings.HasPrefix(ep.Source, "autostart") {
		r.warn("the Podman service runs only while image-mcp runs (it starts one on first use, ~1-2 s)", "to skip that, "+startPodmanFix)
	}
	if info := podmanInfo(ctx, client); info != "" {
		r.info("%s", info)
	}
	tested := "Podman " + strings.Join(podman.TestedSeries, ".x and ") + ".x"
	if podman.Tested(v) {
		r.info("CI tests image-mcp against %s; this one is %s", tested, v)
	} else {
		r.info("CI tests image-mcp against %s; %s is not one of those releases (expected to work; please report what does not)", tested, v)
	}
	versionRules(cfg.Tools, v, r)
}

// findPodman discovers the Podman service, or prepares to start one itself when nothing
// answers (as the server would); nil when neither can be. stop ends a service it started.
func findPodman(cfg Config, r *report) (*podman.Client, podman.Endpoint, func()) {
	ep := podman.Discover(cfg.Podman)
	r.info("looked at, in order: %s", strings.Join(ep.Tried, ", "))
	for _, w := range ep.Warnings {
		r.warn(w, "")
	}
	switch {
	case ep.Err != nil:
		r.fail(ep.Err.Error(), "")
		return nil, ep, nil
	case ep.URL != "":
		r.ok("found %s (from %s)", ep.URL, ep.Source)
		return podman.NewClient(ep), ep, func() {}
	case !cfg.Autostart:
		r.fail("no Podman service found, and autostart is off (--no-autostart / IMAGE_MCP_NO_AUTOSTART)", startPodmanFix+"; or allow image-mcp to start one itself (drop --no-autostart)")
		return nil, ep, nil
	}
	a, err := podman.PrepareAutostart(cfg.Podman)
	if err != nil {
		r.fail("no Podman service found: "+err.Error(), startPodmanFix)
		return nil, ep, nil
	}
	ep = a.Endpoint(ep)
	client := podman.NewClient(ep)
	a.Attach(client)
	r.info("no socket answers: the server would start `podman system service` itself; trying that now")
	return client, ep, a.Stop
}

// podmanVersion asks the service's libpod API version: false when it cannot be used.
func podmanVersion(ctx context.Context, client *podman.Client, ep podman.Endpoint, r *report) (string, bool) {
	v, err := client.Version(ctx)
	var uv *podman.UnsupportedVersionError
	switch {
	case err == nil:
		r.ok("reachable: libpod API %s (image-mcp needs ≥ %s)", v, podman.MinVersion)
		return v, true
	case errors.As(err, &uv):
		r.fail(err.Error(), fmt.Sprintf("upgrade Podman to %s or newer", podman.MinVersion))
	case ep.URL != "" && strings.HasPrefix(ep.Source, "autostart"):
		r.fail("image-mcp could not start a Podman service: "+err.Error(), startPodmanFix)
	default:
		r.fail(err.Error(), "")
	}
	return "", false
}

// versionRules names the tools, and the arguments, that need more than the oldest
// Podman image-mcp takes (the capability corrections' minVersion), and those the
// connected one (version v) is too old for.
func versionRules(tools []*capabilities.Tool, v string, r *report) {
	var rules, newer, newerArgs []string
	for _, t := range tools {
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
