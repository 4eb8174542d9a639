package render_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"path/filepath"
	"sync"
	"testing"
	"testing/cryptotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"helm.sh/helm/v3/pkg/chart"
	"sigs.k8s.io/yaml"

	"github.com/flotilla/flotilla/pkg/charttest"
	"github.com/flotilla/flotilla/pkg/render"
)

// fastEngineDocs is how many fuzzed documents per chart TestFastEngineMatchesHelm compares
// (FLOTILLA_FUZZ_N overrides it).
const fastEngineDocs = 150

// variants are turned on over every example (the first is the defaults): each runs templates a default render does not
// (lazy bodies through tpl, hook Jobs, restricted egress, ExternalSecrets).
var variants = []string{
	``,
	`status: {enabled: true}`,
	`secrets: {generation: hook}`,
	`networkPolicy: {egress: {restrict: true}}`,
	`externalSecrets: {enabled: true, secretStoreRef: {name: vault}}`,
}

// TestFastEngineMatchesHelm: the parse-once engine gives exactly what Helm's engine.Render
// gives — same files, same bytes, the same random values from the same seed — for every chart's
// examples under each variant, as an install and as an upgrade, and for fuzzed documents, valid
// or not; where it gives up, Helm's engine fails too (so RenderValues loses nothing by falling
// back).
func TestFastEngineMatchesHelm(t *testing.T) {
	prev := log.Writer()
	log.SetOutput(io.Discard) // Helm's coalescing warns about every mistyped fuzzed value
	defer log.SetOutput(prev)
	for _, name := range []string{"flowise", "flowkit", "flagsmith"} {
		t.Run(name, func(t *testing.T) {
			ch, err := render.Load(context.Background(), name, render.LoadOptions{})
			require.NoError(t, err)
			dir := filepath.Join("..", "..", "examples", name)
			var docs []map[string]any
			for _, v := range variants {
				docs = append(docs, charttest.FuzzSeeds(t, dir, v)...)
			}
			_, fuzzed := charttest.Fuzz{Chart: name, ExamplesDir: dir}.Documents(t, charttest.FuzzN(t, fastEngineDocs))
			docs = append(docs, fuzzed...)
			var same, bothFailed int
			for i, doc := range docs {
				opts := render.Options{ReleaseName: "r", Namespace: "n", IsUpgrade: i%4 == 3}
				fast, ok, helm, helmErr := render.BothEngines(ch, doc, opts, func() { cryptotest.SetGlobalRandom(t, uint64(i)) })
				if !ok {
					if !assert.Error(t, helmErr, "document %d: the fast path gave up where Helm's engine succeeds:\n%s", i, toYAML(doc)) {
						return
					}
					bothFailed++
					continue
				}
				require.NoError(t, helmErr, "document %d: the fast path rendered what Helm's engine refuses:\n%s", i, toYAML(doc))
				require.Equal(t, len(helm), len(fast), "document %d: files", i)
				for k, want := range helm {
					if !assert.Equal(t, want, fast[k], "document %d: %s differs", i, k) {
						t.Fatalf("values:\n%s", toYAML(doc))
					}
				}
				same++
			}
			t.Logf("%s: %d documents render the same bytes on both engines, %d fail on both", name, same, bothFailed)
			require.Positive(t, same)
		})
	}
}

