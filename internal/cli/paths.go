package cli

import (
	"fmt"

	"github.com/image-mcp/image-mcp/internal/allowdirs"
	"github.com/image-mcp/image-mcp/tools"
)

// pathRule resolves --allowed-dirs or IMAGE_MCP_ALLOWED_DIRS: each directory must exist.
func pathRule(o *Options) (*tools.PathRule, error) {
	resolved, err := allowdirs.Resolve(o.AllowedDirs)
	if err != nil {
		return &tools.PathRule{}, fmt.Errorf("%s: %w", o.AllowedDirsFrom, err)
	}
	return &tools.PathRule{Flag: resolved}, nil
}
