// Command bench measures image-mcp against the raw APIs behind it, in one run on one
// machine, and prints a table: each figure beside its baseline. It starts its own private
// Podman service and a local TLS stand-in for StackRox Central.
//
//	go run ./bench            # the full run (a 1 GiB image; several minutes)
//	go run ./bench -quick     # a smoke run with small sizes (CI runs it as a test)
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/image-mcp/image-mcp/capabilities"
)

type config struct {
	quick       bool
	startRuns   int
	calls       int
	imageMiB    int64
	centralImgs int
	inFlight    int
	rounds      int
	profileDir  string
	keep        bool
	only        string
	podman      string
}

func main() {
	var c config
	flag.BoolVar(&c.quick, "quick", false, "a smoke run with small sizes (overrides the sizes below)")
	flag.IntVar(&c.startRuns, "start-runs", 30, "runs of the start measurement")
	flag.IntVar(&c.calls, "calls", 1000, "calls per tool in the per-call overhead measurement")
	flag.Int64Var(&c.imageMiB, "image-mib", 1024, "size of the image exported and loaded, MiB")
	flag.IntVar(&c.centralImgs, "central-images", 10000, "generated images the fake Central holds besides its fixtures")
	flag.IntVar(&c.inFlight, "in-flight", 64, "calls in flight at once in the concurrency measurement")
	flag.IntVar(&c.rounds, "rounds", 10, "rounds of the concurrency measurement")
	flag.StringVar(&c.profileDir, "cpuprofile-dir", "", "write a CPU profile of image-mcp per section into this directory")
	flag.BoolVar(&c.keep, "keep", false, "keep the work directory")
	flag.StringVar(&c.only, "only", "", "run only these sections, comma-separated (start, tools, overhead, streams, stackrox, concurrency)")
	flag.StringVar(&c.podman, "podman", os.Getenv("IMAGE_MCP_BENCH_PODMAN"),
		"the podman to measure against, e.g. the Podman 5 wrapper of `scripts/podman5.sh bindir DIR` (DIR/podman); "+
			"its folder goes first in PATH, for the bench's service and image-mcp alike. Default: podman on PATH (IMAGE_MCP_BENCH_PODMAN)")
	flag.Parse()
	if err := usePodman(c.podman); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	if c.quick {
		c = quickConfig(c)
	}
	rows, err := run(c, os.Stderr)
	if len(rows) > 0 {
		// The figures belong to this Podman: say which.
		fmt.Fprintf(os.Stdout, "Podman %s (%s)\n", podmanVersion, podmanPath())
		printTable(os.Stdout, rows)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// usePodman puts the folder of the chosen podman first in PATH: the bench's service and
// image-mcp (which looks podman up in PATH) then both run it.
func usePodman(p string) error {
	if p == "" {
		return nil
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return err
	}
	if filepath.Base(abs) != "podman" {
		return fmt.Errorf("-podman %s: the command must be named podman (its folder goes first in PATH)", p)
	}
	if _, err := os.Stat(abs); err != nil {
		return fmt.Errorf("-podman: %w", err)
	}
	return os.Setenv("PATH", filepath.Dir(abs)+string(os.PathListSeparator)+os.Getenv("PATH"))
}

func podmanPath() string {
	p, err := exec.LookPath("podman")
	if err != nil {
		return "podman not on PATH"
	}
	return p
}

// podmanVersion is the version of the service the bench measured against.
var podmanVersion string

func quickConfig(c config) config {
	c.quick, c.startRuns, c.calls, c.imageMiB, c.centralImgs, c.inFlight, c.rounds = true, 3, 50, 8, 500, 16, 2
	return c
}

// bench is one run's shared state.
type bench struct {
	cfg     config
	dir     string
	binary  string
	floor   string // bench/floor: a minimal go-sdk server, the per-call floor
	pod     *podman
	central *central
	tools   map[string]string // "METHOD path" → tool name
	log     func(format string, a ...any)
}

func run(c config, logw io.Writer) ([]row, error) {
	b := &bench{cfg: c, log: func(f string, a ...any) { fmt.Fprintf(logw, "bench: "+f+"\n", a...) }}
	var err error
	if b.dir, err = os.MkdirTemp("", "image-mcp-bench-"); err != nil {
		return nil, err
	}
	defer b.cleanup()
	if err := b.setup(); err != nil {
		return nil, err
	}
	var rows []row
	for _, s := range []struct {
		name string
		fn   func() ([]row, error)
	}{
		{"start", b.start},
		{"tools", b.toolsList},
		{"overhead", b.overhead},
		{"streams", b.streams},
		{"stackrox", b.stackrox},
		{"concurrency", b.concurrency},
	} {
		if c.only != "" && !strings.Contains(","+c.only+",", ","+s.name+",") {
			continue
		}
		b.log("%s…", s.name)
		r, err := s.fn()
		rows = append(rows, r...)
		if err != nil {
			return rows, fmt.Errorf("%s: %w", s.name, err)
		}
	}
	return rows, nil
}

func (b *bench) setup() error {
	b.binary = filepath.Join(b.dir, "image-mcp")
	build := exec.Command("go", "build", "-o", b.binary, ".")
	build.Dir = moduleRoot()
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build: %w", err)
	}
	b.floor = filepath.Join(b.dir, "floor")
	build = exec.Command("go", "build", "-o", b.floor, "./bench/floor")
	build.Dir = moduleRoot()
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build ./bench/floor: %w", err)
	}
	b.tools = map[string]string{}
	for _, cp := range capabilities.Embedded() {
		for _, t := range cp.Tools {
			b.tools[t.Method+" "+t.Path] = t.Name
		}
	}
	var err error
	if b.pod, err = startPodman(filepath.Join(b.dir, "podman")); err != nil {
		return err
	}
	podmanVersion = b.pod.ver
	b.log("Podman %s (%s)", b.pod.ver, podmanPath())
	if b.central, err = startCentral(b.cfg.centralImgs); err != nil {
		return err
	}
	return nil
}

