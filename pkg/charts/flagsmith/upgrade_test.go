package flagsmith_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/flotilla/flotilla/pkg/charttest"
	"github.com/flotilla/flotilla/pkg/render"
)

// TestUpgradeKeepsGeneratedSecrets renders an install with every generated secret (secret key,
// PostgreSQL, Redis and InfluxDB passwords and the InfluxDB token), puts its Secrets in a fake
// cluster, renders an upgrade through Helm's engine with lookup wired to it, and requires each
// generated value back unchanged.
func TestUpgradeKeepsGeneratedSecrets(t *testing.T) {
	set := []string{"influxdb.enabled=true", "redis.enabled=true"}
	install := renderWith(t, nil, set...)
	var existing []*corev1.Secret
	before := map[string]map[string][]byte{}
	for _, m := range install.Manifests {
		if m.Kind == "Secret" {
			s := charttest.Object[*corev1.Secret](t, install, "Secret", m.Name)
			existing = append(existing, s)
			before[s.Name] = s.Data
		}
	}
	require.Len(t, before, 4, "auth, postgresql, redis and influxdb Secrets")

	vals, err := render.MergeValues(render.Options{Set: set})
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
	assert.NotEqual(t, before["rel-flagsmith-auth"], fresh["rel-flagsmith-auth"])
}

// TestUpgradeRecreatesStatefulSetsWithANewGoverningService: Redis and InfluxDB moved from their
// ClusterIP Service to a headless governing one; an upgrade over 0.1.0's StatefulSets deletes
// them (orphaning pods and claims) in a pre-upgrade hook, with RBAC on exactly those two.
func TestUpgradeRecreatesStatefulSetsWithANewGoverningService(t *testing.T) {
	charttest.RequireStatefulSetMigration(t, "flagsmith", charttest.Doc(t, "influxdb: {enabled: true}\nredis: {enabled: true}"),
		[]string{"rel-flagsmith-redis", "rel-flagsmith-influxdb"})
	charttest.RequireStatefulSetMigration(t, "flagsmith", charttest.Doc(t, "influxdb: {enabled: true}"), []string{"rel-flagsmith-influxdb"})
}
