package cli

import (
	"cmp"

	"github.com/image-mcp/image-mcp/upstream"
)

// centralConfig is how to reach StackRox Central: the ROX_* environment with the flags
// winning. Its error (a bad ROX_* value) does not stop the start: the StackRox tools
// answer with it and doctor reports it.
func centralConfig(o *Options) (upstream.CentralConfig, error) {
	rox, err := upstream.CentralEnv()
	rox.Endpoint = cmp.Or(o.RoxEndpoint, rox.Endpoint)
	rox.TokenFile = cmp.Or(o.RoxTokenFile, rox.TokenFile)
	rox.CAFile = cmp.Or(o.RoxCAFile, rox.CAFile)
	rox.ServerName = cmp.Or(o.RoxServerName, rox.ServerName)
	rox.Insecure = rox.Insecure || o.RoxInsecure
	return rox, err
}
