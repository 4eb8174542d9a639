package charttest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"

	"github.com/flotilla/flotilla/pkg/render"
)

// HelmTemplate renders ch the way `helm template` does, through Helm's action package
// (client-only install, dry run), and returns the manifests as helm prints them: install
// order, hooks after. It is the reference pkg/render is compared with.
func HelmTemplate(ch *chart.Chart, vals map[string]any, release, namespace string) (string, error) {
	inst := action.NewInstall(&action.Configuration{})
	inst.DryRun = true
	inst.ClientOnly = true
	inst.Replace = true
	inst.ReleaseName = release
	inst.Namespace = namespace
	kv, err := chartutil.ParseKubeVersion(render.DefaultKubeVersion)
	if err != nil {
		return "", err
	}
	inst.KubeVersion = kv
	rel, err := inst.Run(ch, vals)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(rel.Manifest)
	for _, h := range rel.Hooks {
		b.WriteString("---\n# Source: " + h.Path + "\n" + h.Manifest + "\n")
	}
	return b.String(), nil
}

// RequireHelmParity renders every example of dir through pkg/render and through Helm's own
// `helm template` path and requires the same manifests. Examples must name or set every
// secret, so renders are deterministic: a second pkg/render pass checks that first.
func RequireHelmParity(t *testing.T, chartName, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	load := func(t *testing.T) *chart.Chart {
		ch, err := render.Load(context.Background(), chartName, render.LoadOptions{})
		require.NoError(t, err)
		return ch
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			opts := render.Options{ReleaseName: "rel", Namespace: "apps", ValueFiles: []string{filepath.Join(dir, e.Name())}}
			vals, err := render.MergeValues(opts)
			require.NoError(t, err)
			first, err := render.Render(load(t), opts)
			require.NoError(t, err)
			second, err := render.Render(load(t), opts)
			require.NoError(t, err)
			require.Equal(t, first.YAML(), second.YAML(), "the example generates random values: name its secrets so renders compare")
			want, err := HelmTemplate(load(t), vals, "rel", "apps")
			require.NoError(t, err)
			assert.Equal(t, documents(want), documents(first.YAML()))
		})
	}
}

// documents splits a manifest stream, dropping empty documents and the spacing differences
// between Helm's printer and Result.YAML.
func documents(s string) []string {
	var out []string
	for _, doc := range strings.Split(s, "\n---") {
		doc = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(doc), "---"))
		if doc != "" {
			out = append(out, doc)
		}
	}
	return out
}
