package main

import (
	"os"
	"strings"
	"testing"
)

// TestQuick runs the bench's smoke mode so the bench cannot rot: every section runs
// against the real Podman and the StackRox stand-in, and every answer is checked. It
// prints the table; it asserts no timings (speed is measured, not tested).
func TestQuick(t *testing.T) {
	c := quickConfig(config{})
	rows, err := run(c, os.Stderr)
	var b strings.Builder
	printTable(&b, rows)
	t.Log("\n" + b.String())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"start", "tools/list", "per call", "streams", "stackrox", "concurrency"} {
		found := false
		for _, r := range rows {
			found = found || r.section == want
		}
		if !found {
			t.Errorf("no %q figures", want)
		}
	}
}
