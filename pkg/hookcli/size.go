package hookcli

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/flotilla/flotilla/pkg/cachepruner"
)

// byteSize parses the value of flag name: 1073741824, 1GiB, 500MB, 10G (G = GiB). NaN,
// infinities and sizes past int64 are refused (a usage error naming the flag and range).
func byteSize(name, s string) (int64, error) {
	s = strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   float64
	}{
		{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
		{"kB", 1e3}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
		{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"T", 1 << 40}, {"B", 1},
	}
	mult := 1.0
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, usageError{fmt.Sprintf("%s: not a size in bytes: %q", name, s)}
	}
	n, err := cachepruner.SizeFromBytes(name, f*mult)
	if err != nil {
		return 0, usageError{err.Error()}
	}
	return n, nil
}

// humanBytes renders n in binary units: 512 B, 1.5 KiB, 10.0 GiB.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
