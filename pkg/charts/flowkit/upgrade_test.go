package flowkit_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/flotilla/flotilla/pkg/charttest"
	"github.com/flotilla/flotilla/pkg/render"
)

// TestUpgradeKeepsGeneratedSecrets renders an install, puts its generated Secrets in a fake
// cluster, renders an upgrade through Helm's engine with lookup wired to that cluster, and
// requires every generated value (passwords, Fernet keys, the RSA pair) to come back unchanged.
func TestUpgradeKeepsGeneratedSecrets(t *testing.T) {
	install := renderWith(t, nil)
	var existing []*corev1.Secret
	before := map[string]map[string][]byte{}
	for _, m := range install.Manifests {
		if m.Kind == "Secret" {
			s := charttest.Object[*corev1.Secret](t, install, "Secret", m.Name)
			existing = append(existing, s)
			before[s.Name] = s.Data
		}
	}
	require.Len(t, before, 8, "flowdb, flowetl(+db), flowapi, flowauth(+db), redis and jwt Secrets")

	vals, err := render.MergeValues(render.Options{})
	require.NoError(t, err)
	after, err := charttest.UpgradeSecrets(loadChart(t), vals, release, "apps", existing)
	require.NoError(t, err)
	require.Len(t, after, len(before), "the upgrade renders the same Secrets")
	for name, data := range before {
		assert.Equal(t, data, after[name], "%s must not rotate on upgrade", name)
	}

	// Without them in the cluster the values are new: the comparison above can fail.
	fresh, err := charttest.UpgradeSecrets(loadChart(t), vals, release, "apps", nil)
	require.NoError(t, err)
	assert.NotEqual(t, before["rel-flowkit-jwt"], fresh["rel-flowkit-jwt"])
	assert.NotEqual(t, before["rel-flowkit-flowauth"], fresh["rel-flowkit-flowauth"])
}

// TestUpgradeRecreatesRedisWithANewGoverningService: the bundled Redis moved from its ClusterIP
// Service to a headless governing one; an upgrade over 0.1.0's StatefulSet deletes it
// (orphaning its pod and claim) in a pre-upgrade hook.
func TestUpgradeRecreatesRedisWithANewGoverningService(t *testing.T) {
	charttest.RequireStatefulSetMigration(t, "flowkit", charttest.Doc(t, noKeygen), []string{"rel-flowkit-redis"})
}
