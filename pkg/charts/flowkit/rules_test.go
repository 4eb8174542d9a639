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
	// FlowAuth published outside the firewall, as the guide allows.
	flowauthIngressOn = "flowauth: {ingress: {enabled: true, hosts: [{host: auth, paths: [{path: /, pathType: Prefix}]}]}}\n"
)

// haBase is a valid highAvailability document: FlowAuth on an external database with the redis
// 2FA cache, and an external Redis.
const haBase = `
redis: {enabled: false, external: {host: redis}}
flowauth: {postgresql: {enabled: false}, externalDatabase: {host: db, existingSecret: db}, cacheBackend: redis}
highAvailability: {enabled: true}
`

// TestRules feeds every cross-field rule a document it accepts and one it refuses, through
// pkg/render and through Helm's own install action, and checks the reason users see.
func TestRules(t *testing.T) {
	tests := ruleCases()
	require.Len(t, flowkit.Rules, 40, "every rule needs a case here")
	charttest.RequireRules(t, "flowkit", noKeygen, tests)
}

// noKeygen names a key pair, which spares each render a 4096-bit key generation.
const noKeygen = "jwt: {existingSecret: jwt}\n"

// ruleCases are a document each rule accepts and one it refuses, plus single-field checks of
// the strict schema; TestSchemaEquivalence feeds them to every copy of the schema too.
func ruleCases() []charttest.RuleCase {
	return append([]charttest.RuleCase{
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
		charttest.Rule("one flowauth database", "flowauth: {postgresql: {enabled: false}, externalDatabase: {host: h, existingSecret: db}}", "flowauth: {externalDatabase: {host: h}}",
			"flowauth.externalDatabase.host", "flowauth.externalDatabase.host must be empty when flowauth.postgresql.enabled is true", "at '/flowauth/externalDatabase/host'"),
		charttest.Rule("flowetl needs a database", "flowetl: {postgresql: {enabled: false}, externalDatabase: {host: h, existingSecret: db}}", "flowetl: {postgresql: {enabled: false}}",
			"flowetl.externalDatabase.host", "flowetl.externalDatabase.host is required", "at '/flowetl/externalDatabase/host'"),
		charttest.Rule("external flowauth database needs its Secret", "flowauth: {postgresql: {enabled: false}, externalDatabase: {host: h, existingSecret: s}}", "flowauth: {postgresql: {enabled: false}, externalDatabase: {host: h}}",
			"flowauth.externalDatabase.existingSecret", "flowauth.externalDatabase.existingSecret is required", "at '/flowauth/externalDatabase/existingSecret'"),
		charttest.Rule("external flowetl database needs its Secret", "flowetl: {postgresql: {enabled: false}, externalDatabase: {host: h, existingSecret: s}}", "flowetl: {postgresql: {enabled: false}, externalDatabase: {host: h}}",
			"flowetl.externalDatabase.existingSecret", "flowetl.externalDatabase.existingSecret is required", "at '/flowetl/externalDatabase/existingSecret'"),
		charttest.Rule("one flowetl database", "flowetl: {postgresql: {enabled: true}}", "flowetl: {externalDatabase: {host: h}}",
			"flowetl.externalDatabase.host", "flowetl.externalDatabase.host must be empty", "at '/flowetl/externalDatabase/host'"),
		charttest.Rule("external flowetl database needs its Secret", "flowetl: {postgresql: {enabled: false}, externalDatabase: {host: h, existingSecret: db}}",
			"flowetl: {postgresql: {enabled: false}, externalDatabase: {host: h}}",
			"flowetl.externalDatabase.existingSecret", "flowetl.externalDatabase.existingSecret is required", "at '/flowetl/externalDatabase/existingSecret'"),
		charttest.Rule("external flowauth database needs its Secret", "flowauth: {postgresql: {enabled: false}, externalDatabase: {host: h, existingSecret: db}}",
			"flowauth: {postgresql: {enabled: false}, externalDatabase: {host: h}}",
			"flowauth.externalDatabase.existingSecret", "flowauth.externalDatabase.existingSecret is required", "at '/flowauth/externalDatabase/existingSecret'"),
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
		charttest.Rule("backup databases are FlowKit's", "backup: {databases: [flowdb, autoflow]}", "backup: {databases: [redis]}",
			"backup.databases.0", "", "value must be one of"),
		charttest.Rule("flowauth ingress needs full", flowauthIngressOn, "scenario: db-etl-machine\n"+flowauthIngressOn,
			"scenario", "flowauth.ingress and flowauth.httpRoute publish FlowAuth", "value must be 'full'"),
		charttest.Rule("flowauth ingress needs hosts", flowauthIngressOn, "flowauth: {ingress: {enabled: true}}",
			"flowauth.ingress.hosts", "flowauth.ingress.hosts needs at least one host", "at '/flowauth/ingress/hosts'"),
		charttest.Rule("flowauth httpRoute needs a gateway", "flowauth: {httpRoute: {enabled: true, parentRefs: [{name: gw}]}}", "flowauth: {httpRoute: {enabled: true}}",
			"flowauth.httpRoute.parentRefs", "flowauth.httpRoute.parentRefs needs at least one Gateway", "at '/flowauth/httpRoute/parentRefs'"),
		charttest.Rule("flowetl ingress needs hosts", "scenario: db-etl\nflowetl: {ingress: {enabled: true, hosts: [{host: a, paths: [{path: /, pathType: Prefix}]}]}}", "flowetl: {ingress: {enabled: true}}",
			"flowetl.ingress.hosts", "flowetl.ingress.hosts needs at least one host", "at '/flowetl/ingress/hosts'"),
		charttest.Rule("flowetl httpRoute needs a gateway", "scenario: db-etl\nflowetl: {httpRoute: {enabled: true, parentRefs: [{name: gw}]}}", "flowetl: {httpRoute: {enabled: true}}",
			"flowetl.httpRoute.parentRefs", "flowetl.httpRoute.parentRefs needs at least one Gateway", "at '/flowetl/httpRoute/parentRefs'"),
		charttest.Rule("flowetl cloudnative-pg with the secrets hook needs the owner's Secret", "secrets: {generation: hook}\nflowetl: {postgresql: {mode: cloudnative-pg, auth: {existingSecret: pg}}}", "secrets: {generation: hook}\nflowetl: {postgresql: {mode: cloudnative-pg}}",
			"flowetl.postgresql.auth.existingSecret", "flowetl.postgresql.auth.existingSecret (keys username and password) or flowetl.postgresql.auth.password is required", "at '/flowetl/postgresql/auth/existingSecret'"),
		charttest.Rule("flowetl cloudnative-pg needs persistence", "flowetl: {postgresql: {mode: cloudnative-pg}}", "flowetl: {postgresql: {mode: cloudnative-pg, standalone: {persistence: {enabled: false}}}}",
			"flowetl.postgresql.standalone.persistence.enabled", "flowetl.postgresql.standalone.persistence.enabled must be true when flowetl.postgresql.mode is cloudnative-pg", "value must be true"),
		charttest.Rule("flowetl cloudnative-pg reads the key password", "flowetl: {postgresql: {mode: cloudnative-pg, auth: {existingSecret: pg}}}", "flowetl: {postgresql: {mode: cloudnative-pg, auth: {existingSecret: pg, existingSecretPasswordKey: pw}}}",
			"flowetl.postgresql.auth.existingSecretPasswordKey", "flowetl.postgresql.auth.existingSecretPasswordKey must be password when flowetl.postgresql.mode is cloudnative-pg", "value must be 'password'"),
		charttest.Rule("flowauth cloudnative-pg with the secrets hook needs the owner's Secret", "secrets: {generation: hook}\nflowauth: {postgresql: {mode: cloudnative-pg, auth: {existingSecret: pg}}}", "secrets: {generation: hook}\nflowauth: {postgresql: {mode: cloudnative-pg}}",
			"flowauth.postgresql.auth.existingSecret", "flowauth.postgresql.auth.existingSecret (keys username and password) or flowauth.postgresql.auth.password is required", "at '/flowauth/postgresql/auth/existingSecret'"),
		charttest.Rule("flowauth cloudnative-pg needs persistence", "flowauth: {postgresql: {mode: cloudnative-pg}}", "flowauth: {postgresql: {mode: cloudnative-pg, standalone: {persistence: {enabled: false}}}}",
			"flowauth.postgresql.standalone.persistence.enabled", "flowauth.postgresql.standalone.persistence.enabled must be true when flowauth.postgresql.mode is cloudnative-pg", "value must be true"),
		charttest.Rule("flowauth cloudnative-pg reads the key password", "flowauth: {postgresql: {mode: cloudnative-pg, auth: {existingSecret: pg}}}", "flowauth: {postgresql: {mode: cloudnative-pg, auth: {existingSecret: pg, existingSecretPasswordKey: pw}}}",
			"flowauth.postgresql.auth.existingSecretPasswordKey", "flowauth.postgresql.auth.existingSecretPasswordKey must be password when flowauth.postgresql.mode is cloudnative-pg", "value must be 'password'"),
		charttest.Rule("autoflow cloudnative-pg with the secrets hook needs the owner's Secret", "secrets: {generation: hook}\nautoflow: {postgresql: {mode: cloudnative-pg, auth: {existingSecret: pg}}}", "secrets: {generation: hook}\nautoflow: {postgresql: {mode: cloudnative-pg}}",
			"autoflow.postgresql.auth.existingSecret", "autoflow.postgresql.auth.existingSecret (keys username and password) or autoflow.postgresql.auth.password is required", "at '/autoflow/postgresql/auth/existingSecret'"),
		charttest.Rule("autoflow cloudnative-pg needs persistence", "autoflow: {postgresql: {mode: cloudnative-pg}}", "autoflow: {postgresql: {mode: cloudnative-pg, standalone: {persistence: {enabled: false}}}}",
			"autoflow.postgresql.standalone.persistence.enabled", "autoflow.postgresql.standalone.persistence.enabled must be true when autoflow.postgresql.mode is cloudnative-pg", "value must be true"),
		charttest.Rule("autoflow cloudnative-pg reads the key password", "autoflow: {postgresql: {mode: cloudnative-pg, auth: {existingSecret: pg}}}", "autoflow: {postgresql: {mode: cloudnative-pg, auth: {existingSecret: pg, existingSecretPasswordKey: pw}}}",
			"autoflow.postgresql.auth.existingSecretPasswordKey", "autoflow.postgresql.auth.existingSecretPasswordKey must be password when autoflow.postgresql.mode is cloudnative-pg", "value must be 'password'"),
		charttest.Rule("HA keeps the budgets", haBase, haBase+"podDisruptionBudget: {enabled: false}",
			"podDisruptionBudget.enabled", "highAvailability.enabled needs podDisruptionBudget.enabled=true", "at '/podDisruptionBudget/enabled'"),
		charttest.Rule("HA drains one pod at a time", haBase, haBase+"podDisruptionBudget: {maxUnavailable: 2}",
			"podDisruptionBudget.maxUnavailable", "with podDisruptionBudget.maxUnavailable=1: the budgets keep a node drain", "at '/podDisruptionBudget/maxUnavailable'"),
		charttest.Rule("HA needs scenario full", haBase, haBase+"scenario: db-etl-machine",
			"scenario", "highAvailability.enabled needs scenario full", "value must be 'full'"),
		charttest.Rule("HA needs the redis 2FA cache", haBase, haBase+"flowauth: {postgresql: {enabled: false}, externalDatabase: {host: db, existingSecret: db}, cacheBackend: file}",
			"flowauth.cacheBackend", "highAvailability.enabled needs flowauth.cacheBackend=redis", "value must be 'redis'"),
		charttest.Rule("HA refuses FlowAuth's bundled PostgreSQL", haBase, haBase+"flowauth: {cacheBackend: redis}",
			"flowauth.postgresql.enabled", "highAvailability.enabled needs flowauth.postgresql.enabled=false or flowauth.postgresql.mode=cloudnative-pg", "at '/flowauth/postgresql/enabled'"),
		charttest.Rule("HA refuses FlowAuth's SQLite", haBase, haBase+"flowauth: {postgresql: {enabled: false}, cacheBackend: redis}",
			"flowauth.externalDatabase.host", "highAvailability.enabled needs flowauth.externalDatabase.host (or flowauth.postgresql with mode cloudnative-pg)", "at '/flowauth/externalDatabase/host'"),
		charttest.Rule("HA refuses the bundled Redis", haBase, haBase+"redis: {enabled: true, external: {host: ''}}",
			"redis.enabled", "highAvailability.enabled needs redis.enabled=false", "at '/redis/enabled'"),
		// Single-field checks of the strict schema.
		charttest.Rule("any prune frequency from a minute", "cache: {pruning: {frequency: 5000}}", "cache: {pruning: {frequency: 59}}",
			"cache.pruning.frequency", "", "minimum"),
		charttest.Rule("scenarios are an enum", "scenario: db-etl", "scenario: standalone",
			"scenario", "", "value must be one of 'db-etl', 'db-etl-machine', 'full'"),
		charttest.Rule("unknown keys are refused", "flowdb: {shmSize: 2Gi}", "flowdb: {shmsize: 2Gi}",
			"flowdb.shmsize", "", "additional properties 'shmsize' not allowed"),
		charttest.Rule("cache size is bytes", "flowdb: {config: {cacheSize: '1000'}}", "flowdb: {config: {cacheSize: 10GB}}",
			"flowdb.config.cacheSize", "", "does not match pattern"),
	}, append(charttest.StatusRuleCases(), charttest.SecurityContextRuleCases()...)...)
}

// TestSchemaEquivalence checks that the chart's lean schema, the editor schema and the schema
// before the lean copy agree on the examples, the rule cases and a fuzzed corpus of them.
func TestSchemaEquivalence(t *testing.T) {
	charttest.RequireEquivalentSchemas(t, "flowkit", example(""), noKeygen, ruleCases())
}

// TestValidRendersNameWhatTheyMount: every example and every document a rule accepts renders
// pods whose Secret and ConfigMap references all have a name and a key.
func TestValidRendersNameWhatTheyMount(t *testing.T) {
	charttest.RequireValidRendersNamed(t, "flowkit", example(""), noKeygen, ruleCases())
}

// TestEveryValueIsRead: no declared value is left without a template reading it.
func TestEveryValueIsRead(t *testing.T) {
	charttest.RequireEveryValueRead(t, flowkit.Chart())
}
