package cli

import (
	"github.com/image-mcp/image-mcp/upstream"
)

// centralConfig is how to reach StackRox Central, from the settings (roxctl's ROX_*
// variables, the flags winning). Its error (a bad ROX_* value) does not stop the start:
// the StackRox tools answer with it and doctor reports it.
func centralConfig(o *Options) (upstream.CentralConfig, error) {
	return upstream.CentralConfig{Endpoint: o.RoxEndpoint, Token: o.RoxToken, TokenFile: o.RoxTokenFile,
		CAFile: o.RoxCAFile, Insecure: o.RoxInsecure, ServerName: o.RoxServerName}, o.RoxErr
}
