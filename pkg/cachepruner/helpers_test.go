package cachepruner_test

import (
	"strconv"
	"strings"
)

func formatInt(n int64) string { return strconv.FormatInt(n, 10) }

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

// sprintf2 fills every %s with the same role name.
func sprintf2(format, role string) string { return strings.ReplaceAll(format, "%s", role) }
