package flagsmith_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/charts/flagsmith"
	"github.com/flotilla/flotilla/pkg/charttest"
)

// externalBase is a valid document with an external database the rule cases vary.
const externalBase = `
postgresql: {enabled: false}
database: {external: {host: db, existingSecret: db-creds}}
`

// haBase is a valid highAvailability document: an external database, no bundled Redis.
const haBase = externalBase + `redis: {enabled: false}
highAvailability: {enabled: true}
`

// TestRules feeds every cross-field rule a document it accepts and one it refuses, through
// pkg/render and through Helm's own install action, and checks the reason users see.
func TestRules(t *testing.T) {
	tests := ruleCases()
	require.Len(t, flagsmith.Rules, 30, "every rule needs a case here")
	charttest.RequireRules(t, "flagsmith", "", tests)
}

// ruleCases are a document each rule accepts and one it refuses, plus single-field checks of
// the strict schema; TestSchemaEquivalence feeds them to every copy of the schema too.
func ruleCases() []charttest.RuleCase {
	return append([]charttest.RuleCase{
		charttest.Rule("external database needs a host", externalBase, "postgresql: {enabled: false}",
			"database.external.host", "an external database needs database.external.host or database.external.urlExistingSecret", "anyOf"),
		charttest.Rule("external database accepts a URL Secret", "postgresql: {enabled: false}\ndatabase: {external: {urlExistingSecret: url}}", "database: {mode: external}\npostgresql: {enabled: false}",
			"database.external.host", "an external database needs database.external.host", "anyOf"),
		charttest.Rule("external host needs a password", externalBase, "postgresql: {enabled: false}\ndatabase: {external: {host: db}}",
			"database.external.existingSecret", "needs database.external.existingSecret or database.external.password", "anyOf"),
		charttest.Rule("postgresql mode needs the bundled one", "database: {mode: postgresql}", "database: {mode: postgresql}\npostgresql: {enabled: false}",
			"postgresql.enabled", "postgresql.enabled must be true when database.mode is postgresql", "at '/postgresql/enabled'"),
		// --set postgresql=null removes the block: the problem names it, not the document root.
		charttest.Rule("nulled block is named", "database: {mode: postgresql}", "database: {mode: postgresql}\npostgresql: null",
			"postgresql", "postgresql.enabled must be true when database.mode is postgresql", "missing property 'postgresql'"),
		charttest.Rule("external mode refuses an unused bundled postgresql", "database: {mode: external, external: {host: db, password: pw}}\npostgresql: {enabled: false}", "database: {mode: external, external: {host: db, password: pw}}",
			"postgresql.enabled", "the bundled PostgreSQL would run unused", "at '/postgresql/enabled'"),
		charttest.Rule("migration job needs an external database", externalBase+"migration: {mode: job}", "migration: {mode: job}",
			"database.mode", "pre-install hooks run before the bundled PostgreSQL exists", "anyOf"),
		charttest.Rule("pgbouncer needs host and password", externalBase+"pgbouncer: {enabled: true}", "postgresql: {enabled: false}\ndatabase: {external: {urlExistingSecret: url}}\npgbouncer: {enabled: true}",
			"database.external.urlExistingSecret", "PgBouncer needs the database as host and password", "at '/database/external/urlExistingSecret'"),
		charttest.Rule("task processor HPA needs queue mode", "architecture: {mode: queue}\ntaskProcessor: {autoscaling: {enabled: true}}", "taskProcessor: {autoscaling: {enabled: true}}",
			"architecture.mode", "taskProcessor.autoscaling needs architecture.mode queue", "at '/architecture/mode'"),
		charttest.Rule("one redis at a time", "redis: {enabled: true}", "redis: {enabled: true, external: {host: r}}",
			"redis.external.host", "choose the bundled or the external Redis", "at '/redis/external/host'"),
		charttest.Rule("one influxdb at a time", "influxdb: {enabled: true}", "influxdb: {enabled: true, external: {url: 'http://i', existingSecret: t}}",
			"influxdb.external.url", "choose the bundled or the external InfluxDB", "at '/influxdb/external/url'"),
		charttest.Rule("external influxdb needs a token", "influxdb: {external: {url: 'http://i', existingSecret: t}}", "influxdb: {external: {url: 'http://i'}}",
			"influxdb.external.existingSecret", "influxdb.external.existingSecret (the token) is required", "at '/influxdb/external/existingSecret'"),
		charttest.Rule("sendgrid needs its key", "email: {backend: sendgrid, sendgrid: {existingSecret: sg}}", "email: {backend: sendgrid}",
			"email.sendgrid.existingSecret", "email.sendgrid.existingSecret (the API key) is required", "at '/email/sendgrid/existingSecret'"),
		charttest.Rule("smtp needs a host", "email: {backend: smtp, smtp: {host: mail}}", "email: {backend: smtp}",
			"email.smtp.host", "email.smtp.host is required when email.backend is smtp", "at '/email/smtp/host'"),
		charttest.Rule("github oauth needs its secret", "oauth: {github: {clientId: id, existingSecret: gh}}", "oauth: {github: {clientId: id}}",
			"oauth.github.existingSecret", "oauth.github.existingSecret (the client secret) is required", "at '/oauth/github/existingSecret'"),
		charttest.Rule("s3 static files need a bucket", "staticFiles: {s3: {enabled: true, bucketName: b}}", "staticFiles: {s3: {enabled: true}}",
			"staticFiles.s3.bucketName", "staticFiles.s3.bucketName is required", "at '/staticFiles/s3/bucketName'"),
		charttest.Rule("api ingress needs hosts", "ingress: {enabled: true, hosts: [{host: a, paths: [{path: /, pathType: Prefix}]}]}", "ingress: {enabled: true}",
			"ingress.hosts", "ingress.hosts needs at least one host", "at '/ingress/hosts'"),
		charttest.Rule("frontend ingress needs hosts", "frontend: {ingress: {enabled: true, hosts: [{host: a, paths: [{path: /, pathType: Prefix}]}]}}", "frontend: {ingress: {enabled: true}}",
			"frontend.ingress.hosts", "frontend.ingress.hosts needs at least one host", "at '/frontend/ingress/hosts'"),
		charttest.Rule("frontend ingress needs the frontend", "frontend: {ingress: {enabled: true, hosts: [{host: a, paths: [{path: /, pathType: Prefix}]}]}}", "frontend: {enabled: false, ingress: {enabled: true, hosts: [{host: a, paths: [{path: /, pathType: Prefix}]}]}}",
			"frontend.enabled", "the Ingress would have no backend", "at '/frontend/enabled'"),
		charttest.Rule("api httpRoute needs a gateway", "httpRoute: {enabled: true, parentRefs: [{name: gw}]}", "httpRoute: {enabled: true}",
			"httpRoute.parentRefs", "httpRoute.parentRefs needs at least one Gateway", "at '/httpRoute/parentRefs'"),
		charttest.Rule("frontend httpRoute needs a gateway", "frontend: {httpRoute: {enabled: true, parentRefs: [{name: gw}]}}", "frontend: {httpRoute: {enabled: true}}",
			"frontend.httpRoute.parentRefs", "frontend.httpRoute.parentRefs needs at least one Gateway", "at '/frontend/httpRoute/parentRefs'"),
		charttest.Rule("frontend httpRoute needs the frontend", "frontend: {httpRoute: {enabled: true, parentRefs: [{name: gw}]}}", "frontend: {enabled: false, httpRoute: {enabled: true, parentRefs: [{name: gw}]}}",
			"frontend.enabled", "the HTTPRoute would have no backend", "at '/frontend/enabled'"),
		charttest.Rule("backup needs a bucket", "backup: {enabled: true, s3: {bucket: b}}", "backup: {enabled: true}",
			"backup.s3.bucket", "backup.s3.bucket is required when backup.enabled or backup.restore.enabled is true", "at '/backup/s3/bucket'"),
		charttest.Rule("backup needs the database by host", externalBase+"backup: {enabled: true, s3: {bucket: b}}", "postgresql: {enabled: false}\ndatabase: {external: {urlExistingSecret: url}}\nbackup: {enabled: true, s3: {bucket: b}}",
			"database.external.urlExistingSecret", "database.external.urlExistingSecret is not supported by backup", "at '/database/external/urlExistingSecret'"),
		charttest.Rule("cloudnative-pg needs persistence", "postgresql: {mode: cloudnative-pg}", "postgresql: {mode: cloudnative-pg, standalone: {persistence: {enabled: false}}}",
			"postgresql.standalone.persistence.enabled", "postgresql.standalone.persistence.enabled must be true when postgresql.mode is cloudnative-pg", "value must be true"),
		charttest.Rule("cloudnative-pg with the secrets hook needs the owner's Secret", "secrets: {generation: hook}\npostgresql: {mode: cloudnative-pg, auth: {existingSecret: pg}}", "secrets: {generation: hook}\npostgresql: {mode: cloudnative-pg}",
			"postgresql.auth.existingSecret", "postgresql.auth.existingSecret (keys username and password) or postgresql.auth.password is required", "at '/postgresql/auth/existingSecret'"),
		charttest.Rule("cloudnative-pg reads the key password", "postgresql: {mode: cloudnative-pg, auth: {existingSecret: pg}}", "postgresql: {mode: cloudnative-pg, auth: {existingSecret: pg, existingSecretPasswordKey: pw}}",
			"postgresql.auth.existingSecretPasswordKey", "postgresql.auth.existingSecretPasswordKey must be password when postgresql.mode is cloudnative-pg", "value must be 'password'"),
		charttest.Rule("HA keeps the budgets", haBase, haBase+"podDisruptionBudget: {enabled: false}",
			"podDisruptionBudget.enabled", "highAvailability.enabled needs podDisruptionBudget.enabled=true", "at '/podDisruptionBudget/enabled'"),
		charttest.Rule("HA drains one pod at a time", haBase, haBase+"podDisruptionBudget: {maxUnavailable: 3}",
			"podDisruptionBudget.maxUnavailable", "with podDisruptionBudget.maxUnavailable=1: the budgets keep a node drain", "at '/podDisruptionBudget/maxUnavailable'"),
		charttest.Rule("HA refuses the bundled PostgreSQL", haBase, "redis: {enabled: false}\nhighAvailability: {enabled: true}",
			"postgresql.enabled", "highAvailability.enabled needs postgresql.enabled=false or postgresql.mode=cloudnative-pg: the bundled PostgreSQL is a single pod", "at '/postgresql/enabled'"),
		charttest.Rule("HA refuses the bundled Redis", haBase+"redis: {enabled: false, external: {host: r}}", haBase+"redis: {enabled: true}",
			"redis.enabled", "highAvailability.enabled needs redis.enabled=false", "at '/redis/enabled'"),
		// Single-field checks of the strict schema.
		charttest.Rule("backup retention ages have a pattern", "backup: {retention: {keepWithin: 30d}}", "backup: {retention: {keepWithin: 1 month}}",
			"backup.retention.keepWithin", "", "does not match pattern"),
		charttest.Rule("unknown keys are refused", "api: {logLevel: INFO}", "api: {logLevl: INFO}",
			"api.logLevl", "", "additional properties 'logLevl' not allowed"),
		charttest.Rule("closed sets are enums", "architecture: {mode: queue}", "architecture: {mode: celery}",
			"architecture.mode", "", "value must be one of 'standalone', 'queue'"),
		charttest.Rule("retention has a pattern", "influxdb: {retention: 30d}", "influxdb: {retention: 30 days}",
			"influxdb.retention", "", "does not match pattern"),
		charttest.Rule("extraEnv values are strings", "api: {extraEnv: [{name: A, value: '1'}]}", "api: {extraEnv: [{name: A, value: 1}]}",
			"api.extraEnv.0.value", "", "got number, want string"),
	}, append(charttest.StatusRuleCases(), charttest.SecurityContextRuleCases()...)...)
}

// TestSchemaEquivalence checks that the chart's lean schema, the editor schema and the schema
// before the lean copy agree on the examples, the rule cases and a fuzzed corpus of them.
func TestSchemaEquivalence(t *testing.T) {
	charttest.RequireEquivalentSchemas(t, "flagsmith", example(""), "", ruleCases())
}

// TestValidRendersNameWhatTheyMount: every example and every document a rule accepts renders
// pods whose Secret and ConfigMap references all have a name and a key.
func TestValidRendersNameWhatTheyMount(t *testing.T) {
	charttest.RequireValidRendersNamed(t, "flagsmith", example(""), "", ruleCases())
}

// TestEveryValueIsRead: no declared value is left without a template reading it.
func TestEveryValueIsRead(t *testing.T) {
	charttest.RequireEveryValueRead(t, flagsmith.Chart())
}
