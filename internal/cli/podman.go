package cli

import (
	"cmp"

	"github.com/rs/zerolog"

	"github.com/image-mcp/image-mcp/upstream"
)

// podmanEnv is where to look for Podman: the settings (--podman-url or CONTAINER_HOST,
// the ssh key and known_hosts), and the rest of Podman's environment as Main was given it
// (it replaces what PodmanEnvFromOS read from the process; HOME falls back to the
// platform's home directory).
func podmanEnv(o *Options) upstream.PodmanEnv {
	env := upstream.PodmanEnvFromOS("")
	env.Flag, env.ContainerHost = "", o.PodmanURL
	if o.PodmanURLFrom == "--podman-url" {
		env.Flag, env.ContainerHost = o.PodmanURL, ""
	}
	env.SSHKey, env.KnownHosts = o.PodmanIdentity, o.PodmanKnownHosts
	env.ContainerConnection, env.SSHAuthSock = o.getenv("CONTAINER_CONNECTION"), o.getenv("SSH_AUTH_SOCK")
	env.XDGRuntimeDir, env.XDGConfigHome = o.getenv("XDG_RUNTIME_DIR"), o.getenv("XDG_CONFIG_HOME")
	env.ContainersConf, env.ContainersConfOver = o.getenv("CONTAINERS_CONF"), o.getenv("CONTAINERS_CONF_OVERRIDE")
	env.ConnectionsConf = o.getenv("PODMAN_CONNECTIONS_CONF")
	env.Home = cmp.Or(o.getenv("HOME"), env.Home)
	return env
}

// connectPodman discovers the Podman service and logs where it was found. When nothing
// answers and autostart is on, the client starts a private service on first use; the
// returned stop function ends it.
func connectPodman(log zerolog.Logger, env upstream.PodmanEnv, autostart bool) (*upstream.PodmanClient, func()) {
	ep := upstream.DiscoverPodman(env)
	for _, w := range ep.Warnings {
		log.Warn().Msg("Podman discovery: " + w)
	}
	switch {
	case ep.Err != nil:
		log.Warn().Err(ep.Err).Msg("Podman settings are wrong; Podman tools will answer with this error")
	case ep.URL != "":
		log.Info().Str("url", ep.URL).Str("from", ep.Source).Msg("Podman service")
	case autostart:
		a, err := upstream.PrepareAutostart(env.XDGRuntimeDir)
		if err != nil {
			log.Warn().Strs("looked at", ep.Tried).Err(err).Msg("no Podman socket answers; Podman tools will say how to start one")
			break
		}
		a.Logf = func(format string, args ...any) { log.Info().Msgf(format, args...) }
		ep = a.Endpoint(ep)
		c := upstream.NewPodmanClient(ep)
		a.Attach(c)
		log.Info().Strs("looked at", ep.Tried).Str("url", ep.URL).Str("from", "autostart").
			Msg("no Podman socket answers; image-mcp starts `podman system service` on first use and stops it on exit (--no-autostart turns this off)")
		return c, a.Stop
	default:
		log.Warn().Strs("looked at", ep.Tried).Msg("no Podman socket answers and autostart is off; Podman tools will say how to start one")
	}
	return upstream.NewPodmanClient(ep), func() {}
}