func (b *bench) cleanup() {
	if b.central != nil {
		b.central.Close()
	}
	if b.pod != nil {
		b.pod.stop()
	}
	if b.cfg.keep {
		b.log("work directory kept: %s", b.dir)
		return
	}
	// Podman's vfs storage holds read-only dirs; make them writable to remove them.
	filepath.Walk(b.dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && info.IsDir() {
			os.Chmod(p, 0o755)
		}
		return nil
	})
	os.RemoveAll(b.dir)
}

// tool names the tool of an operation, so the bench survives tool renames.
func (b *bench) tool(method, path string) string {
	if n, ok := b.tools[method+" "+path]; ok {
		return n
	}
	panic("no tool for " + method + " " + path)
}

// env is a clean environment for the binary, pointed at the bench's Podman and Central.
func (b *bench) env(section string) []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + b.dir, "XDG_RUNTIME_DIR=" + filepath.Join(b.dir, "no-runtime-dir"),
		"CONTAINER_HOST=unix://" + b.pod.sock, "IMAGE_MCP_LOG_LEVEL=warn"}
	env = append(env, b.central.env()...)
	if b.cfg.profileDir != "" && section != "" {
		os.MkdirAll(b.cfg.profileDir, 0o755)
		abs, _ := filepath.Abs(filepath.Join(b.cfg.profileDir, section+".pprof"))
		env = append(env, "IMAGE_MCP_CPUPROFILE="+abs)
	}
	return env
}

// server starts image-mcp and initializes a session.
func (b *bench) server(section string) (*rpcClient, error) {
	c, err := startRPC(b.binary, b.env(section))
	if err != nil {
		return nil, err
	}
	if err := c.initialize(); err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

// moduleRoot finds the directory of go.mod from the working directory upwards.
func moduleRoot() string {
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}
