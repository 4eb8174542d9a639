package chartkit

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/render"
)

// TestSimplify checks each rewrite's result, and that the rule before and after gives the same
// problems (path, message, rule) through pkg/render on documents at its edges: the property
// missing, not an object, each branch failing first.
func TestSimplify(t *testing.T) {
	const (
		aX = `{"properties": {"a": {"properties": {"x": {"const": 1}}, "required": ["x"]}}, "required": ["a"]}`
		aY = `{"properties": {"a": {"properties": {"y": {"const": 2}}, "required": ["y"]}}, "required": ["a"]}`
		bZ = `{"properties": {"b": {"properties": {"z": {"const": 3}}, "required": ["z"]}}, "required": ["b"]}`
	)
	docs := []string{`{}`, `{"a": 1}`, `{"a": {}}`, `{"a": {"x": 1}}`, `{"a": {"y": 2}}`, `{"a": {"x": 1, "y": 2}}`,
		`{"a": {"x": 0, "y": 0}}`, `{"a": {"x": 1, "y": 2}, "b": {}}`, `{"a": {"x": 0}, "b": {"z": 3}}`, `{"b": {"z": 0}}`,
		`{"a": {"x": 1, "y": 2}, "b": {"z": 3}}`, `{"a": {"x": 1, "y": 2}, "b": {"z": 3}, "c": 1}`, `{"a": {"x": 1, "y": 2}, "b": 3}`}
	tests := []struct {
		name, in, want string
	}{
		{"if true is its then", `{"properties": {"a": {"if": true, "then": {"const": 1}}}}`,
			`{"properties": {"a": {"const": 1}}}`},
		{"if/then on one property nests there", `{"if": ` + aX + `, "then": ` + aY + `}`,
			`{"properties": {"a": {"if": {"properties": {"x": {"const": 1}}, "required": ["x"]}, "then": {"properties": {"y": {"const": 2}}, "required": ["y"]}}}}`},
		{"if/then/else on one property nests there, required", `{"if": ` + aX + `, "then": ` + aY + `, "else": ` + aX + `}`,
			`{"properties": {"a": {"if": {"properties": {"x": {"const": 1}}, "required": ["x"]}, "then": {"properties": {"y": {"const": 2}}, "required": ["y"]}, "else": {"properties": {"x": {"const": 1}}, "required": ["x"]}}}, "required": ["a"]}`},
		{"if/then/else on different properties stays", `{"if": ` + aX + `, "then": ` + bZ + `, "else": ` + aY + `}`,
			`{"if": ` + aX + `, "then": ` + bZ + `, "else": ` + aY + `}`},
		{"a condition that the property is set", `{"if": {"required": ["a"]}, "then": ` + aY + `}`,
			`{"properties": {"a": {"properties": {"y": {"const": 2}}, "required": ["y"]}}}`},
		{"P(k, true) is required", `{"not": {"properties": {"a": true}, "required": ["a"]}}`, `{"not": {"required": ["a"]}}`},
		{"allOf neighbours on one property join", `{"allOf": [` + aX + `, ` + aY + `, ` + bZ + `]}`,
			`{"allOf": [{"properties": {"a": {"allOf": [{"properties": {"x": {"const": 1}}, "required": ["x"]}, {"properties": {"y": {"const": 2}}, "required": ["y"]}]}}, "required": ["a"]}, ` + bZ + `]}`},
		{"allOf entries apart stay apart", `{"allOf": [` + aX + `, ` + bZ + `, ` + aY + `]}`,
			`{"allOf": [` + aX + `, ` + bZ + `, ` + aY + `]}`},
		{"anyOf branches on one property join the first", `{"anyOf": [` + aX + `, ` + bZ + `, ` + aY + `]}`,
			`{"anyOf": [{"properties": {"a": {"anyOf": [{"properties": {"x": {"const": 1}}, "required": ["x"]}, {"properties": {"y": {"const": 2}}, "required": ["y"]}]}}, "required": ["a"]}, ` + bZ + `]}`},
		{"a single entry is itself, as deep as the joins go", `{"anyOf": [` + aX + `, ` + aY + `]}`,
			`{"properties": {"a": {"anyOf": [{"properties": {"x": {"const": 1}}, "required": ["x"]}, {"properties": {"y": {"const": 2}}, "required": ["y"]}]}}, "required": ["a"]}`},
		{"in a condition, allOf entries on one property or several join", `{"if": {"allOf": [` + aX + `, ` + bZ + `, ` + aY + `]}, "then": {"required": ["c"]}}`,
			`{"if": {"properties": {"a": {"properties": {"x": {"const": 1}, "y": {"const": 2}}, "required": ["x", "y"]}, "b": {"properties": {"z": {"const": 3}}, "required": ["z"]}}, "required": ["a", "b"]}, "then": {"required": ["c"]}}`},
		{"in a not, too", `{"not": {"allOf": [` + aX + `, ` + bZ + `]}}`,
			`{"not": {"properties": {"a": {"properties": {"x": {"const": 1}}, "required": ["x"]}, "b": {"properties": {"z": {"const": 3}}, "required": ["z"]}}, "required": ["a", "b"]}}`},
		{"but not in an anyOf: Helm lists every branch's failures", `{"anyOf": [{"required": ["c"]}, {"allOf": [` + aX + `, ` + bZ + `]}]}`,
			`{"anyOf": [{"required": ["c"]}, {"allOf": [` + aX + `, ` + bZ + `]}]}`},
		{"required and optional properties do not join", `{"anyOf": [` + aX + `, {"properties": {"a": {"const": 1}}}]}`,
			`{"anyOf": [` + aX + `, {"properties": {"a": {"const": 1}}}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var in, want map[string]any
			require.NoError(t, json.Unmarshal([]byte(tc.in), &in))
			require.NoError(t, json.Unmarshal([]byte(tc.want), &want))
			in["description"] = "the rule"
			want["description"] = "the rule"
			before := canonical(map[string]any{"allOf": []any{in}})
			got := simplifyRule(in)
			assert.JSONEq(t, canonical(want), canonical(got))
			after := canonical(map[string]any{"allOf": []any{got}})
			for _, doc := range docs {
				var vals map[string]any
				require.NoError(t, json.Unmarshal([]byte(doc), &vals))
				wantProblems, err := render.Validate([]byte(before), vals)
				require.NoError(t, err)
				gotProblems, err := render.Validate([]byte(after), vals)
				require.NoError(t, err)
				assert.Equal(t, wantProblems, gotProblems, doc)
			}
		})
	}
}

// TestLeanRulesFailInOrder checks every generated chart schema: outside conditions (if, not),
// no object in a rule tests several properties. Helm's validator walks those in Go's map
// order, so the problem pkg/render reports and Helm's message would change from run to run.
func TestLeanRulesFailInOrder(t *testing.T) {
	root, err := Root("")
	require.NoError(t, err)
	paths, err := filepath.Glob(filepath.Join(root, "charts", "*", "values.schema.json"))
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	var walk func(s any, ptr string, cond bool, bad *[]string)
	walk = func(s any, ptr string, cond bool, bad *[]string) {
		obj, ok := s.(map[string]any)
		if !ok {
			return
		}
		if props, _ := obj["properties"].(map[string]any); !cond && len(props) > 1 {
			*bad = append(*bad, ptr)
		}
		eachSubschema(obj, func(kw, key string, sub any) any {
			walk(sub, ptr+"/"+kw+pointerSuffix(key), cond || kw == "if" || kw == "not", bad)
			return sub
		})
	}
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		require.NoError(t, err)
		var doc map[string]any
		require.NoError(t, json.Unmarshal(raw, &doc), p)
		rules, _ := doc["allOf"].([]any)
		require.NotEmpty(t, rules, p)
		var bad []string
		for i, r := range rules {
			walk(r, fmt.Sprintf("#/allOf/%d", i), false, &bad)
		}
		assert.Empty(t, bad, p)
	}
}
