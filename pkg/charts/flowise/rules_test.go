package flowise_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/flotilla/flotilla/pkg/charts/flowise"
	"github.com/flotilla/flotilla/pkg/charttest"
	"github.com/flotilla/flotilla/pkg/render"
)

// queueBase is a valid queue-mode document the rule cases vary.
const queueBase = `
architecture: {mode: queue}
persistence: {enabled: false}
storage: {type: s3, s3: {bucketName: b}}
postgresql: {enabled: true}
redis: {enabled: true}
`

// TestRules feeds every cross-field rule a document it accepts and one it refuses, through
// pkg/render and through Helm's own install action, and checks the reason users see.
func TestRules(t *testing.T) {
	tests := []struct {
		name     string
		valid    string
		invalid  string
		path     string // field named in the error
		rule     string // substring of the rule's message
		helmText string // substring of Helm's own message
	}{
		{"queue needs persistence off", queueBase, queueBase + "persistence: {enabled: true}",
			"persistence.enabled", "persistence.enabled must be false when architecture.mode is queue", "at '/persistence/enabled'"},
		{"queue needs s3", queueBase, queueBase + "storage: {type: local}",
			"storage.type", "storage.type must be s3 when architecture.mode is queue: main and worker pods share blobs", "value must be 's3'"},
		{"queue needs redis", queueBase, queueBase + "redis: {enabled: false}",
			"redis.enabled", "queue mode needs Redis", "anyOf"},
		{"queue accepts external redis", queueBase + "redis: {enabled: false, external: {host: r}}", queueBase + "redis: {enabled: false, external: {host: ''}}",
			"redis.enabled", "queue mode needs Redis", "anyOf"},
		{"queue needs SQL, not sqlite", queueBase, queueBase + "postgresql: {enabled: false}",
			"database.mode", "queue mode needs a SQL database", "anyOf"},
		{"queue refuses database.mode sqlite", queueBase + "postgresql: {enabled: false}\ndatabase: {mode: external, external: {host: h}}", queueBase + "postgresql: {enabled: false}\ndatabase: {mode: sqlite}",
			"database.mode", "queue mode needs a SQL database", "anyOf"},
		{"sqlite allows one replica", "flowise: {replicaCount: 1}", "architecture: {mode: queue}\nflowise: {replicaCount: 2}\npersistence: {enabled: false}\nstorage: {type: s3, s3: {bucketName: b}}\nredis: {enabled: true}",
			"flowise.replicaCount", "flowise.replicaCount must be 1 with SQLite", "at '/flowise/replicaCount'"},
		{"standalone allows one replica", "postgresql: {enabled: true}", "postgresql: {enabled: true}\nflowise: {replicaCount: 2}",
			"flowise.replicaCount", "use queue mode to run more main pods", "at '/flowise/replicaCount'"},
		{"external needs a host", "database: {mode: external, external: {host: db}}", "database: {mode: external}",
			"database.external.host", "database.external.host is required when database.mode is external", "at '/database/external/host'"},
		{"postgresql mode needs the bundled one", "database: {mode: postgresql}\npostgresql: {enabled: true}", "database: {mode: postgresql}",
			"postgresql.enabled", "postgresql.enabled must be true when database.mode is postgresql", "at '/postgresql/enabled'"},
		{"sqlite mode refuses an unused bundled postgresql", "database: {mode: sqlite}", "database: {mode: sqlite}\npostgresql: {enabled: true}",
			"postgresql.enabled", "the bundled PostgreSQL would run unused", "at '/postgresql/enabled'"},
		{"auto refuses two databases", "postgresql: {enabled: true}", "postgresql: {enabled: true}\ndatabase: {external: {host: db}}",
			"database.external.host", "choose the bundled or the external database", "at '/database/external/host'"},
		{"ssl certificate needs ssl", "database: {mode: external, external: {host: db, ssl: true, sslExistingSecret: ca}}", "database: {mode: external, external: {host: db, sslExistingSecret: ca}}",
			"database.external.ssl", "database.external.ssl must be true", "at '/database/external/ssl'"},
		{"s3 needs a bucket", "storage: {type: s3, s3: {bucketName: b}}", "storage: {type: s3}",
			"storage.s3.bucketName", "storage.s3.bucketName is required when storage.type is s3", "at '/storage/s3/bucketName'"},
		{"one redis at a time", queueBase, queueBase + "redis: {enabled: true, external: {host: r}}",
			"redis.external.host", "choose the bundled or the external Redis", "at '/redis/external/host'"},
		{"existingClaim needs persistence", "persistence: {existingClaim: data}", "persistence: {enabled: false, existingClaim: data}",
			"persistence.enabled", "persistence.existingClaim is only used when persistence.enabled is true", "at '/persistence/enabled'"},
		{"ingress needs hosts", "ingress: {enabled: true, hosts: [{host: a, paths: [{path: /, pathType: Prefix}]}]}", "ingress: {enabled: true}",
			"ingress.hosts", "ingress.hosts needs at least one host", "at '/ingress/hosts'"},
		{"httpRoute needs a gateway", "httpRoute: {enabled: true, parentRefs: [{name: gw}]}", "httpRoute: {enabled: true}",
			"httpRoute.parentRefs", "httpRoute.parentRefs needs at least one Gateway", "at '/httpRoute/parentRefs'"},
		// Single-field checks of the strict schema.
		{"unknown keys are refused", "flowise: {logLevel: debug}", "flowise: {logLevl: debug}",
			"flowise.logLevl", "", "additional properties 'logLevl' not allowed"},
		{"closed sets are enums", "architecture: {mode: queue}\n" + queueBase, "architecture: {mode: cluster}",
			"architecture.mode", "", "value must be one of 'standalone', 'queue'"},
		{"sizes have a pattern", "persistence: {size: 10Gi}", "persistence: {size: 10 GB}",
			"persistence.size", "", "does not match pattern"},
		{"extraEnv values are strings", "flowise: {extraEnv: [{name: A, value: '1'}]}", "flowise: {extraEnv: [{name: A, value: 1}]}",
			"flowise.extraEnv.0.value", "", "got number, want string"},
	}
	require.Len(t, flowise.Rules, 16, "every rule needs a case here")
	ch := loadChart(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			valid, invalid := doc(t, tc.valid), doc(t, tc.invalid)

			_, err := render.Render(ch, render.Options{Values: []map[string]any{valid}})
			require.NoError(t, err, "valid document refused")
			_, err = charttest.HelmTemplate(loadChart(t), doc(t, tc.valid), "rel", "apps")
			require.NoError(t, err, "helm refuses the valid document")

			_, err = render.Render(ch, render.Options{Values: []map[string]any{invalid}})
			var ve *render.ValidationError
			require.True(t, errors.As(err, &ve), "want a ValidationError, got %v", err)
			if tc.rule != "" {
				assert.Contains(t, err.Error(), tc.rule)
			}
			assert.Contains(t, problemPaths(ve), tc.path)
			assert.Contains(t, ve.Helm, tc.helmText)

			_, helmErr := charttest.HelmTemplate(loadChart(t), doc(t, tc.invalid), "rel", "apps")
			require.Error(t, helmErr, "helm accepts a document pkg/render refuses")
			assert.Equal(t, ve.Helm, helmErr.Error(), "pkg/render must report Helm's own failure")
		})
	}
}

func problemPaths(ve *render.ValidationError) []string {
	var out []string
	for _, p := range ve.Problems {
		out = append(out, p.Path)
	}
	return out
}

func doc(t *testing.T, s string) map[string]any {
	t.Helper()
	m := map[string]any{}
	require.NoError(t, yaml.Unmarshal([]byte(s), &m))
	return m
}
