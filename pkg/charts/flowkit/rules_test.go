package flowkit_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/flotilla/flotilla/pkg/charts/flowkit"
	"github.com/flotilla/flotilla/pkg/charttest"
	"github.com/flotilla/flotilla/pkg/render"
)

const (
	autoflowOn = "autoflow: {enabled: true, existingSecret: token, inputsClaim: inputs}\n"
	ingressOn  = "ingress: {enabled: true, hosts: [{host: a, paths: [{path: /, pathType: Prefix}]}]}\n"
)

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
		{"db-etl-machine needs redis", "scenario: db-etl-machine", "scenario: db-etl-machine\nredis: {enabled: false}",
			"redis.enabled", "scenarios db-etl-machine and full need Redis", "anyOf"},
		{"full accepts an external redis", "redis: {enabled: false, external: {host: r}}", "redis: {enabled: false}",
			"redis.enabled", "scenarios db-etl-machine and full need Redis", "anyOf"},
		{"one redis at a time", "redis: {enabled: true}", "redis: {enabled: true, external: {host: r}}",
			"redis.external.host", "choose the bundled or the external Redis", "at '/redis/external/host'"},
		{"sqlite allows one flowauth", "flowauth: {postgresql: {enabled: false}}", "flowauth: {postgresql: {enabled: false}, replicaCount: 2, cacheBackend: redis}",
			"flowauth.replicaCount", "flowauth.replicaCount must be 1 with FlowAuth's SQLite fallback", "at '/flowauth/replicaCount'"},
		{"per-pod 2FA caches allow one flowauth", "flowauth: {replicaCount: 2, cacheBackend: redis}", "flowauth: {replicaCount: 2, cacheBackend: file}",
			"flowauth.replicaCount", "unless flowauth.cacheBackend is redis", "at '/flowauth/replicaCount'"},
		{"one flowauth database", "flowauth: {postgresql: {enabled: false}, externalDatabase: {host: h}}", "flowauth: {externalDatabase: {host: h}}",
			"flowauth.externalDatabase.host", "flowauth.externalDatabase.host must be empty when flowauth.postgresql.enabled is true", "at '/flowauth/externalDatabase/host'"},
		{"flowetl needs a database", "flowetl: {postgresql: {enabled: false}, externalDatabase: {host: h}}", "flowetl: {postgresql: {enabled: false}}",
			"flowetl.externalDatabase.host", "flowetl.externalDatabase.host is required", "at '/flowetl/externalDatabase/host'"},
		{"one flowetl database", "flowetl: {postgresql: {enabled: true}}", "flowetl: {externalDatabase: {host: h}}",
			"flowetl.externalDatabase.host", "flowetl.externalDatabase.host must be empty", "at '/flowetl/externalDatabase/host'"},
		{"autoflow needs full", autoflowOn, "scenario: db-etl-machine\n" + autoflowOn,
			"scenario", "autoflow.enabled needs scenario full", "value must be 'full'"},
		{"autoflow needs a token", autoflowOn, "autoflow: {enabled: true, inputsClaim: inputs}",
			"autoflow.existingSecret", "the FlowAPI token comes from FlowAuth", "at '/autoflow/existingSecret'"},
		{"autoflow needs inputs", "autoflow: {enabled: true, existingSecret: token, inputsConfigMap: notebooks}", "autoflow: {enabled: true, existingSecret: token}",
			"autoflow.inputsClaim", "autoflow.inputsClaim or autoflow.inputsConfigMap is required", "anyOf"},
		{"one inputs directory", autoflowOn, "autoflow: {enabled: true, existingSecret: token, inputsClaim: inputs, inputsConfigMap: notebooks}",
			"autoflow.inputsConfigMap", "are exclusive", "at '/autoflow/inputsConfigMap'"},
		{"ingress needs full", ingressOn, "scenario: db-etl\n" + ingressOn,
			"scenario", "ingress and httpRoute publish FlowAPI", "value must be 'full'"},
		{"ingress needs hosts", ingressOn, "ingress: {enabled: true}",
			"ingress.hosts", "ingress.hosts needs at least one host", "at '/ingress/hosts'"},
		{"httpRoute needs a gateway", "httpRoute: {enabled: true, parentRefs: [{name: gw}]}", "httpRoute: {enabled: true}",
			"httpRoute.parentRefs", "httpRoute.parentRefs needs at least one Gateway", "at '/httpRoute/parentRefs'"},
		// Single-field checks of the strict schema.
		{"prune frequencies are exact cron schedules", "cache: {pruning: {frequency: 43200}}", "cache: {pruning: {frequency: 5000}}",
			"cache.pruning.frequency", "", "value must be one of"},
		{"scenarios are an enum", "scenario: db-etl", "scenario: standalone",
			"scenario", "", "value must be one of 'db-etl', 'db-etl-machine', 'full'"},
		{"unknown keys are refused", "flowdb: {shmSize: 2Gi}", "flowdb: {shmsize: 2Gi}",
			"flowdb.shmsize", "", "additional properties 'shmsize' not allowed"},
		{"cache size is bytes", "flowdb: {config: {cacheSize: '1000'}}", "flowdb: {config: {cacheSize: 10GB}}",
			"flowdb.config.cacheSize", "", "does not match pattern"},
	}
	require.Len(t, flowkit.Rules, 14, "every rule needs a case here")
	ch := loadChart(t)
	// A named key pair spares each render a 4096-bit key generation.
	const noKeygen = "jwt: {existingSecret: jwt}\n"
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			valid, invalid := doc(t, noKeygen+tc.valid), doc(t, noKeygen+tc.invalid)

			_, err := render.Render(ch, render.Options{Values: []map[string]any{valid}})
			require.NoError(t, err, "valid document refused")
			_, err = charttest.HelmTemplate(loadChart(t), doc(t, noKeygen+tc.valid), "rel", "apps")
			require.NoError(t, err, "helm refuses the valid document")

			_, err = render.Render(ch, render.Options{Values: []map[string]any{invalid}})
			var ve *render.ValidationError
			require.True(t, errors.As(err, &ve), "want a ValidationError, got %v", err)
			if tc.rule != "" {
				assert.Contains(t, err.Error(), tc.rule)
			}
			assert.Contains(t, problemPaths(ve), tc.path)
			assert.Contains(t, ve.Helm, tc.helmText)

			_, helmErr := charttest.HelmTemplate(loadChart(t), doc(t, noKeygen+tc.invalid), "rel", "apps")
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
