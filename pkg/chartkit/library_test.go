package chartkit

import (
	"strings"
	"testing"
	"testing/fstest"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sharedLibrary(t *testing.T) string {
	t.Helper()
	lib, err := library.ReadFile(LibraryTemplate)
	require.NoError(t, err)
	return string(lib)
}

func parses(t *testing.T, text string) {
	t.Helper()
	funcs := sprig.TxtFuncMap()
	for _, f := range []string{"include", "tpl", "required", "lookup", "toYaml", "fromYaml", "toJson", "fromJson", "fromJsonArray", "toToml", "fromYamlArray"} {
		funcs[f] = func(...any) any { return nil }
	}
	_, err := template.New("lib").Funcs(funcs).Parse(text)
	require.NoError(t, err)
}

func TestSplitLibraryFindsEveryHelper(t *testing.T) {
	lib := sharedLibrary(t)
	header, helpers, err := splitLibrary(lib)
	require.NoError(t, err)
	assert.Contains(t, header, "shared helper library")
	require.Equal(t, strings.Count(lib, `{{- define "`), len(helpers))
	for _, h := range helpers {
		assert.True(t, strings.HasPrefix(strings.TrimLeft(h.text, " "), "{{"), h.name)
		assert.Equal(t, 1, strings.Count(h.text, `{{- define "`), "%s holds exactly its own define", h.name)
		parses(t, h.text) // each helper is a complete template on its own
	}
}

func TestLibraryForKeepsOnlyWhatIsUsed(t *testing.T) {
	lib := sharedLibrary(t)
	templates := fstest.MapFS{"templates/svc.yaml": {Data: []byte(`{{ include "flotilla.service" (dict "ctx" . "component" "main" "targetPort" "http") }}`)}}
	out, err := libraryFor(lib, templates)
	require.NoError(t, err)
	text := string(out)
	for _, want := range []string{"flotilla.service", "flotilla.labels", "flotilla.selectorLabels", "flotilla.fullname"} {
		assert.Contains(t, text, `define "`+want+`"`, "used directly or through another helper")
	}
	assert.NotContains(t, text, `define "flotilla.postgresql"`)
	assert.NotContains(t, text, `define "flotilla.redis"`)
	parses(t, text)

	_, err = libraryFor(lib, fstest.MapFS{"templates/x.yaml": {Data: []byte(`{{ include "flotilla.nope" . }}`)}})
	assert.ErrorContains(t, err, `templates use "flotilla.nope", which the shared library does not define`)
}
