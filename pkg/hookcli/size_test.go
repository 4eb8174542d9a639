package hookcli

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestByteSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  bool
	}{
		{in: "1024", want: 1024},
		{in: "1KiB", want: 1024},
		{in: "10GiB", want: 10 << 30},
		{in: "500MB", want: 500e6},
		{in: "2G", want: 2 << 30},
		{in: "-1", err: true},
		{in: "lots", err: true},
		{in: "1e19", err: true},  // past int64: used to wrap around and fall back to cache_size
		{in: "inf", err: true},   // used to fall back to cache_size
		{in: "NaN", err: true},   // used to fall back to cache_size
		{in: "1e400", err: true}, // past float64
		{in: "9000000TB", want: 9e18},
		{in: "10000000TB", err: true}, // 1e19 B
	}
	for _, tc := range tests {
		got, err := byteSize("--max-size", tc.in)
		if tc.err {
			assert.Error(t, err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}
