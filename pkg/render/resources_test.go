package render

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCheckResources(t *testing.T) {
	tests := []struct {
		name string
		vals map[string]any
		want []string // paths
	}{
		{"request below limit", map[string]any{"a": map[string]any{"resources": map[string]any{
			"requests": map[string]any{"cpu": "500m", "memory": 1e9}, "limits": map[string]any{"cpu": 1.0, "memory": "1Gi"}}}}, nil},
		{"no limit", map[string]any{"resources": map[string]any{"requests": map[string]any{"cpu": "4"}}}, nil},
		{"request above limit, units differ", map[string]any{"a": map[string]any{"b": map[string]any{"resources": map[string]any{
			"requests": map[string]any{"cpu": "1.5", "memory": "2Gi"}, "limits": map[string]any{"cpu": "1500m", "memory": "2G"}}}}},
			[]string{"a.b.resources.requests.memory"}},
		{"numbers", map[string]any{"resources": map[string]any{"requests": map[string]any{"cpu": 2.0}, "limits": map[string]any{"cpu": 1.0}}},
			[]string{"resources.requests.cpu"}},
		{"unparsable left to the schema", map[string]any{"resources": map[string]any{"requests": map[string]any{"cpu": "-x"}, "limits": map[string]any{"cpu": "1"}}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, p := range checkResources(tc.vals) {
				got = append(got, p.Path)
			}
			assert.Equal(t, tc.want, got)
		})
	}
}
