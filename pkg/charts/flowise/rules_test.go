package flowise_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/charts/flowise"
	"github.com/flotilla/flotilla/pkg/charttest"
)

// queueBase is a valid queue-mode document the rule cases vary.
const queueBase = `
architecture: {mode: queue}
persistence: {enabled: false}
storage: {type: s3, s3: {bucketName: b}}
postgresql: {enabled: true}
redis: {enabled: true}
`

// haBase is a valid highAvailability document: queue mode on an external database and Redis.
const haBase = `
architecture: {mode: queue}
persistence: {enabled: false}
storage: {type: s3, s3: {bucketName: b}}
database: {mode: external, external: {host: db}}
redis: {enabled: false, external: {host: redis}}
highAvailability: {enabled: true}
`

// TestRules feeds every cross-field rule a document it accepts and one it refuses, through
// pkg/render and through Helm's own install action, and checks the reason users see.
func TestRules(t *testing.T) {
	tests := ruleCases()
	require.Len(t, flowise.Rules, 40, "every rule needs a case here")
	charttest.RequireRules(t, "flowise", "", tests)
}

// ruleCases are a document each rule accepts and one it refuses, plus single-field checks of
// the strict schema; TestSchemaEquivalence feeds them to every copy of the schema too.
func ruleCases() []charttest.RuleCase {
	return append([]charttest.RuleCase{
		charttest.Rule("queue needs persistence off", queueBase, queueBase+"persistence: {enabled: true}",
			"persistence.enabled", "persistence.enabled must be false when architecture.mode is queue", "at '/persistence/enabled'"),
		charttest.Rule("queue needs s3", queueBase, queueBase+"storage: {type: local}",
			"storage.type", "storage.type must be s3, gcs or azure when architecture.mode is queue: main and worker pods share blobs", "value must be one of 's3', 'gcs', 'azure'"),
		charttest.Rule("queue needs redis", queueBase, queueBase+"redis: {enabled: false}",
			"redis.enabled", "queue mode needs Redis", "anyOf"),
		charttest.Rule("queue accepts external redis", queueBase+"redis: {enabled: false, external: {host: r}}", queueBase+"redis: {enabled: false, external: {host: ''}}",
			"redis.enabled", "queue mode needs Redis", "anyOf"),
		charttest.Rule("queue needs SQL, not sqlite", queueBase, queueBase+"postgresql: {enabled: false}",
			"database.mode", "queue mode needs a SQL database", "anyOf"),
		charttest.Rule("queue refuses database.mode sqlite", queueBase+"postgresql: {enabled: false}\ndatabase: {mode: external, external: {host: h}}", queueBase+"postgresql: {enabled: false}\ndatabase: {mode: sqlite}",
			"database.mode", "queue mode needs a SQL database", "anyOf"),
		charttest.Rule("sqlite allows one replica", "flowise: {replicaCount: 1}", "architecture: {mode: queue}\nflowise: {replicaCount: 2}\npersistence: {enabled: false}\nstorage: {type: s3, s3: {bucketName: b}}\nredis: {enabled: true}",
			"flowise.replicaCount", "flowise.replicaCount must be 1 with SQLite", "at '/flowise/replicaCount'"),
		charttest.Rule("standalone allows one replica", "postgresql: {enabled: true}", "postgresql: {enabled: true}\nflowise: {replicaCount: 2}",
			"flowise.replicaCount", "use queue mode to run more main pods", "at '/flowise/replicaCount'"),
		charttest.Rule("external needs a host", "database: {mode: external, external: {host: db}}", "database: {mode: external}",
			"database.external.host", "database.external.host is required when database.mode is external", "at '/database/external/host'"),
		charttest.Rule("postgresql mode needs the bundled one", "database: {mode: postgresql}\npostgresql: {enabled: true}", "database: {mode: postgresql}",
			"postgresql.enabled", "postgresql.enabled must be true when database.mode is postgresql", "at '/postgresql/enabled'"),
		charttest.Rule("sqlite mode refuses an unused bundled postgresql", "database: {mode: sqlite}", "database: {mode: sqlite}\npostgresql: {enabled: true}",
			"postgresql.enabled", "the bundled PostgreSQL would run unused", "at '/postgresql/enabled'"),
		charttest.Rule("auto refuses two databases", "postgresql: {enabled: true}", "postgresql: {enabled: true}\ndatabase: {external: {host: db}}",
			"database.external.host", "choose the bundled or the external database", "at '/database/external/host'"),
		charttest.Rule("ssl certificate needs ssl", "database: {mode: external, external: {host: db, ssl: true, sslExistingSecret: ca}}", "database: {mode: external, external: {host: db, sslExistingSecret: ca}}",
			"database.external.ssl", "database.external.ssl must be true", "at '/database/external/ssl'"),
		charttest.Rule("turning verification off needs the CA secret", "database: {mode: external, external: {host: db, ssl: true, sslExistingSecret: ca, sslRejectUnauthorized: false}}", "database: {mode: external, external: {host: db, ssl: true, sslRejectUnauthorized: false}}",
			"database.external.sslExistingSecret", "without a CA Flowise always verifies the server", "at '/database/external/sslExistingSecret'"),
		charttest.Rule("admin credential only in the hook Job", "database: {mode: external, external: {host: db, adminExistingSecret: adm}}", "database: {mode: external, external: {host: db, adminExistingSecret: adm}}\nhook: {mode: initContainer}",
			"hook.mode", "adminExistingSecret is used only by the bootstrap hook Job", "at '/hook/mode'"),
		charttest.Rule("one CA bundle source", "tls: {caBundle: {existingSecret: ca}}", "tls: {caBundle: {existingSecret: ca, existingConfigMap: ca}}",
			"tls.caBundle.existingConfigMap", "set existingSecret or existingConfigMap, not both", "at '/tls/caBundle/existingConfigMap'"),
		charttest.Rule("redis TLS material needs redis TLS", queueBase+"redis: {enabled: false, external: {host: r, tls: true}}\ntls: {redis: {existingSecret: rca}}", queueBase+"redis: {enabled: false, external: {host: r}}\ntls: {redis: {existingSecret: rca}}",
			"redis.external.tls", "tls.redis.existingSecret needs Redis over TLS", "at '/redis/external/tls'"),
		charttest.Rule("client certificate needs its key", "tls: {redis: {certKey: tls.crt, keyKey: tls.key}}", "tls: {redis: {certKey: tls.crt}}",
			"tls.redis.keyKey", "a client certificate needs its key", "at '/tls/redis/keyKey'"),
		charttest.Rule("s3 needs a bucket", "storage: {type: s3, s3: {bucketName: b}}", "storage: {type: s3}",
			"storage.s3.bucketName", "storage.s3.bucketName is required when storage.type is s3", "at '/storage/s3/bucketName'"),
		charttest.Rule("one redis at a time", queueBase, queueBase+"redis: {enabled: true, external: {host: r}}",
			"redis.external.host", "choose the bundled or the external Redis", "at '/redis/external/host'"),
		charttest.Rule("existingClaim needs persistence", "persistence: {existingClaim: data}", "persistence: {enabled: false, existingClaim: data}",
			"persistence.enabled", "persistence.existingClaim is only used when persistence.enabled is true", "at '/persistence/enabled'"),
		charttest.Rule("ingress needs hosts", "ingress: {enabled: true, hosts: [{host: a, paths: [{path: /, pathType: Prefix}]}]}", "ingress: {enabled: true}",
			"ingress.hosts", "ingress.hosts needs at least one host", "at '/ingress/hosts'"),
		charttest.Rule("httpRoute needs a gateway", "httpRoute: {enabled: true, parentRefs: [{name: gw}]}", "httpRoute: {enabled: true}",
			"httpRoute.parentRefs", "httpRoute.parentRefs needs at least one Gateway", "at '/httpRoute/parentRefs'"),
		charttest.Rule("backup needs a bucket", "postgresql: {enabled: true}\nbackup: {enabled: true, s3: {bucket: b}}", "postgresql: {enabled: true}\nbackup: {enabled: true}",
			"backup.s3.bucket", "backup.s3.bucket is required when backup.enabled or backup.restore.enabled is true", "at '/backup/s3/bucket'"),
		charttest.Rule("restore needs a bucket", "postgresql: {enabled: true}\nbackup: {restore: {enabled: true}, s3: {bucket: b}}", "postgresql: {enabled: true}\nbackup: {restore: {enabled: true}}",
			"backup.s3.bucket", "backup.s3.bucket is required", "at '/backup/s3/bucket'"),
		charttest.Rule("backup refuses SQLite", "database: {mode: external, external: {host: db}}\nbackup: {enabled: true, s3: {bucket: b}}", "backup: {enabled: true, s3: {bucket: b}}",
			"database.mode", "back the data volume up instead, or set postgresql.enabled=true", "anyOf"),
		charttest.Rule("restore refuses MySQL", "database: {mode: external, external: {host: db}}\nbackup: {restore: {enabled: true}, s3: {bucket: b}}", "database: {mode: external, external: {host: db, vendor: mysql}}\nbackup: {restore: {enabled: true}, s3: {bucket: b}}",
			"database.mode", "backup needs Flowise's data in PostgreSQL, not SQLite or MySQL", "anyOf"),
		charttest.Rule("queue accepts gcs", queueBase+"storage: {type: gcs, gcs: {bucketName: b}}", queueBase+"storage: {type: local}",
			"storage.type", "storage.type must be s3, gcs or azure when architecture.mode is queue", "value must be one of 's3', 'gcs', 'azure'"),
		charttest.Rule("gcs needs a bucket", "storage: {type: gcs, gcs: {bucketName: b}}", "storage: {type: gcs}",
			"storage.gcs.bucketName", "storage.gcs.bucketName is required when storage.type is gcs", "at '/storage/gcs/bucketName'"),
		charttest.Rule("azure needs a container", "storage: {type: azure, azure: {containerName: c, accountName: a, existingSecret: s}}", "storage: {type: azure, azure: {accountName: a, existingSecret: s}}",
			"storage.azure.containerName", "storage.azure.containerName is required when storage.type is azure", "at '/storage/azure/containerName'"),
		charttest.Rule("azure needs credentials", "storage: {type: azure, azure: {containerName: c, existingSecret: s, existingSecretConnectionStringKey: conn}}", "storage: {type: azure, azure: {containerName: c, existingSecretConnectionStringKey: conn}}",
			"storage.azure.existingSecret", "storage.azure.existingSecret is required when storage.type is azure: Flowise 3.1.1 authenticates", "at '/storage/azure/existingSecret'"),
		charttest.Rule("azure account key needs the account name", "storage: {type: azure, azure: {containerName: c, accountName: a, existingSecret: s}}", "storage: {type: azure, azure: {containerName: c, existingSecret: s}}",
			"storage.azure.accountName", "storage.azure.accountName is required with the account key", "at '/storage/azure/accountName'"),
		charttest.Rule("main HPA needs queue mode", queueBase+"flowise: {autoscaling: {enabled: true}}", "flowise: {autoscaling: {enabled: true}}",
			"architecture.mode", "flowise.autoscaling needs architecture.mode queue", "value must be 'queue'"),
		charttest.Rule("worker KEDA needs queue mode", queueBase+"queue: {worker: {autoscaling: {keda: {enabled: true}}}}", "queue: {worker: {autoscaling: {keda: {enabled: true}}}}",
			"architecture.mode", "queue.worker.autoscaling needs architecture.mode queue", "value must be 'queue'"),
		charttest.Rule("worker HPA and KEDA exclude each other", queueBase+"queue: {worker: {autoscaling: {enabled: true}}}", queueBase+"queue: {worker: {autoscaling: {enabled: true, keda: {enabled: true}}}}",
			"queue.worker.autoscaling.enabled", "queue.worker.autoscaling.enabled and queue.worker.autoscaling.keda.enabled exclude each other", "value must be false"),
		charttest.Rule("restore refuses autoscalers", queueBase+"backup: {restore: {enabled: true}, s3: {bucket: b}}", queueBase+"backup: {restore: {enabled: true}, s3: {bucket: b}}\nqueue: {worker: {autoscaling: {keda: {enabled: true}}}}",
			"queue.worker.autoscaling.keda.enabled", "backup.restore.enabled needs flowise.autoscaling, queue.worker.autoscaling and queue.worker.autoscaling.keda off", "value must be false"),
		charttest.Rule("cloudnative-pg needs persistence", "postgresql: {enabled: true, mode: cloudnative-pg}", "postgresql: {enabled: true, mode: cloudnative-pg, standalone: {persistence: {enabled: false}}}",
			"postgresql.standalone.persistence.enabled", "postgresql.standalone.persistence.enabled must be true when postgresql.mode is cloudnative-pg", "value must be true"),
		charttest.Rule("cloudnative-pg with the secrets hook needs the owner's Secret", "secrets: {generation: hook}\npostgresql: {enabled: true, mode: cloudnative-pg, auth: {existingSecret: pg}}", "secrets: {generation: hook}\npostgresql: {enabled: true, mode: cloudnative-pg}",
			"postgresql.auth.existingSecret", "postgresql.auth.existingSecret (keys username and password) or postgresql.auth.password is required", "at '/postgresql/auth/existingSecret'"),
		charttest.Rule("cloudnative-pg reads the key password", "postgresql: {enabled: true, mode: cloudnative-pg, auth: {existingSecret: pg}}", "postgresql: {enabled: true, mode: cloudnative-pg, auth: {existingSecret: pg, existingSecretPasswordKey: pw}}",
			"postgresql.auth.existingSecretPasswordKey", "postgresql.auth.existingSecretPasswordKey must be password when postgresql.mode is cloudnative-pg", "value must be 'password'"),
		charttest.Rule("HA keeps the budgets", haBase, haBase+"podDisruptionBudget: {enabled: false}",
			"podDisruptionBudget.enabled", "highAvailability.enabled needs podDisruptionBudget.enabled=true", "at '/podDisruptionBudget/enabled'"),
		charttest.Rule("HA drains one pod at a time", haBase+"podDisruptionBudget: {maxUnavailable: 1}", haBase+"podDisruptionBudget: {maxUnavailable: 2}",
			"podDisruptionBudget.maxUnavailable", "with podDisruptionBudget.maxUnavailable=1: the budgets keep a node drain", "at '/podDisruptionBudget/maxUnavailable'"),
		charttest.Rule("HA needs queue mode", haBase, "highAvailability: {enabled: true}",
			"architecture.mode", "highAvailability.enabled needs architecture.mode=queue: standalone runs one pod that owns a ReadWriteOnce volume (and SQLite)", "value must be 'queue'"),
		charttest.Rule("HA refuses the bundled PostgreSQL", haBase, queueBase+"redis: {enabled: false, external: {host: redis}}\nhighAvailability: {enabled: true}",
			"postgresql.enabled", "highAvailability.enabled needs postgresql.enabled=false or postgresql.mode=cloudnative-pg: the bundled PostgreSQL is a single pod", "at '/postgresql/enabled'"),
		charttest.Rule("HA refuses the bundled Redis", haBase, haBase+"redis: {enabled: true, external: {host: ''}}",
			"redis.enabled", "Use an external Redis (redis.external.host", "at '/redis/enabled'"),
		// Single-field checks of the strict schema.
		charttest.Rule("HA runs three pods or more", haBase+"highAvailability: {enabled: true, replicas: 5}", haBase+"highAvailability: {enabled: true, replicas: 2}",
			"highAvailability.replicas", "", "minimum"),
		charttest.Rule("egress CIDRs have a pattern", "networkPolicy: {egress: {restrict: true, cidrs: [10.0.0.0/8]}}", "networkPolicy: {egress: {restrict: true, cidrs: [10.0.0.0]}}",
			"networkPolicy.egress.cidrs.0", "", "does not match pattern"),
		charttest.Rule("backup schedules are cron expressions", "backup: {schedule: '*/30 2,14 * * 1-5'}", "backup: {schedule: 'every night'}",
			"backup.schedule", "", "does not match pattern"),
		charttest.Rule("backup IDs are latest or a timestamp", "backup: {restore: {backup: 20260102T030000.000Z}}", "backup: {restore: {backup: yesterday}}",
			"backup.restore.backup", "", "does not match pattern"),
		charttest.Rule("unknown keys are refused", "flowise: {logLevel: debug}", "flowise: {logLevl: debug}",
			"flowise.logLevl", "", "additional properties 'logLevl' not allowed"),
		charttest.Rule("closed sets are enums", "architecture: {mode: queue}\n"+queueBase, "architecture: {mode: cluster}",
			"architecture.mode", "", "value must be one of 'standalone', 'queue'"),
		charttest.Rule("sizes have a pattern", "persistence: {size: 10Gi}", "persistence: {size: 10 GB}",
			"persistence.size", "", "does not match pattern"),
		charttest.Rule("extraEnv values are strings", "flowise: {extraEnv: [{name: A, value: '1'}]}", "flowise: {extraEnv: [{name: A, value: 1}]}",
			"flowise.extraEnv.0.value", "", "got number, want string"),
	}, append(charttest.StatusRuleCases(), charttest.SecurityContextRuleCases()...)...)
}

// TestSchemaEquivalence checks that the chart's lean schema, the editor schema and the schema
// before the lean copy agree on the examples, the rule cases and a fuzzed corpus of them.
func TestSchemaEquivalence(t *testing.T) {
	charttest.RequireEquivalentSchemas(t, "flowise", example(""), "", ruleCases())
}

// TestValidRendersNameWhatTheyMount: every example and every document a rule accepts renders
// pods whose Secret and ConfigMap references all have a name and a key.
func TestValidRendersNameWhatTheyMount(t *testing.T) {
	charttest.RequireValidRendersNamed(t, "flowise", example(""), "", ruleCases())
}

// TestEveryValueIsRead: no declared value is left without a template reading it.
func TestEveryValueIsRead(t *testing.T) {
	charttest.RequireEveryValueRead(t, flowise.Chart())
}
