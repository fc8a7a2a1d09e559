package cli

import (
	"sync"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/httpapi"
	"github.com/image-mcp/image-mcp/podman"
	"github.com/image-mcp/image-mcp/upstream"
)

// upstreamKinds registers the upstream kinds the capabilities name, one line each, and
// logs what is wrong with their settings (a bad setting of one stops none: its tools
// answer with it). Podman is discovered in the background, so that discovery (socket
// probes, preparing autostart) does not delay the first answers: its first use, or stop,
// waits for it. stop ends what Podman's kind started (an autostarted service).
func (r *run) upstreamKinds() (kinds upstream.Kinds, stop func()) {
	env, autostart := podmanEnv(r.o), !r.o.NoAutostart
	service := sync.OnceValues(func() (*podman.Client, func()) { return connectPodman(r.log, env, autostart) })
	go service()
	kinds = upstream.Kinds{
		capabilities.UpstreamPodman:  podman.NewKind(func() *podman.Client { c, _ := service(); return c }),
		capabilities.UpstreamCentral: centralKind(r.log, r.rox, r.roxErr),
		capabilities.UpstreamHTTP:    httpapi.NewKind(r.o.getenv, r.red),
	}
	r.connectExtras(kinds)
	return kinds, func() { _, stop := service(); stop() }
}

// connectExtras connects the extra capabilities that speak plain HTTP, logging those
// that cannot be.
func (r *run) connectExtras(kinds upstream.Kinds) {
	for _, cp := range r.cat.caps {
		if cp.Upstream != capabilities.UpstreamHTTP {
			continue // Podman's client is not waited for here; Central's error is logged above
		}
		if _, err := kinds[cp.Upstream].Connect(cp); err != nil {
			r.log.Warn().Err(err).Str("capability", cp.File).Msg("its tools will answer with this error")
		}
	}
}
