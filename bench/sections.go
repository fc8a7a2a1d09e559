package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

const smallImage = "localhost/bench-small:1"

// start: exec → initialize answered → tools/list answered, and RSS then. Baseline: exec of
// the same binary with --version (process start and Go runtime, nothing of MCP).
func (b *bench) start() ([]row, error) {
	var took, base, floorTook, floorBase []time.Duration
	var rss []time.Duration // KiB, kept as Durations to reuse median
	for i := 0; i < b.cfg.startRuns; i++ {
		d, kib, err := timeStart(b.binary, b.env(""))
		if err != nil {
			return nil, err
		}
		took, rss = append(took, d), append(rss, time.Duration(kib))
		if d, err = timeVersion(b.binary); err != nil {
			return nil, err
		}
		base = append(base, d)

		// The floor: a minimal go-sdk server (bench/floor, one tool), the same way.
		if d, _, err = timeStart(b.floor, []string{"PATH=" + os.Getenv("PATH")}); err != nil {
			return nil, fmt.Errorf("floor server: %w", err)
		}
		floorTook = append(floorTook, d)
		if d, err = timeVersion(b.floor); err != nil {
			return nil, err
		}
		floorBase = append(floorBase, d)
	}
	m, mb := median(took), median(base)
	fm, fmb := median(floorTook), median(floorBase)
	return []row{
		{"start", fmt.Sprintf("exec → initialize → tools/list, median of %d", len(took)), ms(m), ms(mb) + " (exec of --version)", "+" + ms(m-mb), goal("≤ --version + 3 ms", m-mb <= 3*time.Millisecond)},
		{"start", "floor: minimal go-sdk server (1 tool), the same", ms(fm), ms(fmb) + " (its --version)", "+" + ms(fm-fmb), ""},
		{"start", "RSS after start (VmRSS), median", mib(int64(median(rss))), "", "", goal("≤ 20 MiB", median(rss) <= 20<<10)},
	}, nil
}

// timeStart times exec → initialize answered → tools/list answered, and reads the RSS then.
func timeStart(binary string, env []string) (time.Duration, int64, error) {
	t0 := time.Now()
	c, err := startRPC(binary, env)
	if err != nil {
		return 0, 0, err
	}
	err = c.initialize()
	if err == nil {
		_, err = c.call("tools/list", map[string]any{})
	}
	d := time.Since(t0)
	kib := procKiB(c.cmd.Process.Pid, "VmRSS")
	c.close()
	return d, kib, err
}

// timeVersion times an exec of binary --version.
func timeVersion(binary string) (time.Duration, error) {
	t0 := time.Now()
	if out, err := exec.Command(binary, "--version").CombinedOutput(); err != nil {
		return 0, fmt.Errorf("%s --version: %v: %s", binary, err, out)
	}
	return time.Since(t0), nil
}

// toolsList: the size of tools/list (compact JSON), which every client pays in every
// conversation, whole and per tool, largest first.
func (b *bench) toolsList() ([]row, error) {
	c, err := startRPC(b.binary, b.env(""))
	if err != nil {
		return nil, err
	}
	defer c.close()
	if err := c.initialize(); err != nil {
		return nil, err
	}
	r, err := c.call("tools/list", map[string]any{})
	if err != nil {
		return nil, err
	}
	var whole bytes.Buffer
	if err := json.Compact(&whole, r.Result); err != nil {
		return nil, err
	}
	var list struct{ Tools []json.RawMessage }
	if err := json.Unmarshal(r.Result, &list); err != nil || len(list.Tools) == 0 {
		return nil, fmt.Errorf("tools/list: %v: %.200s", err, r.Result)
	}
	type sized struct {
		name string
		size int
	}
	var tools []sized
	for _, raw := range list.Tools {
		var one bytes.Buffer
		json.Compact(&one, raw)
		var t struct{ Name string }
		json.Unmarshal(raw, &t)
		tools = append(tools, sized{t.Name, one.Len()})
	}
	sort.SliceStable(tools, func(i, j int) bool { return tools[i].size > tools[j].size })
	rows := []row{{"tools/list", fmt.Sprintf("whole answer, %d tools", len(tools)), fmt.Sprintf("%d B (%d B a tool)", whole.Len(), whole.Len()/len(tools)), "", "", goal("≤ 24,000 B", whole.Len() <= 24_000)}}
	for _, t := range tools {
		rows = append(rows, row{"tools/list", t.name, fmt.Sprintf("%d B", t.size), "", "", ""})
	}
	return rows, nil
}

