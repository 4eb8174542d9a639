package flowise_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/flotilla/flotilla/pkg/charts/flowise"
	"github.com/flotilla/flotilla/pkg/charttest"
	"github.com/flotilla/flotilla/pkg/render"
)

type helmforgeKey struct {
	Path  string         `json:"path"`
	Value any            `json:"value"`
	With  map[string]any `json:"with"`
}

func helmforgeKeys(t *testing.T) []helmforgeKey {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "helmforge-keys.yaml"))
	require.NoError(t, err)
	var doc struct {
		Keys []helmforgeKey `json:"keys"`
	}
	require.NoError(t, yaml.Unmarshal(data, &doc))
	require.NotEmpty(t, doc.Keys)
	return doc.Keys
}

// setPath sets the dotted path in m, creating maps on the way.
func setPath(m map[string]any, path string, v any) {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	m[parts[len(parts)-1]] = v
}

// values is with (deep-copied) plus an auth Secret, so renders generate no random values, plus
// path=v when path is not empty.
func values(t *testing.T, with map[string]any, path string, v any) map[string]any {
	t.Helper()
	raw, err := yaml.Marshal(with)
	require.NoError(t, err)
	out := map[string]any{}
	require.NoError(t, yaml.Unmarshal(raw, &out))
	if _, ok := out["auth"]; !ok {
		out["auth"] = map[string]any{"existingSecret": "flowise-auth"}
	}
	if path != "" {
		setPath(out, path, v)
	}
	return out
}

// TestHelmforgeKeys: every key of helmforge's values.yaml is accepted with the same rendered
// objects as this chart's key, or refused naming what to use; the test data and the Compat
// declaration list the same keys.
func TestHelmforgeKeys(t *testing.T) {
	keys := helmforgeKeys(t)
	c := flowise.Compat
	ch := loadChart(t)
	render1 := func(t *testing.T, vals map[string]any) (*render.Result, error) {
		return render.Render(ch, render.Options{ReleaseName: release, Namespace: "apps", Values: []map[string]any{vals}})
	}
	mustRender := func(t *testing.T, vals map[string]any) *render.Result {
		t.Helper()
		res, err := render1(t, vals)
		require.NoError(t, err)
		require.NoError(t, res.Decode())
		return res
	}

	t.Run("declaration covers the test data and back", func(t *testing.T) {
		tested := map[string]bool{}
		for _, k := range keys {
			a, r, same := c.Lookup(k.Path)
			assert.True(t, a != nil || r != nil || same, "%s: not declared in flowise.Compat", k.Path)
			tested[k.Path] = true
		}
		for _, p := range c.Paths() {
			found := tested[p]
			for k := range tested {
				found = found || strings.HasPrefix(k, p+".")
			}
			assert.True(t, found, "%s: declared but not in testdata/helmforge-keys.yaml", p)
		}
	})

	t.Run("every leaf of helmforge's values.yaml is tested", func(t *testing.T) {
		dir := os.Getenv("FLOTILLA_PEER_HELMFORGE_FLOWISE")
		if dir == "" {
			t.Skip("FLOTILLA_PEER_HELMFORGE_FLOWISE (a checkout of helmforge's charts/flowise) is not set")
		}
		data, err := os.ReadFile(filepath.Join(dir, "values.yaml"))
		require.NoError(t, err)
		theirs := map[string]any{}
		require.NoError(t, yaml.Unmarshal(data, &theirs))
		tested := map[string]bool{}
		for _, k := range keys {
			tested[k.Path] = true
		}
		for _, p := range leafPaths(theirs, "") {
			assert.True(t, tested[p], "helmforge key %s is not in testdata/helmforge-keys.yaml", p)
		}
	})

	for _, k := range keys {
		t.Run(k.Path, func(t *testing.T) {
			alias, refusal, same := c.Lookup(k.Path)
			switch {
			case same:
				mustRender(t, values(t, k.With, k.Path, k.Value))
			case alias != nil:
				theirs := mustRender(t, values(t, k.With, k.Path, k.Value))
				want := k.Value
				if alias.List {
					want = []any{k.Value}
				}
				ours := mustRender(t, values(t, k.With, alias.To, want))
				base := mustRender(t, values(t, k.With, "", nil))
				assert.NotEqual(t, base.YAML(), ours.YAML(), "the sample value of %s must change the render, or the comparison proves nothing", alias.To)
				assert.Equal(t, ours.YAML(), theirs.YAML(), "%s must render as %s", k.Path, alias.To)
				assert.Contains(t, theirs.Notes, k.Path+" is the helmforge chart's name for "+alias.To)
				assert.NotContains(t, ours.Notes, "helmforge")
			case refusal != nil:
				_, err := render1(t, values(t, k.With, k.Path, k.Value))
				var ve *render.ValidationError
				require.True(t, errors.As(err, &ve), "want a ValidationError, got %v", err)
				msg := refusal.Message(c.From)
				want := render.Problem{Path: refusal.Path, Message: "refused", Rule: msg}
				if refusal.Allow != nil {
					want.Message = strings.ReplaceAll(fmt.Sprintf("value must be '%v'", refusal.Allow), "'false'", "false")
				}
				assert.Contains(t, ve.Problems, want, ve.Error())
				assert.Contains(t, ve.Helm, msg, "helm's own message must carry the refusal")
				if refusal.Allow != nil {
					ok := mustRender(t, values(t, k.With, refusal.Path, refusal.Allow))
					base := mustRender(t, values(t, k.With, "", nil))
					assert.Equal(t, base.YAML(), ok.YAML(), "%s: %v is accepted and changes nothing", refusal.Path, refusal.Allow)
				}
			}
		})
	}
}

