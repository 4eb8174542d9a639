package chartkit

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUnreadValues(t *testing.T) {
	leaves := []string{"a.x", "a.y", "b.c.d", "b.c.e", "list", "m.one", "m.two"}
	helper := `{{- define "conn" -}}{{- $e := .Values.a -}}{{ toJson (dict "x" $e.x "y" $e.y) }}{{- end -}}
{{- define "use" -}}{{ .pg.d }}{{- end -}}
{{- define "whole" -}}{{ toJson .c }}{{- end -}}`
	tests := []struct {
		name   string
		tpl    string
		unread []string
	}{
		{"direct reads", `{{ .Values.a.x }}{{ $.Values.a.y }}{{ .Values.b.c.d }}{{ .Values.b.c.e }}{{ .Values.list }}{{ .Values.m.one }}{{ .Values.m.two }}`, nil},
		{"nothing read", `kind: ConfigMap`, leaves},
		{"variable and with", `{{ $b := .Values.b }}{{ $b.c.d }}{{ with .Values.m }}{{ .one }}{{ end }}`,
			[]string{"a.x", "a.y", "b.c.e", "list", "m.two"}},
		{"an if reads the value, not its children", `{{ if .Values.b.c }}{{ .Values.b.c.d }}{{ end }}`,
			[]string{"a.x", "a.y", "b.c.e", "list", "m.one", "m.two"}},
		{"an ancestor read whole", `{{ toYaml .Values.b }}{{ .Values.m | toJson }}`, []string{"a.x", "a.y", "list"}},
		{"below a leaf", `{{ .Values.list.foo }}`, []string{"a.x", "a.y", "b.c.d", "b.c.e", "m.one", "m.two"}},
		{"dict passed to a helper", `{{ include "use" (dict "ctx" $ "pg" .Values.b.c) }}`,
			[]string{"a.x", "a.y", "b.c.e", "list", "m.one", "m.two"}},
		{"dict passed whole", `{{ include "whole" (dict "c" .Values.b) }}`, []string{"a.x", "a.y", "list", "m.one", "m.two"}},
		{"JSON result used in part", `{{ $c := include "conn" . | fromJson }}{{ $c.x | quote }}`,
			[]string{"a.y", "b.c.d", "b.c.e", "list", "m.one", "m.two"}},
		{"JSON result printed", `{{ include "conn" . }}`, []string{"b.c.d", "b.c.e", "list", "m.one", "m.two"}},
		{"merge and default", `{{ $h := merge (dict "z" 1) .Values.m }}{{ $h.one }}{{ $d := default dict .Values.b.c }}{{ $d.e }}`,
			[]string{"a.x", "a.y", "b.c.d", "list", "m.two"}},
		{"index by literal list", `{{ range $k := list "one" "two" }}{{ (index $.Values.m $k) }}{{ end }}`,
			[]string{"a.x", "a.y", "b.c.d", "b.c.e", "list"}},
		{"index by a value", `{{ range $k := .Values.list }}{{ (index $.Values.b $k).d }}{{ end }}`,
			[]string{"a.x", "a.y", "b.c.e", "m.one", "m.two"}},
		{"range over a dict", `{{ range $k, $v := dict "A" .Values.a.x "B" .Values.m.two }}{{ $k }}={{ $v }}{{ end }}`,
			[]string{"a.y", "b.c.d", "b.c.e", "list", "m.one"}},
		{"helper through a scope dict", `{{ $s := dict "Values" (dict "a" (merge (dict "y" 1) .Values.a)) }}{{ include "conn" $s }}`,
			[]string{"b.c.d", "b.c.e", "list", "m.one", "m.two"}},
		{"reassigned variable keeps both", `{{ $v := .Values.a.x }}{{ if true }}{{ $v = .Values.a.y }}{{ end }}{{ $v }}`,
			[]string{"b.c.d", "b.c.e", "list", "m.one", "m.two"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := unreadValues(map[string]string{"_helpers.tpl": helper, "x.yaml": tt.tpl}, nil, leaves)
			require.NoError(t, err)
			assert.Equal(t, tt.unread, got)
		})
	}
}
