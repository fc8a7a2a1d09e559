// Command floor is the bench's measure of what the go-sdk alone costs a call: a minimal
// MCP server on stdio with one tool, get, that sends a GET to the Podman socket and
// answers with the body, with none of image-mcp (no stdio guard, no argument check, no
// shaping, no log). The bench times its calls beside image-mcp's and the raw request
// (go run ./bench -only overhead), and its start beside image-mcp's (-only start; with
// --version it only prints a line, the floor of its start).
//
//	FLOOR_SOCKET=/path/podman.sock FLOOR_PREFIX=http://d/v4.3.1 floor
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "--version" {
		fmt.Println("floor 1")
		return
	}
	sock, prefix := os.Getenv("FLOOR_SOCKET"), os.Getenv("FLOOR_PREFIX")
	hc := &http.Client{Transport: &http.Transport{
		MaxIdleConnsPerHost: 64,
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
	}}
	s := mcp.NewServer(&mcp.Implementation{Name: "floor", Version: "1"}, nil)
	s.AddTool(&mcp.Tool{Name: "get", InputSchema: json.RawMessage(`{"type":"object","properties":{"path":{"type":"string"}}}`)},
		func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			var args struct{ Path string }
			if err := json.Unmarshal(req.Params.Arguments, &args); err != nil {
				return nil, err
			}
			hr, err := http.NewRequestWithContext(ctx, http.MethodGet, prefix+args.Path, nil)
			if err != nil {
				return nil, err
			}
			resp, err := hc.Do(hr)
			if err != nil {
				return nil, err
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				return nil, err
			}
			res := &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: string(body)}}}
			switch resp.StatusCode {
			case http.StatusOK:
			case http.StatusNoContent: // exists
				res.Content = []mcp.Content{&mcp.TextContent{Text: `{"exists":true}`}}
			default:
				res.IsError = true
				res.Content = []mcp.Content{&mcp.TextContent{Text: fmt.Sprintf("HTTP %d: %s", resp.StatusCode, body)}}
			}
			return res, nil
		})
	if err := s.Run(context.Background(), &mcp.StdioTransport{}); err != nil && err != io.EOF {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}
