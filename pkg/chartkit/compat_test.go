package chartkit

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A Compat declaration that cannot work is refused when the chart is generated, saying why.
func TestCompatCheck(t *testing.T) {
	defaults := map[string]any{"a": map[string]any{"b": "x", "c": 1}, "d": true}
	tests := []struct {
		name   string
		compat Compat
		err    string
	}{
		{"valid", Compat{From: "o", Same: []string{"d"}, Aliases: []Alias{{From: "e.f", To: "a.b"}}, Refusals: []Refusal{{Path: "g", Reason: "use d"}}}, ""},
		{"declared twice", Compat{From: "o", Same: []string{"d"}, Refusals: []Refusal{{Path: "d", Reason: "r"}}}, "d is declared twice"},
		{"same key not ours", Compat{From: "o", Same: []string{"zz"}}, "zz is not a value of the chart"},
		{"alias to nothing", Compat{From: "o", Aliases: []Alias{{From: "e", To: "a.zz"}}}, "a.zz is not a value of the chart"},
		{"alias of our own key", Compat{From: "o", Aliases: []Alias{{From: "a.c", To: "a.b"}}}, "alias a.c is a value of the chart already"},
		{"alias not a plain key", Compat{From: "o", Aliases: []Alias{{From: "e.10-x", To: "a.b"}}}, `"10-x" is not a plain key`},
		{"refusing our key", Compat{From: "o", Refusals: []Refusal{{Path: "a.b", Reason: "r"}}}, "refused key a.b is a value of the chart"},
		{"quotes in a message", Compat{From: "o", Refusals: []Refusal{{Path: "g", Reason: "the chart's"}}}, "no quotes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.compat.check(defaults)
			if tc.err == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.err)
		})
	}
}

func TestCompatLookup(t *testing.T) {
	c := Compat{From: "o", Same: []string{"d"}, Aliases: []Alias{{From: "e.f", To: "a.b"}}, Refusals: []Refusal{{Path: "g", Reason: "use d"}}}
	_, _, same := c.Lookup("d")
	assert.True(t, same)
	a, _, _ := c.Lookup("e.f")
	require.NotNil(t, a)
	assert.Equal(t, "a.b", a.To)
	_, r, _ := c.Lookup("g.h.i")
	require.NotNil(t, r, "a key under a refused block is that refusal")
	assert.Equal(t, "g (a o chart key) is not supported: use d", r.Message(c.From))
	a, r, same = c.Lookup("gg")
	assert.True(t, a == nil && r == nil && !same)
}
