// Package version compares the dotted versions upstreams report (Podman's API version)
// with those the capability specs ask for (minVersion).
package version

import (
	"strconv"
	"strings"
)

// Compare compares dotted numeric versions ("4.3.1" < "4.10"); a suffix such as "-dev"
// after a number is ignored.
func Compare(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		x, y := part(as, i), part(bs, i)
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

func part(parts []string, i int) int {
	if i >= len(parts) {
		return 0
	}
	p := parts[i]
	end := 0
	for end < len(p) && p[end] >= '0' && p[end] <= '9' {
		end++
	}
	n, _ := strconv.Atoi(p[:end])
	return n
}