// streams: export (get) of a big image to a file and load of that file, through
// image-mcp and with curl on the socket.
func (b *bench) streams() ([]row, error) {
	const ref = "localhost/bench-big:1"
	size := b.cfg.imageMiB << 20
	b.log("importing a %d MiB image…", b.cfg.imageMiB)
	if err := b.pod.importRandomImage(ref, size); err != nil {
		return nil, err
	}
	defer b.pod.remove(ref)
	c, err := b.server("streams")
	if err != nil {
		return nil, err
	}
	defer c.close()
	curlFile, mcpFile := filepath.Join(b.dir, "curl-export.tar"), filepath.Join(b.dir, "mcp-export.tar")
	defer os.Remove(curlFile)
	defer os.Remove(mcpFile)
	sock := b.pod.sock
	getURL := b.pod.url("/libpod/images/" + url.PathEscape(ref) + "/get")

	t0 := time.Now()
	if out, err := exec.Command("curl", "-sS", "--fail", "--unix-socket", sock, "-o", curlFile, getURL).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("curl export: %v: %s", err, out)
	}
	curlExport := time.Since(t0)
	t0 = time.Now()
	if _, _, err := c.mustTool(b.tool("GET", "/libpod/images/{name}/get"), map[string]any{"name": ref, "output": mcpFile}); err != nil {
		return nil, err
	}
	mcpExport := time.Since(t0)
	ci, err1 := os.Stat(curlFile)
	mi, err2 := os.Stat(mcpFile)
	if err1 != nil || err2 != nil || ci.Size() != mi.Size() {
		return nil, fmt.Errorf("export sizes differ: curl %v %v, image-mcp %v %v", ci, err1, mi, err2)
	}
	n := mi.Size()

	t0 = time.Now()
	loadURL := b.pod.url("/libpod/images/load")
	if out, err := exec.Command("curl", "-sS", "--fail", "--unix-socket", sock, "-X", "POST", "-T", curlFile,
		"-H", "Content-Type: application/x-tar", "-H", "Expect:", "-o", "/dev/null", loadURL).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("curl load: %v: %s", err, out)
	}
	curlLoad := time.Since(t0)
	t0 = time.Now()
	if _, _, err := c.mustTool(b.tool("POST", "/libpod/images/load"), map[string]any{"upload": mcpFile}); err != nil {
		return nil, err
	}
	mcpLoad := time.Since(t0)
	hwm := procKiB(c.cmd.Process.Pid, "VmHWM")

	pct := func(a, base time.Duration) string {
		return fmt.Sprintf("%.0f %% of curl", 100*base.Seconds()/a.Seconds())
	}
	return []row{
		{"streams", fmt.Sprintf("export %d MiB to a file", n>>20), fmt.Sprintf("%.0f MiB/s", mibps(n, mcpExport)), fmt.Sprintf("%.0f MiB/s (curl -o)", mibps(n, curlExport)), pct(mcpExport, curlExport), goal("≥ 90 % of curl", curlExport.Seconds() >= 0.9*mcpExport.Seconds())},
		{"streams", fmt.Sprintf("load %d MiB from the file", n>>20), fmt.Sprintf("%.0f MiB/s", mibps(n, mcpLoad)), fmt.Sprintf("%.0f MiB/s (curl -T)", mibps(n, curlLoad)), pct(mcpLoad, curlLoad), goal("≥ 90 % of curl", curlLoad.Seconds() >= 0.9*mcpLoad.Seconds())},
		{"streams", "peak RSS of image-mcp (VmHWM)", mib(hwm), "", "", goal("≤ 64 MiB", hwm <= 64<<10)},
	}, nil
}

// stackrox: ListImages of many images and GetImage of the big fixture from the TLS
// stand-in, through image-mcp and with Go's HTTPS client.
func (b *bench) stackrox() ([]row, error) {
	c, err := b.server("stackrox")
	if err != nil {
		return nil, err
	}
	defer c.close()
	runs := 21
	if b.cfg.quick {
		runs = 2
	}
	var rows []row
	for _, k := range []struct {
		name, tool string
		args       map[string]any
		path       string
	}{
		{fmt.Sprintf("ListImages of %d images (Central's page: 1000)", b.central.ImageCount()), b.tool("GET", "/v1/images"), map[string]any{}, "/v1/images"},
		{fmt.Sprintf("GetImage of the %.1f MB fixture", float64(len(b.central.fixture))/1e6), b.tool("GET", "/v1/images/{id}"), map[string]any{"id": b.central.fixtureID}, "/v1/images/" + b.central.fixtureID},
	} {
		var viaMCP, direct []time.Duration
		var lineBytes, modelChars, upBytes int
		res, n, err := c.mustTool(k.tool, k.args) // also the first request's set-up, untimed
		if err != nil {
			return rows, err
		}
		lineBytes, modelChars = n, res.Chars()
		for i := 0; i < runs; i++ {
			_, d, err := c.timedTool(k.tool, k.args)
			if err != nil {
				return rows, err
			}
			viaMCP = append(viaMCP, d)
			t0 := time.Now()
			if upBytes, err = b.central.get(k.path); err != nil {
				return rows, err
			}
			direct = append(direct, time.Since(t0))
		}
		rows = append(rows,
			row{"stackrox", k.name + ", median", ms(median(viaMCP)), ms(median(direct)) + " (HTTPS GET)", "+" + ms(median(viaMCP)-median(direct)),
				goal("≤ 4× the GET", median(viaMCP) <= 4*median(direct))},
			row{"stackrox", k.name + ", what the model reads", fmt.Sprintf("%d chars (%d B on the wire)", modelChars, lineBytes), fmt.Sprintf("%d B upstream", upBytes), fmt.Sprintf("%.1f %%", 100*float64(modelChars)/float64(upBytes)), goal("≤ 40,000 chars", modelChars <= 40_000)},
		)
	}
	hwm := procKiB(c.cmd.Process.Pid, "VmHWM")
	rows = append(rows, row{"stackrox", "peak RSS of image-mcp (VmHWM)", mib(hwm), "", "", goal("≤ 24 MiB", hwm <= 24<<10)})
	return rows, nil
}

