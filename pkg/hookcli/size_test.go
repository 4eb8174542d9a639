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
	}
	for _, tc := range tests {
		got, err := byteSize(tc.in)
		if tc.err {
			assert.Error(t, err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}
