package flowkit_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/charts/flowkit"
	"github.com/flotilla/flotilla/pkg/charttest"
)

const (
	autoflowOn = "autoflow: {enabled: true, existingSecret: token, inputsClaim: inputs}\n"
	ingressOn  = "ingress: {enabled: true, hosts: [{host: a, paths: [{path: /, pathType: Prefix}]}]}\n"
)

// TestRules feeds every cross-field rule a document it accepts and one it refuses, through
// pkg/render and through Helm's own install action, and checks the reason users see.
func TestRules(t *testing.T) {
	tests := []charttest.RuleCase{
		charttest.Rule("db-etl-machine needs redis", "scenario: db-etl-machine", "scenario: db-etl-machine\nredis: {enabled: false}",
			"redis.enabled", "scenarios db-etl-machine and full need Redis", "anyOf"),
		charttest.Rule("full accepts an external redis", "redis: {enabled: false, external: {host: r}}", "redis: {enabled: false}",
			"redis.enabled", "scenarios db-etl-machine and full need Redis", "anyOf"),
		charttest.Rule("one redis at a time", "redis: {enabled: true}", "redis: {enabled: true, external: {host: r}}",
			"redis.external.host", "choose the bundled or the external Redis", "at '/redis/external/host'"),
		charttest.Rule("sqlite allows one flowauth", "flowauth: {postgresql: {enabled: false}}", "flowauth: {postgresql: {enabled: false}, replicaCount: 2, cacheBackend: redis}",
			"flowauth.replicaCount", "flowauth.replicaCount must be 1 with FlowAuth's SQLite fallback", "at '/flowauth/replicaCount'"),
		charttest.Rule("per-pod 2FA caches allow one flowauth", "flowauth: {replicaCount: 2, cacheBackend: redis}", "flowauth: {replicaCount: 2, cacheBackend: file}",
			"flowauth.replicaCount", "unless flowauth.cacheBackend is redis", "at '/flowauth/replicaCount'"),
		charttest.Rule("one flowauth database", "flowauth: {postgresql: {enabled: false}, externalDatabase: {host: h}}", "flowauth: {externalDatabase: {host: h}}",
			"flowauth.externalDatabase.host", "flowauth.externalDatabase.host must be empty when flowauth.postgresql.enabled is true", "at '/flowauth/externalDatabase/host'"),
		charttest.Rule("flowetl needs a database", "flowetl: {postgresql: {enabled: false}, externalDatabase: {host: h}}", "flowetl: {postgresql: {enabled: false}}",
			"flowetl.externalDatabase.host", "flowetl.externalDatabase.host is required", "at '/flowetl/externalDatabase/host'"),
		charttest.Rule("one flowetl database", "flowetl: {postgresql: {enabled: true}}", "flowetl: {externalDatabase: {host: h}}",
			"flowetl.externalDatabase.host", "flowetl.externalDatabase.host must be empty", "at '/flowetl/externalDatabase/host'"),
		charttest.Rule("autoflow needs full", autoflowOn, "scenario: db-etl-machine\n"+autoflowOn,
			"scenario", "autoflow.enabled needs scenario full", "value must be 'full'"),
		charttest.Rule("autoflow needs a token", autoflowOn, "autoflow: {enabled: true, inputsClaim: inputs}",
			"autoflow.existingSecret", "the FlowAPI token comes from FlowAuth", "at '/autoflow/existingSecret'"),
		charttest.Rule("autoflow needs inputs", "autoflow: {enabled: true, existingSecret: token, inputsConfigMap: notebooks}", "autoflow: {enabled: true, existingSecret: token}",
			"autoflow.inputsClaim", "autoflow.inputsClaim or autoflow.inputsConfigMap is required", "anyOf"),
		charttest.Rule("one inputs directory", autoflowOn, "autoflow: {enabled: true, existingSecret: token, inputsClaim: inputs, inputsConfigMap: notebooks}",
			"autoflow.inputsConfigMap", "are exclusive", "at '/autoflow/inputsConfigMap'"),
		charttest.Rule("ingress needs full", ingressOn, "scenario: db-etl\n"+ingressOn,
			"scenario", "ingress and httpRoute publish FlowAPI", "value must be 'full'"),
		charttest.Rule("ingress needs hosts", ingressOn, "ingress: {enabled: true}",
			"ingress.hosts", "ingress.hosts needs at least one host", "at '/ingress/hosts'"),
		charttest.Rule("httpRoute needs a gateway", "httpRoute: {enabled: true, parentRefs: [{name: gw}]}", "httpRoute: {enabled: true}",
			"httpRoute.parentRefs", "httpRoute.parentRefs needs at least one Gateway", "at '/httpRoute/parentRefs'"),
		charttest.Rule("backup needs a database", "backup: {enabled: true, s3: {bucket: b}, databases: [flowetl]}", "backup: {enabled: true, s3: {bucket: b}, databases: []}",
			"backup.databases", "backup.databases needs at least one", "at '/backup/databases'"),
		charttest.Rule("backup needs a bucket", "backup: {enabled: true, s3: {bucket: b}}", "backup: {enabled: true}",
			"backup.s3.bucket", "backup.s3.bucket is required when backup.enabled or backup.restore.enabled is true", "at '/backup/s3/bucket'"),
		// Single-field checks of the strict schema.
		charttest.Rule("backup databases are FlowKit's", "backup: {databases: [flowdb, autoflow]}", "backup: {databases: [redis]}",
			"backup.databases.0", "", "value must be one of"),
		charttest.Rule("prune frequencies are exact cron schedules", "cache: {pruning: {frequency: 43200}}", "cache: {pruning: {frequency: 5000}}",
			"cache.pruning.frequency", "", "value must be one of"),
		charttest.Rule("scenarios are an enum", "scenario: db-etl", "scenario: standalone",
			"scenario", "", "value must be one of 'db-etl', 'db-etl-machine', 'full'"),
		charttest.Rule("unknown keys are refused", "flowdb: {shmSize: 2Gi}", "flowdb: {shmsize: 2Gi}",
			"flowdb.shmsize", "", "additional properties 'shmsize' not allowed"),
		charttest.Rule("cache size is bytes", "flowdb: {config: {cacheSize: '1000'}}", "flowdb: {config: {cacheSize: 10GB}}",
			"flowdb.config.cacheSize", "", "does not match pattern"),
	}
	require.Len(t, flowkit.Rules, 16, "every rule needs a case here")
	// A named key pair spares each render a 4096-bit key generation.
	const noKeygen = "jwt: {existingSecret: jwt}\n"
	charttest.RequireRules(t, "flowkit", noKeygen, tests)
}
