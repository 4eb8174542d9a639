package chartkit

import (
	"encoding/json"
	"testing"

	"github.com/invopop/jsonschema"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWithin checks the schema of a condition written within an object, and that aliases
// resolve relative to it.
func TestWithin(t *testing.T) {
	cond := Within("a.b", IfElse(Eq("t", "x"), NotEmpty("p"), Not(leaf{"p", &jsonschema.Schema{}})))
	tests := []struct {
		name    string
		aliases map[string][]string
		want    string
	}{
		{"no step is required", nil,
			`{"properties": {"a": {"properties": {"b": {
				"if": {"properties": {"t": {"const": "x"}}, "required": ["t"]},
				"then": {"properties": {"p": {"type": "string", "minLength": 1}}, "required": ["p"]},
				"else": {"not": {"properties": {"p": true}, "required": ["p"]}}}}}}}`},
		{"aliases inside the object resolve relative to it", map[string][]string{"a.b.t": {"a.b.old"}, "t": {"u"}},
			`{"properties": {"a": {"properties": {"b": {
				"if": {"if": {"properties": {"old": true}, "required": ["old"]}, "then": {"properties": {"old": {"const": "x"}}, "required": ["old"]}, "else": {"properties": {"t": {"const": "x"}}, "required": ["t"]}},
				"then": {"properties": {"p": {"type": "string", "minLength": 1}}, "required": ["p"]},
				"else": {"not": {"properties": {"p": true}, "required": ["p"]}}}}}}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := json.Marshal(resolveCond(cond, tc.aliases).schema())
			require.NoError(t, err)
			assert.JSONEq(t, tc.want, string(got))
		})
	}
	assert.PanicsWithValue(t, "within a.b: the alias old of a.b.t is outside it", func() {
		resolveCond(cond, map[string][]string{"a.b.t": {"old"}})
	})
}
