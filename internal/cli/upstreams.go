package cli

import (
	"cmp"
	"errors"
	"sync"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/tools"
	"github.com/image-mcp/image-mcp/upstream"
)

// The tools reach their upstreams through one tools.Upstreams, set up in this order:
// Central's client, Podman's (discovered in the background), the HTTP clients of extra
// capabilities. A bad setting of one stops none: its tools answer with it.

// connectCentral gives the StackRox tools their client, or the error they answer with.
func (r *run) connectCentral(ups *tools.Upstreams) {
	ups.Central, ups.CentralErr = upstream.NewCentralClient(r.rox)
	if r.roxErr != nil {
		ups.Central, ups.CentralErr = nil, r.roxErr
	}
	switch {
	case ups.CentralErr == nil:
		r.log.Info().Str("endpoint", cmp.Or(r.rox.Endpoint, upstream.DefaultCentralEndpoint)).Bool("insecureSkipVerify", r.rox.Insecure).Msg("StackRox Central configured")
	case !errors.Is(ups.CentralErr, upstream.ErrCentralNotConfigured):
		r.log.Warn().Err(ups.CentralErr).Msg("StackRox Central settings are wrong; its tools will answer with this error")
	}
}

// startPodman discovers Podman in the background: its first use (or the exit) waits for
// it, so that discovery (socket probes, preparing autostart) does not delay the first
// answers. stop ends a Podman service the run started itself.
func (r *run) startPodman(ups *tools.Upstreams) (stop func()) {
	env, autostart := podmanEnv(r.o), !r.o.NoAutostart
	podman := sync.OnceValues(func() (*upstream.PodmanClient, func()) { return connectPodman(r.log, env, autostart) })
	go podman()
	ups.PodmanLater = func() *upstream.PodmanClient { c, _ := podman(); return c }
	return func() { _, stop := podman(); stop() }
}

// connectExtras connects the extra capabilities that speak plain HTTP, logging those
// that cannot be.
func (r *run) connectExtras(ups *tools.Upstreams) {
	for _, cp := range r.cat.caps {
		if cp.Upstream != capabilities.UpstreamHTTP {
			continue // Podman's client is not waited for here; Central's error is logged
		}
		if _, err := ups.Connect(cp); err != nil {
			r.log.Warn().Err(err).Str("capability", cp.File).Msg("its tools will answer with this error")
		}
	}
}
