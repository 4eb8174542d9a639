package migrate_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/flotilla/flotilla/pkg/charts/flowise"
	"github.com/flotilla/flotilla/pkg/migrate"
	"github.com/flotilla/flotilla/pkg/render"
)

func flowiseDefaults(t *testing.T) map[string]any {
	t.Helper()
	raw, err := json.Marshal(flowise.Defaults())
	require.NoError(t, err)
	out := map[string]any{}
	require.NoError(t, json.Unmarshal(raw, &out))
	return out
}

func renderYAML(t *testing.T, values []byte) *render.Result {
	t.Helper()
	ch, err := render.Load(context.Background(), "flowise", render.LoadOptions{})
	require.NoError(t, err)
	vals := map[string]any{}
	require.NoError(t, yaml.Unmarshal(values, &vals))
	res, err := render.Render(ch, render.Options{ReleaseName: "rel", Namespace: "apps", Values: []map[string]any{vals}})
	require.NoError(t, err)
	return res
}

// The migrated file renders exactly as the old one, uses none of helmforge's names, and keeps
// the comments.
func TestMigrateRoundTrip(t *testing.T) {
	old, err := os.ReadFile(filepath.Join("testdata", "helmforge-queue.yaml"))
	require.NoError(t, err)
	res, err := migrate.Migrate(old, flowise.Compat, flowiseDefaults(t))
	require.NoError(t, err)
	t.Logf("migrated:\n%s", res.Values)

	before, after := renderYAML(t, old), renderYAML(t, res.Values)
	assert.Equal(t, before.YAML(), after.YAML())
	assert.Contains(t, before.Notes, "helmforge chart's name")
	assert.NotContains(t, after.Notes, "helmforge", "the migrated file uses no alias")
	assert.Empty(t, res.Dropped)
	assert.Empty(t, res.Unknown)
	assert.Equal(t, "flowise.probes.startup.failureThreshold", res.Moved["startupProbe.failureThreshold"])
	assert.Equal(t, "storage.s3.existingSecretAccessKeyIdKey", res.Moved["storage.s3.existingSecretAccessKeyKey"])

	out := string(res.Values)
	for _, comment := range []string{"# Flowise in queue mode", "# noisy while we migrate", "# the CA is private",
		"# keep the queue across restarts", "# as our secret store names it"} {
		assert.Contains(t, out, comment)
	}
	for _, gone := range []string{"gateway:", "startupProbe:", "securityContext:\n", "standalone:", "accessMode:", "rejectUnauthorized", "architecture: standalone"} {
		assert.NotContains(t, out, gone)
	}
	// Renamed in its own block, in place: the comment stays on the line.
	assert.Contains(t, out, "existingSecretAccessKeyIdKey: AWS_ACCESS_KEY_ID # as our secret store names it")
}

// Refused keys are taken out and listed with their reason; keys neither chart knows are kept
// and listed.
func TestMigrateDropsRefusedKeys(t *testing.T) {
	old, err := os.ReadFile(filepath.Join("testdata", "helmforge-refused.yaml"))
	require.NoError(t, err)
	res, err := migrate.Migrate(old, flowise.Compat, flowiseDefaults(t))
	require.NoError(t, err)
	var dropped []string
	for _, d := range res.Dropped {
		dropped = append(dropped, d.Path)
		assert.Contains(t, d.Reason, "helmforge chart key")
	}
	assert.Equal(t, []string{"auth.encryptionKey", "flowise.numberOfProxies", "postgresql.initdb", "externalSecrets.data"}, dropped)
	assert.Contains(t, res.Dropped[0].Reason, "auth.existingSecret")
	assert.Equal(t, []string{"service.typo"}, res.Unknown)
	out := string(res.Values)
	assert.NotContains(t, out, "do-not-keep-me-here")
	assert.NotContains(t, out, "architecture", "postgresql.architecture standalone is what the chart does: dropped silently")
	assert.True(t, strings.Contains(out, "typo: 1"))
}

func TestMigrateRefusesNonMaps(t *testing.T) {
	_, err := migrate.Migrate([]byte("- a\n"), flowise.Compat, flowiseDefaults(t))
	require.ErrorContains(t, err, "not a map")
	_, err = migrate.Migrate([]byte("a: [\n"), flowise.Compat, flowiseDefaults(t))
	require.ErrorContains(t, err, "parse values")
}
