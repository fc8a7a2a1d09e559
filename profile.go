package main

import (
	"os"
	"runtime/pprof"
)

// startCPUProfile writes a CPU profile to $IMAGE_MCP_CPUPROFILE until the returned stop is
// called (on exit). Hidden: for the bench (go run ./bench -cpuprofile-dir DIR).
func startCPUProfile() (stop func()) {
	path := os.Getenv("IMAGE_MCP_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
