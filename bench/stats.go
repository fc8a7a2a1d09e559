package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

func median(d []time.Duration) time.Duration { return percentile(d, 50) }

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(float64(len(s)-1) * p / 100)
	return s[i]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond)) }

func mib(kib int64) string { return fmt.Sprintf("%.1f MiB", float64(kib)/1024) }

func mibps(bytes int64, d time.Duration) float64 {
	return float64(bytes) / (1 << 20) / d.Seconds()
}

// goal is a target with its verdict, e.g. "≤ 20 MiB: met".
func goal(target string, met bool) string {
	if met {
		return target + ": met"
	}
	return target + ": NOT met"
}

// row is one line of the result table: a figure beside its baseline.
type row struct {
	section, measure, imageMCP, baseline, delta, target string
}

func printTable(w io.Writer, rows []row) {
	head := row{"section", "measure", "image-mcp", "baseline", "difference", "target"}
	all := append([]row{head}, rows...)
	width := make([]int, 6)
	cells := func(r row) []string { return []string{r.section, r.measure, r.imageMCP, r.baseline, r.delta, r.target} }
	for _, r := range all {
		for i, c := range cells(r) {
			if n := len([]rune(c)); n > width[i] {
				width[i] = n
			}
		}
	}
	line := func(r row) {
		var b strings.Builder
		b.WriteString("|")
		for i, c := range cells(r) {
			b.WriteString(" " + c + strings.Repeat(" ", width[i]-len([]rune(c))) + " |")
		}
		fmt.Fprintln(w, b.String())
	}
	line(head)
	var b strings.Builder
	b.WriteString("|")
	for _, n := range width {
		b.WriteString(strings.Repeat("-", n+2) + "|")
	}
	fmt.Fprintln(w, b.String())
	for _, r := range rows {
		line(r)
	}
}
