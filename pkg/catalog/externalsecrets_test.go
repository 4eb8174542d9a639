package catalog_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/catalog"
	"github.com/flotilla/flotilla/pkg/charttest"
	"github.com/flotilla/flotilla/pkg/render"
)

// Every example of every chart with externalSecrets enabled: the ExternalSecrets decode strictly
// against the pinned ESO CRD and create every Secret the pods read that the release does not.
func TestExternalSecretsCoverEverySecret(t *testing.T) {
	es := map[string]any{"externalSecrets": map[string]any{"enabled": true, "remoteKeyPrefix": "prod/",
		"secretStoreRef": map[string]any{"kind": "ClusterSecretStore", "name": "vault"}}}
	for _, c := range catalog.Charts() {
		ch, err := render.Load(context.Background(), c.Name, render.LoadOptions{})
		require.NoError(t, err)
		examples, err := filepath.Glob(filepath.Join(root, "examples", c.Name, "*.yaml"))
		require.NoError(t, err)
		for _, ex := range examples {
			t.Run(c.Name+"/"+filepath.Base(ex), func(t *testing.T) {
				res, err := render.Render(ch, render.Options{ReleaseName: "rel", Namespace: "apps", ValueFiles: []string{ex}, Values: []map[string]any{es}})
				require.NoError(t, err)
				require.NoError(t, res.Decode())
				got := charttest.RequireExternalSecrets(t, res)
				require.NotEmpty(t, got, "every example names at least one Secret")
				for name, obj := range got {
					spec := obj["spec"].(map[string]any)
					assert.Equal(t, map[string]any{"kind": "ClusterSecretStore", "name": "vault"}, spec["secretStoreRef"])
					for _, d := range spec["data"].([]any) {
						ref := d.(map[string]any)["remoteRef"].(map[string]any)
						assert.Equal(t, "prod/"+name, ref["key"])
						assert.Equal(t, d.(map[string]any)["secretKey"], ref["property"])
					}
				}
				// Off by default.
				plain, err := render.Render(ch, render.Options{ReleaseName: "rel", Namespace: "apps", ValueFiles: []string{ex}})
				require.NoError(t, err)
				assert.Empty(t, plain.Find("ExternalSecret", ""))
			})
		}
		t.Run(c.Name+"/needs a store", func(t *testing.T) {
			_, err := render.Render(ch, render.Options{Values: []map[string]any{{"externalSecrets": map[string]any{"enabled": true}}}})
			var ve *render.ValidationError
			require.True(t, errors.As(err, &ve), "got %v", err)
			assert.True(t, strings.Contains(ve.Error(), "externalSecrets.secretStoreRef.name is required"), ve.Error())
		})
	}
}

// extraManifests: objects and YAML strings, both through tpl, in every chart.
func TestExtraManifests(t *testing.T) {
	vals := charttest.Doc(t, `
extraManifests:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: "{{ .Release.Name }}-extra"}
    data: {chart: "{{ .Chart.Name }}"}
  - |
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: {{ .Release.Name }}-extra2
`)
	for _, c := range catalog.Charts() {
		t.Run(c.Name, func(t *testing.T) {
			ch, err := render.Load(context.Background(), c.Name, render.LoadOptions{})
			require.NoError(t, err)
			res, err := render.Render(ch, render.Options{ReleaseName: "rel", Values: []map[string]any{vals}})
			require.NoError(t, err)
			charttest.RequireStrict(t, res)
			cm := res.Find("ConfigMap", "rel-extra")
			require.Len(t, cm, 1)
			obj, err := cm[0].Object()
			require.NoError(t, err)
			assert.Equal(t, map[string]any{"chart": c.Name}, obj["data"])
			assert.Len(t, res.Find("ConfigMap", "rel-extra2"), 1)
		})
	}
}
