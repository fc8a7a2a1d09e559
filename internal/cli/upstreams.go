package cli

import (
	"sync"

	"github.com/rs/zerolog"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/central"
	"github.com/image-mcp/image-mcp/httpapi"
	"github.com/image-mcp/image-mcp/internal/redact"
	"github.com/image-mcp/image-mcp/podman"
	"github.com/image-mcp/image-mcp/upstream"
)

// upstreamKinds registers the upstream kinds the capabilities name, one line each, and
// logs what is wrong with their settings (each kind's tools answer with it). Podman is
// discovered in the background; its first use, or stop, waits for it. stop ends what
// Podman's kind started (an autostarted service).
func upstreamKinds(o *Options, rox central.Config, roxErr error, red *redact.Set, caps []*capabilities.Capability, log zerolog.Logger) (kinds upstream.Kinds, stop func()) {
	env, autostart := podmanEnv(o), !o.NoAutostart
	service := sync.OnceValues(func() (*podman.Client, func()) { return connectPodman(log, env, autostart) })
	go service()
	kinds = upstream.Kinds{
		capabilities.UpstreamPodman:  podman.NewKind(func() *podman.Client { c, _ := service(); return c }),
		capabilities.UpstreamCentral: centralKind(log, rox, roxErr),
		capabilities.UpstreamHTTP:    httpapi.NewKind(o.getenv, red),
	}
	for _, cp := range caps {
		if cp.Upstream != capabilities.UpstreamHTTP {
			continue // Podman's client is not waited for here; Central's error is logged above
		}
		if _, err := kinds[cp.Upstream].Connect(cp); err != nil {
			log.Warn().Err(err).Str("capability", cp.File).Msg("its tools will answer with this error")
		}
	}
	return kinds, func() { _, stop := service(); stop() }
}
