package main

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"
)

// callCase is one request timed three ways: through image-mcp (tool, args), through the
// floor server, and straight to the socket (direct); check judges an answer of either
// server.
type callCase struct {
	tool   string
	args   map[string]any
	direct string
	check  func(*toolResult) error
}

// overhead: the same request through MCP over stdio and straight to the Podman socket.
func (b *bench) overhead() ([]row, error) {
	if err := b.pod.importRandomImage(smallImage, 4096); err != nil {
		return nil, err
	}
	c, err := b.server("overhead")
	if err != nil {
		return nil, err
	}
	defer c.close()
	// The floor: the same request through a minimal go-sdk server (bench/floor), what
	// the go-sdk's stdio round trip costs with nothing of image-mcp.
	floor, err := startRPC(b.floor, []string{"PATH=" + os.Getenv("PATH"), "FLOOR_SOCKET=" + b.pod.sock, "FLOOR_PREFIX=" + b.pod.url("")})
	if err != nil {
		return nil, err
	}
	defer floor.close()
	if err := floor.initialize(); err != nil {
		return nil, fmt.Errorf("floor server: %w", err)
	}
	var rows []row
	for _, k := range b.callCases() {
		r, err := b.timeCalls(c, floor, k)
		rows = append(rows, r...)
		if err != nil {
			return rows, err
		}
	}
	return rows, nil
}

// callCases: image-exists (an empty answer) and list-images (a JSON list).
func (b *bench) callCases() []callCase {
	return []callCase{
		{b.tool("GET", "/libpod/images/{name}/exists"), map[string]any{"name": smallImage}, "/libpod/images/" + url.PathEscape(smallImage) + "/exists", func(r *toolResult) error {
			if r.Answer() != `{"exists":true}` {
				return fmt.Errorf("exists answered %s", r.Answer())
			}
			return nil
		}},
		{b.tool("GET", "/libpod/images/json"), map[string]any{}, "/libpod/images/json", func(r *toolResult) error {
			if !strings.Contains(r.Text(), "bench-small") {
				return fmt.Errorf("list-images lacks %s: %.200s", smallImage, r.Text())
			}
			return nil
		}},
	}
}

// timeCalls makes one call each way in turn, so that all see the same moments of the
// machine (another process's burst, the CPU's clock) and a drift cannot favour one.
func (b *bench) timeCalls(c, floor *rpcClient, k callCase) ([]row, error) {
	const warm = 20
	var viaMCP, viaFloor, direct []time.Duration
	for i := 0; i < b.cfg.calls+warm; i++ {
		res, d, err := c.timedTool(k.tool, k.args)
		if err == nil {
			err = k.check(res)
		}
		if err != nil {
			return nil, err
		}
		if i >= warm {
			viaMCP = append(viaMCP, d)
		}
		res, d, err = floor.timedTool("get", map[string]any{"path": k.direct})
		if err == nil {
			err = k.check(res)
		}
		if err != nil {
			return nil, fmt.Errorf("floor server: %w", err)
		}
		if i >= warm {
			viaFloor = append(viaFloor, d)
		}
		if d, err = b.timeDirect(k.direct); err != nil {
			return nil, err
		}
		if i >= warm {
			direct = append(direct, d)
		}
	}
	return overheadRows(k.tool, viaMCP, viaFloor, direct), nil
}

// timeDirect times the raw request to the socket, its body read and not decoded.
func (b *bench) timeDirect(path string) (time.Duration, error) {
	t0 := time.Now()
	resp, err := b.pod.api.Get(b.pod.url(path))
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 && resp.StatusCode != 204 {
		return 0, fmt.Errorf("GET %s: HTTP %d", path, resp.StatusCode)
	}
	return time.Since(t0), nil
}

func overheadRows(tool string, viaMCP, viaFloor, direct []time.Duration) []row {
	return []row{
		{"per call", fmt.Sprintf("%s median (%d calls)", tool, len(viaMCP)), ms(median(viaMCP)), ms(median(direct)) + " (HTTP to socket)", "+" + ms(median(viaMCP)-median(direct)),
			goal("added ≤ 0.25 ms", median(viaMCP)-median(direct) <= 250*time.Microsecond)},
		{"per call", tool + " p99", ms(percentile(viaMCP, 99)), ms(percentile(direct, 99)), "+" + ms(percentile(viaMCP, 99)-percentile(direct, 99)),
			goal("added ≤ 1 ms", percentile(viaMCP, 99)-percentile(direct, 99) <= time.Millisecond)},
		{"per call", tool + " floor: minimal go-sdk server, median", ms(median(viaFloor)), ms(median(direct)), "+" + ms(median(viaFloor)-median(direct)), ""},
		{"per call", tool + " floor: minimal go-sdk server, p99", ms(percentile(viaFloor, 99)), ms(percentile(direct, 99)), "+" + ms(percentile(viaFloor, 99)-percentile(direct, 99)), ""},
	}
}
