package cli

import (
	_ "embed"
	"encoding/base64"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// icon is image-mcp's icon: image layers with a check mark, small enough to travel in
// initialize as a data: URI (clients that list servers show it).
//
//go:embed icon.svg
var icon []byte

// serverIcons is serverInfo.icons: the SVG as a data: URI, scalable.
func serverIcons() []mcp.Icon {
	return []mcp.Icon{{
		Source:   "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(icon),
		MIMEType: "image/svg+xml",
		Sizes:    []string{"any"},
	}}
}
