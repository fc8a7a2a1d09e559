package cli

import (
	"fmt"
	"io"

	"github.com/image-mcp/image-mcp/prompts"
	"github.com/image-mcp/image-mcp/tools"
)

// listTools prints the tools and prompts that would be served (after filters); stdout is
// free because no MCP is served.
func listTools(stdout io.Writer, c catalog) int {
	if err := tools.WriteToolTable(stdout, c.served); err != nil {
		return 1
	}
	fmt.Fprintln(stdout)
	if err := prompts.WriteTable(stdout, c.prompts); err != nil {
		return 1
	}
	return 0
}
