package chartkit

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLeanSchema(t *testing.T) {
	probe := `{"type": "object", "description": "A probe.", "additionalProperties": false,
		"properties": {"enabled": {"type": "boolean", "default": true}, "path": {"type": "string", "pattern": "^/"}}}`
	queue := `{"properties": {"architecture": {"properties": {"mode": {"const": "queue"}}, "required": ["mode"]}}, "required": ["architecture"]}`
	tests := []struct {
		name   string
		editor string
		names  map[string]string
		want   string // the lean schema, $schema left out
		err    string
	}{
		{
			name:   "annotations go, rule messages stay",
			editor: `{"title": "t", "description": "d", "type": "object", "properties": {"a": {"type": "string", "description": "A.", "default": "x"}}, "allOf": [{"description": "a must be set", "required": ["a"]}]}`,
			want:   `{"type": "object", "properties": {"a": {"type": "string"}}, "allOf": [{"description": "a must be set", "required": ["a"]}]}`,
		},
		{
			name: "a rule nests as deep as its condition and requirement share a path",
			editor: `{"allOf": [{"description": "r",
				"if": {"properties": {"db": {"properties": {"mode": {"const": "external"}}, "required": ["mode"]}}, "required": ["db"]},
				"then": {"properties": {"db": {"properties": {"host": {"minLength": 1}}, "required": ["host"]}}, "required": ["db"]}}]}`,
			want: `{"allOf": [{"description": "r", "properties": {"db": {
				"if": {"properties": {"mode": {"const": "external"}}, "required": ["mode"]},
				"then": {"properties": {"host": {"minLength": 1}}, "required": ["host"]}}}}]}`,
		},
		{
			name:   "repeated values subtrees and conditions are defined once, named after their Go type and test",
			editor: `{"properties": {"api": {"properties": {"probe": ` + probe + `, "port": {"type": "integer"}}}, "web": {"properties": {"probe": ` + probe + `}}}, "allOf": [{"if": ` + queue + `, "then": {"required": ["api"]}}, {"if": ` + queue + `, "then": {"required": ["web"]}}]}`,
			names:  map[string]string{"api.probe": "Probe", "web.probe": "Probe"},
			want: `{"properties": {"api": {"properties": {"probe": {"$ref": "#/definitions/Probe"}, "port": {"type": "integer"}}}, "web": {"properties": {"probe": {"$ref": "#/definitions/Probe"}}}},
				"allOf": [{"if": {"$ref": "#/definitions/architecture.mode=queue"}, "then": {"required": ["api"]}}, {"if": {"$ref": "#/definitions/architecture.mode=queue"}, "then": {"required": ["web"]}}],
				"definitions": {
					"Probe": {"type": "object", "additionalProperties": false, "properties": {"enabled": {"type": "boolean"}, "path": {"type": "string", "pattern": "^/"}}},
					"architecture.mode=queue": ` + queue + `}}`,
		},
		{
			name:   "what a rule requires stays in its allOf entry, where pkg/render finds its message",
			editor: `{"properties": {"a": {"properties": {"b": {"const": 1}}, "required": ["b"]}}, "allOf": [{"then": {"properties": {"a": {"properties": {"b": {"const": 1}}, "required": ["b"]}}}, "if": {"required": ["a"]}}, {"properties": {"a": {"properties": {"b": {"const": 1}}, "required": ["b"]}}}]}`,
			want:   `{"properties": {"a": {"properties": {"b": {"const": 1}}, "required": ["b"]}}, "allOf": [{"then": {"properties": {"a": {"properties": {"b": {"const": 1}}, "required": ["b"]}}}, "if": {"required": ["a"]}}, {"properties": {"a": {"properties": {"b": {"const": 1}}, "required": ["b"]}}}]}`,
		},
		{
			name:   "keywords that differ in draft-07 are refused",
			editor: `{"properties": {"a": {"type": "array", "prefixItems": [{"type": "string"}]}}}`,
			err:    `#/properties/a: keyword "prefixItems" has no draft-07 equivalent`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := leanSchema([]byte(tc.editor), tc.names)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			var want map[string]any
			require.NoError(t, json.Unmarshal([]byte(tc.want), &want))
			want["$schema"] = draft07
			assert.JSONEq(t, canonical(want), string(got))
		})
	}
}
