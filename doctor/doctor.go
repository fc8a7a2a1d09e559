// Package doctor checks image-mcp's upstreams the way the server will use them and prints
// a report with a fix for each problem: `image-mcp doctor`. podman.go checks Podman,
// central.go StackRox Central; doctor.go runs them, checks the files and writes the report.
package doctor

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/central"
	"github.com/image-mcp/image-mcp/podman"
)

// Config is what to check: the same settings the server reads.
type Config struct {
	Podman    podman.Env
	Autostart bool
	Central   central.Config
	// CentralErr is a Central setting that could not be read (e.g. a bad boolean).
	CentralErr error
	// Tools, when given, let the report name the tools the connected Podman is too old for.
	Tools []*capabilities.Tool
	// AllowedDirs says which directories path arguments must be inside; AllowedDirsErr is
	// a bad --allowed-dirs.
	AllowedDirs    string
	AllowedDirsErr error
}

// checkTimeout bounds each check; Podman's gets a minute more, for a service that
// doctor starts itself.
const checkTimeout = 30 * time.Second

// report collects the lines of the report and counts problems.
type report struct {
	w        io.Writer
	problems int
	warnings int
}

func (r *report) section(name string) { fmt.Fprintf(r.w, "\n%s\n", name) }

func (r *report) ok(format string, args ...any) {
	fmt.Fprintf(r.w, "  [ok]   %s\n", fmt.Sprintf(format, args...))
}

func (r *report) info(format string, args ...any) {
	fmt.Fprintf(r.w, "  [--]   %s\n", fmt.Sprintf(format, args...))
}

func (r *report) warn(msg, fix string) {
	r.warnings++
	fmt.Fprintf(r.w, "  [warn] %s\n", msg)
	if fix != "" {
		fmt.Fprintf(r.w, "         fix: %s\n", fix)
	}
}

func (r *report) fail(msg, fix string) {
	r.problems++
	fmt.Fprintf(r.w, "  [FAIL] %s\n", msg)
	if fix != "" {
		fmt.Fprintf(r.w, "         fix: %s\n", fix)
	}
}

// Run checks everything and writes the report to w. It returns the process exit code:
// 0 when nothing is wrong (warnings allowed), 1 otherwise.
func Run(ctx context.Context, cfg Config, w io.Writer) int {
	r := &report{w: w}
	fmt.Fprintln(w, "image-mcp doctor")
	checkPodman(ctx, cfg, r)
	checkCentral(ctx, cfg, r)
	checkFiles(cfg, r)
	fmt.Fprintln(w)
	switch {
	case r.problems > 0:
		fmt.Fprintf(w, "%d problem(s), %d warning(s): fix the [FAIL] lines above, then run `image-mcp doctor` again.\n", r.problems, r.warnings)
		return 1
	case r.warnings > 0:
		fmt.Fprintf(w, "No problems; %d warning(s).\n", r.warnings)
	default:
		fmt.Fprintln(w, "No problems.")
	}
	return 0
}

// checkFiles reports where path arguments may lead (files read, written, sent as a
// build context).
func checkFiles(cfg Config, r *report) {
	r.section("Files")
	if cfg.AllowedDirsErr != nil {
		r.fail(cfg.AllowedDirsErr.Error(), "give existing directories as absolute paths in --allowed-dirs (IMAGE_MCP_ALLOWED_DIRS, separated by ':')")
		return
	}
	r.info("allowed directories: %s", cfg.AllowedDirs)
}
