// Command gen writes capabilities/prebuilt.go (run by `go generate` in capabilities).
package main

import (
	"fmt"
	"os"

	"github.com/image-mcp/image-mcp/capabilities/internal/prebuild"
)

func main() {
	src, err := prebuild.Source()
	if err == nil {
		err = os.WriteFile(prebuild.File, src, 0o644)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "prebuild: %v\n", err)
		os.Exit(1)
	}
}
