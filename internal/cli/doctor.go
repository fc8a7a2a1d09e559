package cli

import (
	"context"
	"io"

	"github.com/image-mcp/image-mcp/central"
	"github.com/image-mcp/image-mcp/doctor"
)

// runDoctor checks Podman, Central and the allowed directories and prints the report;
// the tools let it name those the connected Podman is too old for. A bad allowed
// directory is reported, not a reason to stop.
func runDoctor(o *Options, rox central.Config, roxErr error, stdout io.Writer, c catalog) int {
	paths, pathsErr := pathRule(o)
	return doctor.Run(context.Background(), doctor.Config{Podman: podmanEnv(o), Autostart: !o.NoAutostart, Central: rox, CentralErr: roxErr, Tools: c.all,
		AllowedDirs: paths.DescribeAllowed(), AllowedDirsErr: pathsErr}, stdout)
}
