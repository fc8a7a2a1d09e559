package cli

import (
	"context"

	"github.com/image-mcp/image-mcp/doctor"
)

// doctor checks Podman, Central and the allowed directories and prints the report; the
// tools let it name those the connected Podman is too old for. A bad allowed directory is
// reported, not a reason to stop.
func (r *run) doctor() int {
	paths, pathsErr := pathRule(r.o)
	return doctor.Run(context.Background(), doctor.Config{Podman: podmanEnv(r.o), Autostart: !r.o.NoAutostart, Central: r.rox, CentralErr: r.roxErr,
		Tools: r.cat.all, AllowedDirs: paths.DescribeAllowed(), AllowedDirsErr: pathsErr}, r.stdout)
}
