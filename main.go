// Command image-mcp is an MCP server (stdio) for container images: Podman's libpod images
// API and StackRox Central's ImageService, one tool per capability-spec operation. The
// command itself is internal/cli.
package main

import (
	"os"

	"github.com/image-mcp/image-mcp/internal/cli"
)

// Set by the release build (-ldflags -X).
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

func main() {
	os.Exit(cli.Main(cli.Build{Version: version, Commit: commit, Date: date}, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}