// TestHelmforgeAliasesUnderHelm: `helm install`/`helm template` (Helm's action package, which
// validates before rendering) resolves the aliases as pkg/render does.
func TestHelmforgeAliasesUnderHelm(t *testing.T) {
	theirs := charttest.Doc(t, `
auth: {existingSecret: a}
gateway: {enabled: true, parentRefs: [{name: gw}], path: /x}
startupProbe: {failureThreshold: 77}
securityContext: {runAsUser: 1001}
persistence: {accessMode: ReadWriteMany}
`)
	ours := charttest.Doc(t, `
auth: {existingSecret: a}
httpRoute: {enabled: true, parentRefs: [{name: gw}], path: /x}
flowise: {probes: {startup: {failureThreshold: 77}}}
containerSecurityContext: {runAsUser: 1001}
persistence: {accessModes: [ReadWriteMany]}
`)
	a, err := charttest.HelmTemplate(loadChart(t), theirs, release, "apps")
	require.NoError(t, err)
	b, err := charttest.HelmTemplate(loadChart(t), ours, release, "apps")
	require.NoError(t, err)
	assert.Equal(t, b, a)
	assert.Contains(t, a, "failureThreshold: 77")

	// A rule reads the alias: gateway.enabled without a Gateway is refused as httpRoute.enabled is.
	_, err = charttest.HelmTemplate(loadChart(t), charttest.Doc(t, "gateway: {enabled: true}"), release, "apps")
	require.Error(t, err)
	_, err = render.Render(loadChart(t), render.Options{Values: []map[string]any{charttest.Doc(t, "gateway: {enabled: true}")}})
	var ve *render.ValidationError
	require.True(t, errors.As(err, &ve), "got %v", err)
	assert.Equal(t, "httpRoute.parentRefs", ve.Problems[0].Path)
	assert.Contains(t, ve.Problems[0].Rule, "httpRoute.parentRefs needs at least one Gateway")
}

func leafPaths(v any, prefix string) []string {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return []string{prefix}
	}
	var out []string
	for k, x := range m {
		out = append(out, leafPaths(x, strings.TrimPrefix(prefix+"."+k, "."))...)
	}
	sort.Strings(out)
	return out
}
