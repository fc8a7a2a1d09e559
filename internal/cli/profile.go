package cli

import (
	"os"
	"runtime/pprof"
)

// startCPUProfile writes a CPU profile to path (IMAGE_MCP_CPUPROFILE; none when empty)
// until the returned stop is called (on exit). Hidden: for the bench (go run ./bench
// -cpuprofile-dir DIR).
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
