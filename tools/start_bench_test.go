package tools

import (
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/image-mcp/image-mcp/capabilities"
)

// BenchmarkStart is what the binary does before it answers initialize: load the embedded
// capabilities and register every tool (profile with -cpuprofile).
func BenchmarkStart(b *testing.B) {
	for i := 0; i < b.N; i++ {
		caps := capabilities.Embedded()
		var all []*capabilities.Tool
		for _, c := range caps {
			all = append(all, c.Tools...)
		}
		e := New(Config{Tools: all})
		e.Register(mcp.NewServer(&mcp.Implementation{Name: "bench", Version: "1"}, nil))
	}
}
