package render_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"

	"github.com/flotilla/flotilla/pkg/render"
)

var queueExample = filepath.Join("..", "..", "examples", "flowise", "queue.yaml")

func TestLoadSources(t *testing.T) {
	ctx := context.Background()
	embedded, err := render.Load(ctx, "flowise", render.LoadOptions{})
	require.NoError(t, err)
	fromDir, err := render.Load(ctx, filepath.Join("..", "..", "charts", "flowise"), render.LoadOptions{})
	require.NoError(t, err)
	tgz, err := chartutil.Save(fromDir, t.TempDir())
	require.NoError(t, err)
	fromTgz, err := render.Load(ctx, tgz, render.LoadOptions{})
	require.NoError(t, err)

	opts := render.Options{ReleaseName: "r", Namespace: "n", ValueFiles: []string{queueExample}}
	want, err := render.Render(embedded, opts)
	require.NoError(t, err)
	for name, ch := range map[string]*chart.Chart{"dir": fromDir, "tgz": fromTgz} {
		got, err := render.Render(ch, opts)
		require.NoError(t, err)
		assert.Equal(t, want.YAML(), got.YAML(), name)
	}
}

func TestLoadErrors(t *testing.T) {
	_, err := render.Load(context.Background(), "no-such-chart", render.LoadOptions{})
	require.Error(t, err)
	assert.Regexp(t, `not an embedded chart \([a-z, ]*flowise[a-z, ]*\), a chart directory, a .tgz or an oci:// reference`, err.Error())

	_, err = render.Load(context.Background(), "oci://127.0.0.1:1/charts/flowise", render.LoadOptions{Version: "0.1.0", PlainHTTP: true})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "load oci://127.0.0.1:1/charts/flowise")
}

func TestResultOrderAndShape(t *testing.T) {
	ch, err := render.Load(context.Background(), "flowise", render.LoadOptions{})
	require.NoError(t, err)
	res, err := render.Render(ch, render.Options{ReleaseName: "r", Namespace: "apps", ValueFiles: []string{queueExample}})
	require.NoError(t, err)

	// Helm's install order: ServiceAccount and Secrets before ConfigMaps, Services, then workloads.
	order := map[string]int{}
	for i, m := range res.Manifests {
		if _, seen := order[m.Kind]; !seen {
			order[m.Kind] = i
		}
		assert.NotEmpty(t, m.Name)
		assert.NotEmpty(t, m.APIVersion)
		obj, err := m.Object()
		require.NoError(t, err)
		assert.Equal(t, m.Kind, obj["kind"])
		assert.True(t, strings.Contains(m.YAML, "name: "+m.Name) || strings.Contains(m.YAML, fmt.Sprintf("name: %q", m.Name)), "%s: name %q", m.Kind, m.Name)
	}
	assert.Less(t, order["ServiceAccount"], order["Secret"])
	assert.Less(t, order["Secret"], order["ConfigMap"])
	assert.Less(t, order["Service"], order["Deployment"])
	assert.Less(t, order["Deployment"], order["StatefulSet"])
	assert.Less(t, order["StatefulSet"], order["Ingress"])
	require.Len(t, res.Hooks, 1)
	assert.Equal(t, "Pod", res.Hooks[0].Kind)
	assert.Equal(t, []string{"test"}, res.Hooks[0].Hook)
	assert.Contains(t, res.Notes, "Topology: queue")
	assert.Len(t, res.Find("Deployment", ""), 2)
}

