package render

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScanHead(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  string
		want head
		ok   bool
	}{
		{"plain", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n  namespace: ns\n  labels:\n    x: y\ndata:\n  k: dg==\n",
			head{kind: "Secret", apiVersion: "v1", name: "a", namespace: "ns"}, true},
		{"quoted and commented", "kind: \"Pod\" # c\napiVersion: 'v1'\n# note\nmetadata:\n    name: \"p\"\n    annotations:\n      helm.sh/hook: test # why\n      other: |\n        name: not-this\n",
			head{kind: "Pod", apiVersion: "v1", name: "p", hook: "test", hasHook: true}, true},
		{"empty annotations", "kind: A\nmetadata:\n  annotations: {}\n  name: web\n", head{kind: "A", name: "web"}, true},
		{"document start", "---\nkind: A\n", head{kind: "A"}, true},
		{"second document start", "kind: A\n---\nkind: B\n", head{}, false},
		{"YAML 1.1 bool", "kind: A\nmetadata:\n  name: n\n", head{}, false},
		{"body ignored", "kind: ConfigMap\nmetadata:\n  name: c\ndata:\n  script: |\n    kind: Other\nmetadata2: x\n", head{kind: "ConfigMap", name: "c"}, true},
		{"comment only", "# nothing\n", head{}, true},
		{"flow metadata", "kind: A\nmetadata: {name: n}\n", head{}, false},
		{"flow kind", "kind: [A]\n", head{}, false},
		{"number name", "kind: A\nmetadata:\n  name: 123\n", head{}, false},
		{"bool name", "kind: A\nmetadata:\n  name: yes\n", head{}, false},
		{"null kind", "kind: ~\n", head{}, false},
		{"multi-line name", "kind: A\nmetadata:\n  name: a\n    b\n", head{}, false},
		{"nested under name", "kind: A\nmetadata:\n  name:\n    x: y\n", head{}, false},
		{"duplicate kind", "kind: A\nkind: B\n", head{}, false},
		{"duplicate name", "kind: A\nmetadata:\n  name: a\n  name: b\n", head{}, false},
		{"escape", "kind: \"A\\tB\"\n", head{}, false},
		{"doubled single quote", "kind: 'it''s'\n", head{}, false},
		{"anchor", "kind: &k A\n", head{}, false},
		{"tag", "kind: !!str A\n", head{}, false},
		{"block scalar hook", "kind: A\nmetadata:\n  annotations:\n    helm.sh/hook: |\n      test\n", head{}, false},
		{"quoted annotation key", "kind: A\nmetadata:\n  annotations:\n    \"helm.sh/hook\": test\n", head{}, false},
		{"sequence document", "- a\n- b\n", head{}, false},
		{"tab indent", "kind: A\nmetadata:\n\tname: a\n", head{}, false},
		{"dedent inside metadata", "kind: A\nmetadata:\n    name: a\n  namespace: b\n", head{}, false},
		{"mapping in value", "kind: a: b\n", head{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := scanHead(tc.doc)
			require.Equal(t, tc.ok, ok)
			if ok {
				assert.Equal(t, tc.want, got)
			}
		})
	}
}

// On every example of every embedded chart the fast path must be taken (or renders get slow
// again) and must read what the full parser reads.
func TestScanHeadMatchesParserOnCharts(t *testing.T) {
	examples, err := filepath.Glob("../../examples/*/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, examples)
	for _, ex := range examples {
		chartName := filepath.Base(filepath.Dir(ex))
		ch, err := Load(context.Background(), chartName, LoadOptions{})
		require.NoError(t, err)
		res, err := Render(ch, Options{ReleaseName: "r", ValueFiles: []string{ex}})
		require.NoError(t, err, ex)
		for _, m := range append(res.Manifests, res.Hooks...) {
			h, ok := scanHead(m.YAML)
			require.True(t, ok, "%s: %s %s falls back to a full parse", ex, m.Kind, m.Name)
			obj, err := m.Object()
			require.NoError(t, err)
			assert.Equal(t, headOf(obj), h, "%s: %s %s", ex, m.Kind, m.Name)
		}
	}
}

func TestMalformedManifests(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "templates"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Chart.yaml"), []byte("apiVersion: v2\nname: bad\nversion: 0.1.0\n"), 0o644))
	write := func(body string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "templates", "a.yaml"), []byte(body), 0o644))
	}
	load := func() *Result {
		ch, err := Load(context.Background(), dir, LoadOptions{})
		require.NoError(t, err)
		res, err := Render(ch, Options{})
		require.NoError(t, err)
		return res
	}

	// A head the scanner leaves to the parser fails the render, as in helm template.
	write("kind: [Pod\nmetadata:\n  name: a\n")
	ch, err := Load(context.Background(), dir, LoadOptions{})
	require.NoError(t, err)
	_, err = Render(ch, Options{})
	require.ErrorContains(t, err, "YAML parse error on bad/templates/a.yaml")

	// A broken body is reported by Object and Decode.
	write("kind: Pod\nmetadata:\n  name: a\nspec:\n  x: [\n")
	res := load()
	require.Len(t, res.Manifests, 1)
	assert.Equal(t, "Pod", res.Manifests[0].Kind)
	_, err = res.Manifests[0].Object()
	require.ErrorContains(t, err, "YAML parse error on bad/templates/a.yaml")
	require.ErrorContains(t, res.Decode(), "YAML parse error on bad/templates/a.yaml")

	// Decoded once, shared by copies.
	write("kind: Pod\nmetadata:\n  name: a\n")
	res = load()
	a, err := res.Manifests[0].Object()
	require.NoError(t, err)
	b, err := res.Find("Pod", "a")[0].Object()
	require.NoError(t, err)
	a["touched"] = true
	assert.Equal(t, true, b["touched"])
	require.NoError(t, res.Decode())
}