// concurrency: many calls in flight at once, mixed tools, every answer checked; throughput
// against the same calls one at a time.
func (b *bench) concurrency() ([]row, error) {
	c, err := b.server("concurrency")
	if err != nil {
		return nil, err
	}
	defer c.close()
	resp, err := b.pod.api.Get(b.pod.url("/libpod/images/" + url.PathEscape(smallImage) + "/json"))
	if err != nil {
		return nil, err
	}
	var img struct{ Id string }
	json.NewDecoder(resp.Body).Decode(&img)
	resp.Body.Close()
	if img.Id == "" {
		return nil, fmt.Errorf("cannot inspect %s directly", smallImage)
	}
	type kind struct {
		tool  string
		args  map[string]any
		check func(*toolResult) bool
	}
	kinds := []kind{
		{b.tool("GET", "/libpod/images/{name}/exists"), map[string]any{"name": smallImage}, func(r *toolResult) bool { return r.Answer() == `{"exists":true}` }},
		{b.tool("GET", "/libpod/images/{name}/exists"), map[string]any{"name": "localhost/bench-missing:1"}, func(r *toolResult) bool { return r.Answer() == `{"exists":false}` }},
		{b.tool("GET", "/libpod/images/json"), map[string]any{"fields": []string{"Id", "Names"}}, func(r *toolResult) bool { return strings.Contains(r.Text(), img.Id) }},
		{b.tool("GET", "/libpod/images/{name}/json"), map[string]any{"name": smallImage}, func(r *toolResult) bool { return strings.Contains(r.Text(), img.Id) }},
		{b.tool("GET", "/libpod/images/{name}/json"), map[string]any{"name": "localhost/bench-missing:1"}, func(r *toolResult) bool { return r.IsError && strings.Contains(r.Text(), "404") }},
		{b.tool("GET", "/v1/imagescount"), map[string]any{}, func(r *toolResult) bool {
			n := b.central.ImageCount()
			return strings.Contains(r.Text(), fmt.Sprintf(`"count":%d`, n)) || strings.Contains(r.Text(), fmt.Sprintf(`"count": %d`, n))
		}},
	}
	total := b.cfg.inFlight * b.cfg.rounds
	var mu sync.Mutex
	var wrong []string
	one := func(i int) {
		k := kinds[i%len(kinds)]
		res, _, err := c.tool(k.tool, k.args)
		if err != nil || !k.check(res) {
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				wrong = append(wrong, fmt.Sprintf("%s: %v", k.tool, err))
			} else {
				wrong = append(wrong, fmt.Sprintf("%s(%v): %.300s", k.tool, k.args, res.Text()))
			}
		}
	}
	for i := 0; i < len(kinds); i++ { // warm up
		one(i)
	}
	t0 := time.Now()
	for i := 0; i < total; i++ {
		one(i)
	}
	seq := time.Since(t0)
	t0 = time.Now()
	for r := 0; r < b.cfg.rounds; r++ {
		var wg sync.WaitGroup
		for i := 0; i < b.cfg.inFlight; i++ {
			wg.Add(1)
			go func(i int) { defer wg.Done(); one(r*b.cfg.inFlight + i) }(i)
		}
		wg.Wait()
	}
	par := time.Since(t0)
	rate := func(d time.Duration) float64 { return float64(total) / d.Seconds() }
	rows := []row{
		{"concurrency", fmt.Sprintf("%d calls, %d in flight (%d tools mixed)", total, b.cfg.inFlight, len(kinds)), fmt.Sprintf("%.0f calls/s", rate(par)), fmt.Sprintf("%.0f calls/s (1 at a time)", rate(seq)), fmt.Sprintf("×%.2f", rate(par)/rate(seq)), ""},
		{"concurrency", "answers correct", fmt.Sprintf("%d of %d", 2*total+len(kinds)-len(wrong), 2*total+len(kinds)), "", "", "all"},
	}
	if len(wrong) > 0 {
		return rows, fmt.Errorf("%d wrong answers, e.g. %s", len(wrong), wrong[0])
	}
	if junk := c.junk; len(junk) > 0 {
		return rows, fmt.Errorf("stdout carried non-JSON-RPC lines: %q", junk[0])
	}
	return rows, nil
}
