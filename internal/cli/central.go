package cli

import (
	"cmp"
	"errors"

	"github.com/rs/zerolog"

	"github.com/image-mcp/image-mcp/central"
)

// centralConfig is how to reach StackRox Central, from the settings (roxctl's ROX_*
// variables, the flags winning). Its error (a bad ROX_* value) does not stop the start:
// the StackRox tools answer with it and doctor reports it.
func centralConfig(o *Options) (central.Config, error) {
	return central.Config{Endpoint: o.RoxEndpoint, Token: o.RoxToken, TokenFile: o.RoxTokenFile,
		CAFile: o.RoxCAFile, Insecure: o.RoxInsecure, ServerName: o.RoxServerName}, o.RoxErr
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
