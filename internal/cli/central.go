package cli

import (
	"cmp"
	"errors"

	"github.com/rs/zerolog"

	"github.com/image-mcp/image-mcp/central"
)

// centralConfig is how to reach StackRox Central: the ROX_* environment with the flags
// winning. Its error (a bad ROX_* value) does not stop the start: the StackRox tools
// answer with it and doctor reports it.
func centralConfig(o *Options) (central.Config, error) {
	rox, err := central.ConfigFromEnv(o.getenv)
	rox.Endpoint = cmp.Or(o.RoxEndpoint, rox.Endpoint)
	rox.TokenFile = cmp.Or(o.RoxTokenFile, rox.TokenFile)
	rox.CAFile = cmp.Or(o.RoxCAFile, rox.CAFile)
	rox.ServerName = cmp.Or(o.RoxServerName, rox.ServerName)
	rox.Insecure = rox.Insecure || o.RoxInsecure
	return rox, err
}

// centralKind is Central's upstream kind, logged: a bad StackRox setting must not stop
// the Podman tools; the StackRox tools answer with it.
func centralKind(log zerolog.Logger, rox central.Config, roxErr error) central.Kind {
	k := central.NewKind(rox, roxErr)
	switch err := k.Err(); {
	case err == nil:
		log.Info().Str("endpoint", cmp.Or(rox.Endpoint, central.DefaultEndpoint)).Bool("insecureSkipVerify", rox.Insecure).Msg("StackRox Central configured")
	case !errors.Is(err, central.ErrNotConfigured):
		log.Warn().Err(err).Msg("StackRox Central settings are wrong; its tools will answer with this error")
	}
	return k
}
