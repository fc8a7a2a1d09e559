package cli

import (
	"os"

	"github.com/rs/zerolog"

	"github.com/image-mcp/image-mcp/podman"
)

// podmanEnv is where to look for Podman: the settings (--podman-url or CONTAINER_HOST,
// the ssh key and known_hosts), and the rest of Podman's environment as Main was given it.
// An autostarted service inherits the whole environment of the process.
func podmanEnv(o *Options) podman.Env {
	env := podman.EnvFrom(o.getenv)
	env.ContainerHost = o.PodmanURL
	if o.PodmanURLFrom == "--podman-url" {
		env.Flag, env.ContainerHost = o.PodmanURL, ""
	}
	env.SSHKey, env.KnownHosts = o.PodmanIdentity, o.PodmanKnownHosts
	env.Environ = os.Environ()
	return env
}

// connectPodman discovers the Podman service and logs where it was found. When nothing
// answers and autostart is on, the client starts a private service on first use; the
// returned stop function ends it.
func connectPodman(log zerolog.Logger, env podman.Env, autostart bool) (*podman.Client, func()) {
	ep := podman.Discover(env)
	for _, w := range ep.Warnings {
		log.Warn().Msg("Podman discovery: " + w)
	}
	switch {
	case ep.Err != nil:
		log.Warn().Err(ep.Err).Msg("Podman settings are wrong; Podman tools will answer with this error")
	case ep.URL != "":
		log.Info().Str("url", ep.URL).Str("from", ep.Source).Msg("Podman service")
	case autostart:
		a, err := podman.PrepareAutostart(env)
		if err != nil {
			log.Warn().Strs("looked at", ep.Tried).Err(err).Msg("no Podman socket answers; Podman tools will say how to start one")
			break
		}
		a.Logf = func(format string, args ...any) { log.Info().Msgf(format, args...) }
		ep = a.Endpoint(ep)
		c := podman.NewClient(ep)
		a.Attach(c)
		log.Info().Strs("looked at", ep.Tried).Str("url", ep.URL).Str("from", "autostart").
			Msg("no Podman socket answers; image-mcp starts `podman system service` on first use and stops it on exit (--no-autostart turns this off)")
		return c, a.Stop
	default:
		log.Warn().Strs("looked at", ep.Tried).Msg("no Podman socket answers and autostart is off; Podman tools will say how to start one")
	}
	return podman.NewClient(ep), func() {}
}