func TestValuesPrecedence(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "v.yaml")
	require.NoError(t, os.WriteFile(f, []byte("flowise: {logLevel: warn, corsOrigins: from-file}\n"), 0o644))
	vals, err := render.MergeValues(render.Options{
		Values:     []map[string]any{{"flowise": map[string]any{"logLevel": "debug", "fileSizeLimit": "1mb"}}},
		ValueFiles: []string{f},
		Set:        []string{"flowise.corsOrigins=from-set"},
		SetString:  []string{"flowise.port=3001"},
	})
	require.NoError(t, err)
	fl := vals["flowise"].(map[string]any)
	assert.Equal(t, "warn", fl["logLevel"], "files override maps")
	assert.Equal(t, "1mb", fl["fileSizeLimit"], "maps are merged, not replaced")
	assert.Equal(t, "from-set", fl["corsOrigins"], "--set overrides files")
	assert.Equal(t, "3001", fl["port"], "--set-string gives strings")

	_, err = render.MergeValues(render.Options{ValueFiles: []string{filepath.Join(dir, "missing.yaml")}})
	require.Error(t, err)
	_, err = render.MergeValues(render.Options{Set: []string{"a[=b"}})
	require.ErrorContains(t, err, "--set a[=b")
}

func TestValidationErrorNamesFieldAndRule(t *testing.T) {
	ch, err := render.Load(context.Background(), "flowise", render.LoadOptions{})
	require.NoError(t, err)
	_, err = render.Render(ch, render.Options{Set: []string{"architecture.mode=queue", "persistence.enabled=false", "postgresql.enabled=true", "redis.enabled=true"}})
	var ve *render.ValidationError
	require.True(t, errors.As(err, &ve))
	require.Len(t, ve.Problems, 1)
	assert.Equal(t, render.Problem{
		Path:    "storage.type",
		Message: "value must be one of 's3', 'gcs', 'azure'",
		Rule:    "storage.type must be s3, gcs or azure when architecture.mode is queue: main and worker pods share blobs",
	}, ve.Problems[0])
	assert.True(t, strings.HasPrefix(ve.Helm, "values don't meet the specifications of the schema(s)"))
	assert.Contains(t, err.Error(), "storage.type: storage.type must be s3, gcs or azure when architecture.mode is queue")
}

func TestKubeVersionIsChecked(t *testing.T) {
	ch, err := render.Load(context.Background(), "flowise", render.LoadOptions{})
	require.NoError(t, err)
	_, err = render.Render(ch, render.Options{KubeVersion: "v1.20.0"})
	require.ErrorContains(t, err, "chart requires kubeVersion >=1.29.0-0, which is incompatible with Kubernetes v1.20.0")
	_, err = render.Render(ch, render.Options{KubeVersion: "not-a-version"})
	require.ErrorContains(t, err, "kube version")
}

// A chart of one template and a schema, written to a temp dir.
func writeChart(t *testing.T, schema, template string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "templates"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Chart.yaml"), []byte("apiVersion: v2\nname: c\nversion: 0.1.0\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "values.yaml"), []byte("mode: good\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "values.schema.json"), []byte(schema), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "templates", "a.yaml"), []byte(template), 0o644))
	return dir
}

func TestValidationRunsBesideTheEngine(t *testing.T) {
	schema := `{"type":"object","properties":{"mode":{"enum":["good"]}}}`

	// Templates that modify .Values (sprig's set) do not change what was validated, and do not
	// race with validation (go test -race).
	dir := writeChart(t, schema, "{{- range until 50 }}{{ $_ := set $.Values \"mode\" \"bad\" }}{{ $_ := set $.Values (printf \"k%d\" .) . }}{{ end }}kind: ConfigMap\nmetadata:\n  name: {{ .Values.mode }}\n")
	ch, err := render.Load(context.Background(), dir, render.LoadOptions{})
	require.NoError(t, err)
	for range 20 {
		res, err := render.Render(ch, render.Options{})
		require.NoError(t, err)
		assert.Equal(t, "bad", res.Manifests[0].Name, "the template saw its own change")
	}

	// Invalid values are reported as such even when the template would fail too, as when
	// validating first; with valid values the template's own error comes through.
	dir = writeChart(t, schema, `{{ fail "template failed" }}`)
	ch, err = render.Load(context.Background(), dir, render.LoadOptions{})
	require.NoError(t, err)
	_, err = render.Render(ch, render.Options{Set: []string{"mode=other"}})
	var ve *render.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "mode", ve.Problems[0].Path)
	_, err = render.Render(ch, render.Options{})
	require.ErrorContains(t, err, "template failed")
}