// TestFastEngineMatchesHelmOnEngineFeatures covers what Flotilla's charts do not use: a
// subchart with its own values scope, a library chart, .Files, .Subcharts, the TOML, YAML and
// JSON functions, tpl with defines, and the failures (required, fail, a missing template,
// runaway include) that must leave the render to Helm.
func TestFastEngineMatchesHelmOnEngineFeatures(t *testing.T) {
	lib := &chart.Chart{
		Metadata:  &chart.Metadata{Name: "lib", Version: "0.1.0", APIVersion: "v2", Type: "library"},
		Templates: []*chart.File{{Name: "templates/_lib.tpl", Data: []byte(`{{- define "lib.hello" -}}hello {{ . }}{{- end -}}`)}, {Name: "templates/ignored.yaml", Data: []byte(`kind: Ignored`)}},
	}
	sub := &chart.Chart{
		Metadata:  &chart.Metadata{Name: "sub", Version: "0.2.0", APIVersion: "v2"},
		Values:    map[string]any{"greeting": "hi"},
		Templates: []*chart.File{{Name: "templates/cm.yaml", Data: []byte("sub: {{ .Values.greeting }} {{ .Chart.Name }} {{ .Chart.IsRoot }} {{ .Template.BasePath }} {{ .Values.global.g }}")}},
	}
	root := &chart.Chart{
		Metadata: &chart.Metadata{Name: "root", Version: "1.0.0", APIVersion: "v2"},
		Values:   map[string]any{"sub": map[string]any{"greeting": "hey"}, "global": map[string]any{"g": "G"}, "t": "{{ .Values.count }}", "count": 3},
		Files: []*chart.File{
			{Name: "conf/a.txt", Data: []byte("A\nB\n")},
			{Name: "conf/b.toml", Data: []byte("x = 1\n")},
			{Name: "secret/k", Data: []byte("s3cr3t")},
		},
		Templates: []*chart.File{
			{Name: "templates/_helpers.tpl", Data: []byte(`{{- define "root.name" -}}{{ .Chart.Name }}-{{ .Release.Name }}{{- end -}}`)},
			{Name: "templates/files.yaml", Data: []byte(`config: {{ .Files.Glob "conf/*" | len }}
{{ (.Files.Glob "conf/*.txt").AsConfig | indent 2 }}
{{ (.Files.Glob "secret/*").AsSecrets | indent 2 }}
lines: {{ .Files.Lines "conf/a.txt" | toJson }}
bytes: {{ .Files.GetBytes "secret/k" | len }} {{ .Files.Get "missing" | quote }}
toml: {{ (.Files.Get "conf/b.toml" | fromToml).x }} {{ dict "a" 1 | toToml | quote }}
yaml: {{ "a: [1, 2]" | fromYaml | toYamlPretty | quote }} {{ "- 1\n- x" | fromYamlArray | toJson }} {{ "{" | fromYaml | toJson }}
json: {{ "{\"a\": 1}" | fromJson | toJson }} {{ "[1]" | fromJsonArray | toJson }} {{ "[" | fromJsonArray | toJson }}
`)},
			{Name: "templates/tpl.yaml", Data: []byte(`name: {{ include "root.name" . }}
tpl: {{ tpl .Values.t . }}
define: {{ tpl "{{ define \"inner\" }}in {{ . }}{{ end }}{{ include \"inner\" 7 }}" . }}
nested: {{ tpl "{{ tpl \"{{ .Release.Namespace }}\" . }}" . }}
lib: {{ include "lib.hello" "world" }}
subcharts: {{ .Subcharts.sub.Values.greeting }}
missing: {{ .Values.nothing }}
host: {{ getHostByName "example.com" | quote }} lookup: {{ lookup "v1" "Pod" "" "" | len }}
required: {{ required "need count" .Values.count }}
rand: {{ randAlphaNum 12 }}
`)},
			{Name: "templates/NOTES.txt", Data: []byte(`notes for {{ .Release.Name }}`)},
		},
	}
	root.SetDependencies(lib, sub)
	cases := []struct {
		name   string
		values string
		fails  bool
	}{
		{"features", ``, false},
		{"required", `count: null`, true},
		{"required empty string", `count: ""`, true},
		{"fail", `t: '{{ fail "no" }}'`, true},
		{"missing template", `t: '{{ include "nope" . }}'`, true},
		{"runaway include", `t: '{{ define "loop" }}{{ include "loop" . }}{{ end }}{{ include "loop" . }}'`, true},
		{"bad tpl text", `t: '{{ if }}'`, true},
		{"unknown function in tpl", `t: '{{ env "HOME" }}'`, true},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			user := charttest.Doc(t, tc.values)
			fast, ok, helm, helmErr := render.BothEngines(root, user, render.Options{ReleaseName: "rel", Namespace: "ns"}, func() { cryptotest.SetGlobalRandom(t, uint64(i)) })
			if tc.fails {
				assert.False(t, ok, "the fast path must leave a failing render to Helm")
				require.Error(t, helmErr)
				return
			}
			require.NoError(t, helmErr)
			require.True(t, ok)
			assert.Equal(t, helm, fast)
			assert.Contains(t, fast["root/charts/sub/templates/cm.yaml"], "sub: hey sub false root/charts/sub/templates G")
			assert.NotContains(t, fast, "root/charts/lib/templates/ignored.yaml")
		})
	}
	t.Run("RenderValues falls back to Helm's error", func(t *testing.T) {
		_, err := render.RenderValues(root, map[string]any{"count": nil}, render.Options{})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "execution error at (root/templates/tpl.yaml:9:13): need count")
		_, err = render.RenderValues(root, map[string]any{}, render.Options{})
		require.NoError(t, err)
	})
	t.Run("a parse error is Helm's", func(t *testing.T) {
		broken := *root
		broken.Templates = append([]*chart.File{{Name: "templates/broken.yaml", Data: []byte(`{{ if }}`)}}, root.Templates...)
		_, err := render.RenderValues(&broken, map[string]any{}, render.Options{})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "parse error at (root/templates/broken.yaml:1)")
	})
}

func toYAML(doc map[string]any) string {
	out, err := yaml.Marshal(doc)
	if err != nil {
		return fmt.Sprint(doc)
	}
	return string(out)
}

// TestConcurrentRenders: renders of the three charts running at once share each chart's parsed
// templates (go test -race checks them) and give what a lone render gives.
func TestConcurrentRenders(t *testing.T) {
	hook := map[string]any{"secrets": map[string]any{"generation": "hook"}} // no random values
	want := map[string]string{}
	charts := map[string]*chart.Chart{}
	for _, name := range []string{"flowise", "flowkit", "flagsmith"} {
		ch, err := render.Load(context.Background(), name, render.LoadOptions{})
		require.NoError(t, err)
		res, err := render.RenderValues(ch, hook, render.Options{})
		require.NoError(t, err)
		charts[name], want[name] = ch, res.YAML()
	}
	var wg sync.WaitGroup
	got := make([]string, 12)
	names := []string{"flowise", "flowkit", "flagsmith"}
	for i := range got {
		wg.Go(func() {
			res, err := render.RenderValues(charts[names[i%3]], hook, render.Options{})
			if assert.NoError(t, err) {
				got[i] = res.YAML()
			}
		})
	}
	wg.Wait()
	for i, y := range got {
		assert.Equal(t, want[names[i%3]], y, "render %d (%s)", i, names[i%3])
	}
}
