package release

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"sigs.k8s.io/yaml"

	"github.com/flotilla/flotilla/pkg/render"
)

const hookRepo = "ghcr.io/flotilla/flotilla-hook"

var pinned = Image{Repository: "registry.test:5000/flotilla/flotilla-hook", Tag: "1.2.3", Digest: "sha256:" + strings.Repeat("ab", 32)}

func loadRepoChart(t *testing.T, name string) *chart.Chart {
	t.Helper()
	ch, err := loader.LoadDir("../../charts/" + name)
	require.NoError(t, err)
	return ch
}

func rawValues(ch *chart.Chart) []byte {
	for _, f := range ch.Raw {
		if f.Name == chartutil.ValuesfileName {
			return f.Data
		}
	}
	return nil
}

// Every product chart: only the three image lines of values.yaml change, artifacthub.io/images
// follows, the chart's lean schema (no defaults) is left as it is, and the result still passes it.
func TestPinProductCharts(t *testing.T) {
	for _, name := range []string{"flagsmith", "flowise", "flowkit"} {
		t.Run(name, func(t *testing.T) {
			ch := loadRepoChart(t, name)
			before := strings.Split(string(rawValues(ch)), "\n")
			schema := ch.Schema
			paths, err := Pin(ch, hookRepo, pinned)
			require.NoError(t, err)
			assert.Equal(t, []string{"hook.image"}, paths)

			after := strings.Split(string(rawValues(ch)), "\n")
			require.Len(t, after, len(before))
			var changed []string
			for i := range before {
				if before[i] != after[i] {
					changed = append(changed, strings.TrimSpace(after[i]))
				}
			}
			assert.Equal(t, []string{
				`repository: "` + pinned.Repository + `"`, `tag: "1.2.3"`, `digest: "` + pinned.Digest + `"`,
			}, changed)
			require.NoError(t, chartutil.ValidateAgainstSchema(ch, ch.Values))

			assert.Equal(t, string(schema), string(ch.Schema))

			var images []map[string]string
			require.NoError(t, yaml.Unmarshal([]byte(ch.Metadata.Annotations["artifacthub.io/images"]), &images))
			assert.Contains(t, images, map[string]string{"name": name + "-hook", "image": pinned.String()})
			assert.NotContains(t, ch.Metadata.Annotations["artifacthub.io/images"], hookRepo)
		})
	}
}

func dig(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		m, _ = m[k].(map[string]any)
	}
	return m
}

// What Helm renders from the packaged chart runs the pinned image by digest.
func TestPinnedChartRendersDigest(t *testing.T) {
	ch := loadRepoChart(t, "flagsmith")
	_, err := Pin(ch, hookRepo, pinned)
	require.NoError(t, err)
	tgz, err := chartutil.Save(ch, t.TempDir())
	require.NoError(t, err)
	loaded, err := render.Load(context.Background(), tgz, render.LoadOptions{})
	require.NoError(t, err)
	res, err := render.Render(loaded, render.Options{ReleaseName: "r", Namespace: "ns"})
	require.NoError(t, err)
	assert.Contains(t, res.YAML(), `image: "`+pinned.Repository+"@"+pinned.Digest+`"`)
	assert.NotContains(t, res.YAML(), hookRepo)
}

func TestPinValues(t *testing.T) {
	tests := []struct {
		name, values string
		wantPaths    [][]string
		wantErr      string
	}{
		{name: "nested and repeated", values: "a:\n  hook:\n    image:\n      repository: " + hookRepo + "\n      tag: 0.1.0\n      digest: \"\"\nb:\n  image:\n    repository: " + hookRepo + "\n    tag: x\n    digest: ''\n",
			wantPaths: [][]string{{"a", "hook", "image"}, {"b", "image"}}},
		{name: "other images untouched", values: "image:\n  repository: docker.io/library/redis\n  tag: \"7\"\n"},
		{name: "no digest value", values: "hook:\n  image:\n    repository: " + hookRepo + "\n    tag: 0.1.0\n", wantErr: "hook.image names " + hookRepo + " but has no digest value to pin"},
		{name: "trailing comment", values: "image:\n  repository: " + hookRepo + " # ours\n  tag: a\n  digest: \"\"\n", wantErr: "trailing comment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, paths, err := pinValues([]byte(tt.values), hookRepo, pinned)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantPaths, paths)
			if len(paths) == 0 {
				assert.True(t, bytes.Equal([]byte(tt.values), out))
			}
			var got map[string]any
			require.NoError(t, yaml.Unmarshal(out, &got))
			for _, p := range paths {
				assert.Equal(t, map[string]any{"repository": pinned.Repository, "tag": pinned.Tag, "digest": pinned.Digest}, lookup(got, p))
			}
		})
	}
}

// A schema with defaults (the editor copy in schemas/) gets the pinned image as the defaults of
// hook.image; the rest of its JSON stays byte for byte.
func TestPinSchemaDefaults(t *testing.T) {
	for _, name := range []string{"flagsmith", "flowise", "flowkit"} {
		t.Run(name, func(t *testing.T) {
			editor, err := os.ReadFile("../../schemas/" + name + ".values.schema.json")
			require.NoError(t, err)
			out, err := pinSchema(editor, [][]string{{"hook", "image"}}, pinned)
			require.NoError(t, err)
			var schema map[string]any
			require.NoError(t, json.Unmarshal(out, &schema))
			img := dig(schema, "properties", "hook", "properties", "image", "properties")
			for k, want := range map[string]string{"repository": pinned.Repository, "tag": pinned.Tag, "digest": pinned.Digest} {
				assert.Equal(t, want, dig(img, k)["default"], k)
			}
			assert.Equal(t, strings.Count(string(editor), "\n"), strings.Count(string(out), "\n"), "only values change")
		})
	}
}
