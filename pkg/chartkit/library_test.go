package chartkit

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sharedLibrary(t *testing.T) []libraryFile {
	t.Helper()
	lib, err := readLibrary(library)
	require.NoError(t, err)
	return lib
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

func TestReadLibraryFindsEveryHelper(t *testing.T) {
	lib := sharedLibrary(t)
	require.NotEmpty(t, lib)
	for _, f := range lib {
		data, err := library.ReadFile(libraryDir + "/" + f.name)
		require.NoError(t, err)
		assert.Contains(t, f.header, "shared helper library", f.name)
		assert.Contains(t, strings.Join(strings.Fields(f.header), " "), "pkg/chartkit/templates/"+f.name+": edit it there", f.name)
		require.Equal(t, strings.Count(string(data), `{{- define "`), len(f.helpers), f.name)
		for _, h := range f.helpers {
			assert.True(t, strings.HasPrefix(strings.TrimLeft(h.text, " "), "{{"), h.name)
			assert.Equal(t, 1, strings.Count(h.text, `{{- define "`), "%s holds exactly its own define", h.name)
			parses(t, h.text) // each helper is a complete template on its own
		}
	}
}

// A helper's file is guessable from its name: flotilla.<concept>.x lives in _<concept>.tpl.
func TestLibraryFileFollowsHelperName(t *testing.T) {
	for _, f := range sharedLibrary(t) {
		for _, h := range f.helpers {
			parts := strings.Split(h.name, ".")
			if len(parts) == 3 {
				assert.Equal(t, "_"+parts[1]+".tpl", f.name, h.name)
			}
		}
	}
}

func TestReadLibraryRefusesADefineInTwoFiles(t *testing.T) {
	one := []byte("{{/* a */}}\n{{- define \"flotilla.x\" -}}x{{- end -}}\n")
	_, err := readLibrary(fstest.MapFS{"templates/_a.tpl": {Data: one}, "templates/_b.tpl": {Data: one}})
	assert.ErrorContains(t, err, "flotilla.x is defined in _a.tpl and _b.tpl")
}

func TestLibraryForKeepsOnlyWhatIsUsed(t *testing.T) {
	lib := sharedLibrary(t)
	templates := fstest.MapFS{"templates/svc.yaml": {Data: []byte(`{{ include "flotilla.service" (dict "ctx" . "component" "main" "targetPort" "http") }}`)}}
	out, _, err := libraryFor(lib, templates)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"_names.tpl", "_service.tpl"}, keys(out), "only files with a used helper")
	all := string(out["_names.tpl"]) + string(out["_service.tpl"])
	for _, want := range []string{"flotilla.service", "flotilla.serviceFor", "flotilla.labels", "flotilla.selectorLabels", "flotilla.fullname"} {
		assert.Contains(t, all, `define "`+want+`"`, "used directly or through another helper")
	}
	assert.NotContains(t, all, `define "flotilla.componentService"`, "same file, not used")
	assert.NotContains(t, all, `define "flotilla.podMetadata"`, "same file, not used")
	for name, text := range out {
		assert.True(t, strings.HasPrefix(string(text), "{{/*\nFlotilla's shared helper library"), "%s starts with its header", name)
		parses(t, string(text))
	}

	_, _, err = libraryFor(lib, fstest.MapFS{"templates/x.yaml": {Data: []byte(`{{ include "flotilla.nope" . }}`)}})
	assert.ErrorContains(t, err, `templates use "flotilla.nope", which the shared library does not define`)
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestLibraryForWritesLazyHelpersToFiles(t *testing.T) {
	lib := sharedLibrary(t)
	templates := fstest.MapFS{"templates/status.yaml": {Data: []byte(`{{ include "flotilla.status" (dict "ctx" . "checks" list) }}`)}}
	out, lazy, err := libraryFor(lib, templates)
	require.NoError(t, err)
	require.Contains(t, lazy, "status")
	body := string(lazy["status"])
	assert.Contains(t, body, `define "flotilla.status#lazy" -}}`, "the helper's own text, under its body name (not the stub's)")
	assert.NotContains(t, body, "{{/*", "comments trim the whitespace around them, so tpl prints only the helper")
	stub := string(out["_status.tpl"])
	assert.Contains(t, stub, `include "flotilla.lazy" (dict "file" "status" "name" "flotilla.status" "args" .)`)
	assert.NotContains(t, stub, "--keys-file=", "the body is not a template")
	assert.Contains(t, string(out["_lazy.tpl"]), `define "flotilla.lazy"`, "the stub's runner comes along")
	assert.Contains(t, string(out["_names.tpl"]), `define "flotilla.fullname"`, "what the lazy body uses stays a template")
	for _, text := range out {
		parses(t, string(text))
	}
	parses(t, body)
}

// Helm before 3.14 parses tpl's text first and every template of the chart after it, so a
// template defining a lazy body's name would replace the body (and the stub would call itself
// through tpl until Helm gives up). No chart file may define what a template defines.
func TestLazyBodiesHaveNamesOfTheirOwn(t *testing.T) {
	wd, err := os.Getwd()
	require.NoError(t, err)
	root, err := FindRoot(wd)
	require.NoError(t, err)
	charts, err := filepath.Glob(filepath.Join(root, "charts", "*", "Chart.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, charts)
	defines := func(pattern string) map[string]string {
		files, err := filepath.Glob(pattern)
		require.NoError(t, err)
		out := map[string]string{}
		for _, f := range files {
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			for _, m := range regexp.MustCompile(`define "([^"]+)"`).FindAllStringSubmatch(string(data), -1) {
				out[m[1]] = f
			}
		}
		return out
	}
	lazyBodies := 0
	for _, c := range charts {
		dir := filepath.Dir(c)
		templates := defines(filepath.Join(dir, "templates", "flotilla", "_*.tpl"))
		for name, f := range defines(filepath.Join(dir, "files", "flotilla", "*.tpl")) {
			lazyBodies++
			assert.True(t, strings.HasSuffix(name, lazySuffix), "%s defines %s: a lazy body's name ends in %s", f, name, lazySuffix)
			assert.NotContains(t, templates, name, "%s: %s is also defined by a template", f, name)
			assert.Contains(t, templates, strings.TrimSuffix(name, lazySuffix), "%s: %s has a stub", f, name)
		}
	}
	assert.Greater(t, lazyBodies, 10, "the charts have lazy helpers")
}
