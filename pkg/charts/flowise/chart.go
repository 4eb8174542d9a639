// Package flowise defines the Flowise chart: its values (Go types, doc comments, defaults),
// cross-field rules and templates. `flotilla generate` turns it into charts/flowise.
package flowise

import (
	"embed"
	"io/fs"

	"github.com/flotilla/flotilla/pkg/chartkit"
)

//go:embed all:chart
var files embed.FS

// Conditions the rules share.
var (
	queue      = chartkit.Eq("architecture.mode", "queue")
	standalone = chartkit.Eq("architecture.mode", "standalone")
	// sqlite is database.mode resolving to SQLite, auto included.
	sqlite = chartkit.Or(
		chartkit.Eq("database.mode", "sqlite"),
		chartkit.And(chartkit.Eq("database.mode", "auto"), chartkit.Eq("postgresql.enabled", false), chartkit.Eq("database.external.host", "")),
	)
	// sqlDatabase is database.mode resolving to the bundled PostgreSQL or an external database.
	sqlDatabase = chartkit.Or(
		chartkit.In("database.mode", "postgresql", "external"),
		chartkit.And(chartkit.Eq("database.mode", "auto"), chartkit.Or(chartkit.Eq("postgresql.enabled", true), chartkit.NotEmpty("database.external.host"))),
	)
	// postgres is database.mode resolving to the bundled PostgreSQL or an external postgres.
	postgres = chartkit.Or(
		chartkit.Eq("database.mode", "postgresql"),
		chartkit.And(chartkit.Eq("database.mode", "auto"), chartkit.Eq("postgresql.enabled", true)),
		chartkit.And(sqlDatabase, chartkit.Eq("postgresql.enabled", false), chartkit.Eq("database.external.vendor", "postgres")),
	)
)

// Rules are Flowise's cross-field rules; each one is enforced by values.schema.json.
var Rules = append(append([]chartkit.Rule{
	{Message: "persistence.enabled must be false when architecture.mode is queue: a ReadWriteOnce volume cannot be shared by main and worker pods",
		If: queue, Then: chartkit.Eq("persistence.enabled", false)},
	{Message: "storage.type must be s3, gcs or azure when architecture.mode is queue: main and worker pods share blobs",
		If: queue, Then: chartkit.In("storage.type", "s3", "gcs", "azure")},
	{Message: "queue mode needs Redis: set redis.enabled=true or redis.external.host (BullMQ keeps its queue there)",
		If: queue, Then: chartkit.Or(chartkit.Eq("redis.enabled", true), chartkit.NotEmpty("redis.external.host"))},
	{Message: "queue mode needs a SQL database all pods share, not SQLite: set postgresql.enabled=true, or database.mode=external with database.external.host",
		If: queue, Then: sqlDatabase},
	{Message: "flowise.replicaCount must be 1 with SQLite: one pod owns the database file",
		If: sqlite, Then: chartkit.AtMost("flowise.replicaCount", 1)},
	{Message: "flowise.replicaCount must be 1 when architecture.mode is standalone: use queue mode to run more main pods",
		If: standalone, Then: chartkit.AtMost("flowise.replicaCount", 1)},
	{Message: "database.external.host is required when database.mode is external",
		If: chartkit.Eq("database.mode", "external"), Then: chartkit.NotEmpty("database.external.host")},
	{Message: "postgresql.enabled must be true when database.mode is postgresql (the bundled database)",
		If: chartkit.Eq("database.mode", "postgresql"), Then: chartkit.Eq("postgresql.enabled", true)},
	{Message: "postgresql.enabled must be false when database.mode is sqlite or external: the bundled PostgreSQL would run unused",
		If: chartkit.In("database.mode", "sqlite", "external"), Then: chartkit.Eq("postgresql.enabled", false)},
	{Message: "database.external.host must be empty when postgresql.enabled is true and database.mode is auto: choose the bundled or the external database, or set database.mode",
		If: chartkit.And(chartkit.Eq("database.mode", "auto"), chartkit.Eq("postgresql.enabled", true)), Then: chartkit.Eq("database.external.host", "")},
	{Message: "database.external.ssl must be true when database.external.sslExistingSecret is set",
		If: chartkit.NotEmpty("database.external.sslExistingSecret"), Then: chartkit.Eq("database.external.ssl", true)},
	{Message: "database.external.sslRejectUnauthorized=false needs database.external.sslExistingSecret: without a CA Flowise always verifies the server",
		If: chartkit.Eq("database.external.sslRejectUnauthorized", false), Then: chartkit.NotEmpty("database.external.sslExistingSecret")},
	{Message: "database.external.adminExistingSecret is used only by the bootstrap hook Job: it needs hook.mode job (an init container would mount the admin credential into Flowise pods)",
		If: chartkit.NotEmpty("database.external.adminExistingSecret"), Then: chartkit.Eq("hook.mode", "job")},
	{Message: "tls.caBundle: set existingSecret or existingConfigMap, not both",
		If: chartkit.NotEmpty("tls.caBundle.existingSecret"), Then: chartkit.Eq("tls.caBundle.existingConfigMap", "")},
	{Message: "tls.redis.existingSecret needs Redis over TLS: set redis.external.tls=true (the bundled Redis has no TLS)",
		If: chartkit.NotEmpty("tls.redis.existingSecret"), Then: chartkit.Eq("redis.external.tls", true)},
	{Message: "tls.redis.certKey and tls.redis.keyKey go together: a client certificate needs its key",
		If:   chartkit.Or(chartkit.NotEmpty("tls.redis.certKey"), chartkit.NotEmpty("tls.redis.keyKey")),
		Then: chartkit.And(chartkit.NotEmpty("tls.redis.certKey"), chartkit.NotEmpty("tls.redis.keyKey"))},
	{Message: "storage.s3.bucketName is required when storage.type is s3",
		If: chartkit.Eq("storage.type", "s3"), Then: chartkit.NotEmpty("storage.s3.bucketName")},
	{Message: "storage.gcs.bucketName is required when storage.type is gcs",
		If: chartkit.Eq("storage.type", "gcs"), Then: chartkit.NotEmpty("storage.gcs.bucketName")},
	{Message: "storage.azure.containerName is required when storage.type is azure",
		If: chartkit.Eq("storage.type", "azure"), Then: chartkit.NotEmpty("storage.azure.containerName")},
	{Message: "storage.azure.existingSecret is required when storage.type is azure: Flowise 3.1.1 authenticates to Azure Blob Storage only with an account key or a connection string",
		If: chartkit.Eq("storage.type", "azure"), Then: chartkit.NotEmpty("storage.azure.existingSecret")},
	{Message: "storage.azure.accountName is required with the account key: set it, or storage.azure.existingSecretConnectionStringKey for a connection string",
		If:   chartkit.And(chartkit.Eq("storage.type", "azure"), chartkit.Eq("storage.azure.existingSecretConnectionStringKey", "")),
		Then: chartkit.NotEmpty("storage.azure.accountName")},
	{Message: "flowise.autoscaling needs architecture.mode queue: standalone runs exactly one main pod",
		If: chartkit.Eq("flowise.autoscaling.enabled", true), Then: queue},
	{Message: "queue.worker.autoscaling needs architecture.mode queue: standalone runs no workers",
		If: chartkit.Or(chartkit.Eq("queue.worker.autoscaling.enabled", true), chartkit.Eq("queue.worker.autoscaling.keda.enabled", true)), Then: queue},
	{Message: "queue.worker.autoscaling.enabled and queue.worker.autoscaling.keda.enabled exclude each other: KEDA creates its own HorizontalPodAutoscaler for the workers",
		If: chartkit.Eq("queue.worker.autoscaling.keda.enabled", true), Then: chartkit.Eq("queue.worker.autoscaling.enabled", false)},
	{Message: "backup.restore.enabled needs flowise.autoscaling, queue.worker.autoscaling and queue.worker.autoscaling.keda off: restore mode runs Flowise with 0 replicas, which an autoscaler would undo",
		If:   chartkit.Eq("backup.restore.enabled", true),
		Then: chartkit.And(chartkit.Eq("flowise.autoscaling.enabled", false), chartkit.Eq("queue.worker.autoscaling.enabled", false), chartkit.Eq("queue.worker.autoscaling.keda.enabled", false))},
	{Message: "redis.external.host must be empty when redis.enabled is true: choose the bundled or the external Redis",
		If: chartkit.Eq("redis.enabled", true), Then: chartkit.Eq("redis.external.host", "")},
	{Message: "persistence.existingClaim is only used when persistence.enabled is true: enable persistence or drop the claim",
		If: chartkit.NotEmpty("persistence.existingClaim"), Then: chartkit.Eq("persistence.enabled", true)},
	chartkit.IngressRule("ingress"),
	chartkit.HTTPRouteRule("httpRoute"),
}, append(chartkit.BackupRules(postgres,
	"backup needs Flowise's data in PostgreSQL, not SQLite or MySQL: back the data volume up instead, or set postgresql.enabled=true (or database.mode=external with database.external.vendor=postgres)"),
	chartkit.HighAvailabilityRules(
		chartkit.HARule("architecture.mode=queue: standalone runs one pod that owns a ReadWriteOnce volume (and SQLite); queue mode runs main and worker replicas on a shared database, Redis and S3", queue),
		chartkit.HABundledPostgreSQL("postgresql", "database.mode=external with database.external.host"),
		chartkit.HABundledRedis(),
	)...)...), append(chartkit.PostgreSQLRules("postgresql"), chartkit.StatusRules()...)...)

// Chart is the Flowise chart definition.
func Chart() chartkit.Chart {
	tpl, err := fs.Sub(files, "chart")
	if err != nil {
		panic(err) // the embedded tree always has chart/
	}
	return chartkit.Chart{
		Name:    "flowise",
		Version: "0.2.0",
		Changelog: []chartkit.Release{{Version: "0.2.0", Changes: append(chartkit.SharedChanges("0.2.0"),
			chartkit.Change{Kind: "fixed", Description: "An extraVolumeMounts entry at flowise.dataPath (/home/node/.flowise by default), where the data volume is mounted, is refused before install naming the field (the API server refused the pod: duplicate mountPath); so is a flowise.dataPath where the chart mounts another volume (/home/node, /tmp, /opt/flotilla...)."},
			chartkit.Change{Kind: "fixed", Description: "database.sqlite.path and storage.local.path outside flowise.dataPath are reported together, each with its field path (flotilla validate, pkg/render), instead of one raw template error."},
			chartkit.Change{Kind: "fixed", Description: "TLS to a private CA: the database CA reaches Flowise base64-encoded and the server certificate is verified (database.external.sslRejectUnauthorized to opt out); tls.redis.* for Redis CA/cert/key; tls.caBundle sets NODE_EXTRA_CA_CERTS; the hook verifies with verify-full and the same CA."},
			chartkit.Change{Kind: "fixed", Description: "Worker probes: liveness from the worker's own heartbeat, readiness from an authenticated Redis PING; flowise.disableTelemetry empties POSTHOG_PUBLIC_API_KEY, which is what Flowise 3.1.1 reads."},
			chartkit.Change{Kind: "added", Description: "flowise.autoscaling and queue.worker.autoscaling: HorizontalPodAutoscalers (autoscaling/v2) for main and worker pods in queue mode; queue.worker.autoscaling.keda: a KEDA ScaledObject scaling workers on the BullMQ prediction and upsertion lists in Redis, authenticated with the workers' Redis credentials."},
			chartkit.Change{Kind: "added", Description: "storage.type gcs (Google Cloud Storage, service account key file mounted read-only or Workload Identity) and azure (Azure Blob Storage, account key or connection string): every backend Flowise 3.1.1 reads; queue mode accepts any of s3, gcs, azure."},
			chartkit.Change{Kind: "added", Description: "database.external.adminExistingSecret: an admin credential for the bootstrap hook only; the hook's failure names the SQL a DBA must run."},
			chartkit.Change{Kind: "added", Description: "helm upgrade refuses a changed encryption key (FLOWISE_SECRETKEY_OVERWRITE), which would make every stored credential unreadable, unless auth.allowKeyChange is set."},
			chartkit.Change{Kind: "added", Description: "Drop-in for helmforge's Flowise chart: its values keys are accepted as aliases (gateway.*, startupProbe.*, resources, securityContext, persistence.accessMode…; NOTES names ours) or refused with a message naming what to use; flotilla migrate --from helmforge rewrites a values file."},
		)}, {Version: "0.1.0", Changes: []chartkit.Change{
			{Kind: "added", Description: "Standalone (SQLite, bundled or external PostgreSQL) and queue mode (main + BullMQ workers, PostgreSQL, Redis, S3)."},
			{Kind: "added", Description: "flotilla-hook creates uuid-ossp on external PostgreSQL and waits for the bundled one; released charts pin its image by digest."},
		}}},
		AppVersion:  "3.1.1",
		Description: "Flowise, the low-code LLM app builder: standalone (SQLite or PostgreSQL) or queue mode (PostgreSQL + Redis + S3, GCS or Azure Blob Storage).",
		KubeVersion: ">=1.29.0-0",
		Home:        "https://flowiseai.com",
		Icon:        "https://raw.githubusercontent.com/FlowiseAI/Flowise/main/images/flowise_white.svg",
		Sources:     []string{"https://github.com/FlowiseAI/Flowise", "https://github.com/flotilla/flotilla"},
		Keywords:    []string{"flowise", "llm", "langchain", "ai", "low-code"},
		ArtifactHub: map[string]string{"license": "Apache-2.0", "category": "ai-machine-learning"},
		Defaults:    Defaults(),
		SourceDirs:  []string{"pkg/charts/flowise", "pkg/chartvalues"},
		Rules:       Rules,
		Compat:      Compat,
		Templates:   tpl,
		Intro: `Deploys [Flowise](https://flowiseai.com) on Kubernetes, generated by Flotilla from typed Go values.
Values follow the Flowise chart reference (architecture.mode, auth.existingSecret…, database.*,
postgresql.*, redis.*, queue.*, storage.*, persistence.*, ingress.*).

Every pod passes the Pod Security Standard "restricted": Flowise runs as the image's node user
(uid 1000) with a read-only root filesystem; HOME (/home/node), /tmp and the data path are
writable volumes.`,
		Topologies: []chartkit.Topology{
			{Name: "standalone with SQLite", Example: "standalone-sqlite.yaml",
				Description: "One main pod (Recreate strategy) with a PVC at `flowise.dataPath` holding the SQLite file, blobs and logs."},
			{Name: "standalone with the bundled PostgreSQL", Example: "standalone-postgresql.yaml",
				Description: "One main pod plus the chart's own PostgreSQL StatefulSet (official `postgres` image); `uuid-ossp` is created at first init."},
			{Name: "standalone with an external database", Example: "external-postgresql.yaml",
				Description: "One main pod using a PostgreSQL or MySQL the chart does not manage; the password comes from `database.external.existingSecret`."},
			{Name: "queue", Example: "queue.yaml",
				Description: "Main pods (UI + API) and BullMQ worker pods, sharing PostgreSQL, Redis (bundled or external) and a bucket. `persistence.enabled` must be false and `storage.type` s3, gcs or azure. Optional autoscaling: HPAs for main and workers, or KEDA on the queue for workers (see Scaling)."},
			{Name: "queue on external services over TLS", Example: "queue-external.yaml",
				Description: "Queue mode on an external PostgreSQL and Redis whose certificates come from a private CA (CA Secrets in PEM), MinIO, and a Gateway API route."},
			{Name: "backups to S3", Example: "backup.yaml",
				Description: "Any PostgreSQL topology plus `backup.enabled`: a CronJob streams `pg_dump` of Flowise's database to an S3 bucket, encrypted, with retention (see Backup and restore)."},
			{Name: "restore into a fresh release", Example: "restore.yaml",
				Description: "`backup.restore.enabled`: a Job restores the newest backup of another release into this release's empty database while Flowise runs 0 replicas."},
			{Name: "high availability", Example: "high-availability.yaml",
				Description: "Queue mode with `highAvailability.enabled`: three main and three worker pods spread over zones and nodes, PodDisruptionBudgets, zero-downtime rolling updates, on an external PostgreSQL and Redis and S3; users reach it only through the ingress controller (see High availability and NetworkPolicies)."},
		},
		ReadmeNotes: []chartkit.Section{
			{Title: "Secrets and upgrades", Body: `Flowise needs five secrets (FLOWISE_SECRETKEY_OVERWRITE, JWT_AUTH_TOKEN_SECRET,
JWT_REFRESH_TOKEN_SECRET, EXPRESS_SESSION_SECRET, TOKEN_HASH_SECRET). With ` + "`auth.existingSecret`" + ` they are
read from your Secret (keys set by ` + "`auth.existingSecret…Key`" + `). Without it the chart creates
` + "`<release>-flowise-auth`" + ` once with random values, looks it up on every upgrade so the values never
rotate, and marks it ` + "`helm.sh/resource-policy: keep`" + ` so an uninstall + install finds the same values.
The bundled PostgreSQL and Redis passwords are generated and kept the same way. ` + "`helm template`" + `
(no cluster) cannot look Secrets up, so it prints fresh random values on every run: with Argo CD set ` + "`secrets.generation: hook`" + ` ("Generated Secrets and GitOps" above).`},
			{Title: "Paths and non-root", Body: `The official image runs as root and keeps its state under /root/.flowise. This chart runs it as
uid 1000 and points every path Flowise writes (DATABASE_PATH, LOG_PATH, SECRETKEY_PATH,
BLOB_STORAGE_PATH, HOME) at writable volumes. The defaults of ` + "`database.sqlite.path`" + ` and
` + "`storage.local.path`" + ` are therefore under ` + "`/home/node/.flowise`" + ` instead of the reference's
` + "`/root/.flowise`" + `; a path outside ` + "`flowise.dataPath`" + ` is refused at render time. To migrate a volume
written by a root container, copy its content to the new PVC (or keep the same PVC with
` + "`persistence.existingClaim`" + `: the files sit at the volume's root either way) and let fsGroup 1000 fix
ownership (fsGroupChangePolicy OnRootMismatch).`},
			chartkit.CloudNativePGSection("flowise", []string{"postgresql"}, "`redis.external.host`, with `redis.external.tls` and `tls.redis` as needed; BullMQ's queues"),
			{Title: "Scaling", Body: `In queue mode ` + "`flowise.autoscaling`" + ` and ` + "`queue.worker.autoscaling`" + ` create autoscaling/v2
HorizontalPodAutoscalers on CPU/memory utilisation of the pods' requests (set ` + "`flowise.resources.requests`" + ` and
` + "`queue.worker.resources.requests`" + `); the Deployment then leaves ` + "`replicas`" + ` to the HPA and the PodDisruptionBudget
counts with ` + "`maxReplicas`" + `.

` + "`queue.worker.autoscaling.keda.enabled`" + ` scales the workers with [KEDA](https://keda.sh) instead (the two exclude
each other: KEDA creates its own HPA). A ` + "`ScaledObject`" + ` (keda.sh/v1alpha1) reads four Redis lists with KEDA's
` + "`redis`" + ` scaler: Flowise 3.1.1 runs two BullMQ queues, ` + "`<queue.name>-prediction`" + ` and ` + "`<queue.name>-upsertion`" + `
(QUEUE_NAME, default ` + "`flowise-queue`" + `), under BullMQ's default prefix ` + "`bull`" + `, so jobs wait in
` + "`bull:flowise-queue-prediction:wait`" + ` and run in ` + "`bull:flowise-queue-prediction:active`" + ` (likewise for upsertion). A
worker takes up to ` + "`queue.worker.concurrency`" + ` jobs at once, so the wait list stays near empty while any worker runs;
the running jobs are counted too, and KEDA scales to the largest list / ` + "`keda.listLength`" + `. ` + "`keda.minReplicaCount: 0`" + `
lets KEDA stop every worker while both queues are empty (a new job then waits for a pod to start). A
` + "`TriggerAuthentication`" + ` hands KEDA the workers' Redis password Secret and, over TLS, the ` + "`tls.redis`" + ` certificates
(or the ` + "`tls.caBundle`" + ` Secret or ConfigMap). Needs KEDA and its CRDs (objects validated against KEDA v2.20.2's CRDs in the
tests and accepted by a kube-apiserver in ` + "`make e2e`" + `; no KEDA ran there). Restore mode refuses autoscalers: it runs
Flowise with 0 replicas.`},
			{Title: "Blob storage", Body: "`storage.type` selects where Flowise 3.1.1 keeps uploads and files (STORAGE_TYPE), every backend it reads:\n\n" +
				"| type | settings | credentials |\n|---|---|---|\n" +
				"| `local` | `storage.local.path` on the data volume (standalone only) | none |\n" +
				"| `s3` | `storage.s3.*` (bucket, region, endpoint for MinIO/R2, path style) | `storage.s3.existingSecret` (access key ID and secret key), or none for IAM roles for service accounts |\n" +
				"| `gcs` | `storage.gcs.bucketName`, `projectId`, `uniformBucketLevelAccess` (GOOGLE_CLOUD_STORAGE_*) | `storage.gcs.existingSecret`: a service account's JSON key file, mounted read-only at `/run/flotilla/gcs/key.json` (GOOGLE_CLOUD_STORAGE_CREDENTIAL); or none for Application Default Credentials (GKE Workload Identity via `serviceAccount.annotations`) |\n" +
				"| `azure` | `storage.azure.containerName` (AZURE_BLOB_STORAGE_CONTAINER_NAME), `accountName` | `storage.azure.existingSecret`: the account key, or a connection string (`existingSecretConnectionStringKey`, used instead of the name and key); Flowise has no other way to authenticate |\n\n" +
				"Queue mode needs s3, gcs or azure: main and worker pods share the blobs. With gcs Flowise 3.1.1 also sends its logs to Cloud Logging with the same credentials (the service account needs `roles/logging.logWriter`); with azure it writes them to the container. GCS and Azure were not run for real here (no cloud access): their variables come from Flowise 3.1.1's storage providers (`packages/components/src/storage`).\n\n" +
				"```sh\nkubectl -n ai create secret generic flowise-gcs --from-file=key.json=./service-account.json\nhelm upgrade flowise oci://REGISTRY/charts/flowise --reuse-values --set storage.type=gcs \\\n  --set storage.gcs.bucketName=my-flowise --set storage.gcs.existingSecret=flowise-gcs\n```"},
			chartkit.AvailabilitySection(chartkit.AvailabilityDoc{
				Replicated: []string{"main (UI + API, `flowise.replicaCount`)", "worker (BullMQ, `queue.worker.replicaCount`)"},
				Single:     "Everything else the release runs is external: that is what the profile requires.",
				Needs: "It needs `architecture.mode: queue` (standalone is one pod on a ReadWriteOnce volume, maybe with SQLite), " +
					"`postgresql.enabled: false` with an external PostgreSQL (`database.mode: external`), and `redis.enabled: false` with " +
					"`redis.external.host`: the bundled PostgreSQL and Redis are single pods. Queue mode already requires S3 for blobs.",
				Firewall: "The main pods admit traffic on their HTTP port; workers admit nothing (they only connect out); the bundled " +
					"PostgreSQL admits main, worker, backup and restore pods, the bundled Redis main and worker pods.",
				Example: `highAvailability: {enabled: true}
architecture: {mode: queue}
persistence: {enabled: false}
storage: {type: s3, s3: {bucketName: flowise, existingSecret: flowise-s3}}
database: {mode: external, external: {host: pg.example.internal, existingSecret: flowise-db}}
redis: {enabled: false, external: {host: redis.example.internal, existingSecret: flowise-redis}}`}),
			chartkit.BackupSection(chartkit.BackupDoc{Chart: "flowise", Namespace: "ai", Databases: []string{"flowise"}, Objects: []string{""},
				What:    "Backups cover Flowise's PostgreSQL database (bundled or external): chat flows, messages, credentials (encrypted with the auth encryption key), document stores. SQLite, the data volume and S3 blobs (`storage.*`) are not included.",
				Secrets: "The restored release must use the old release's `auth.existingSecret` (copy the Secret first): stored credentials are encrypted with its encryption key."}),
			chartkit.StatusSection(chartkit.StatusDoc{Chart: "flowise", Namespace: "ai",
				Checks: []string{
					"`flowise`: `GET /api/v1/ping` on the main Service",
					"`postgresql`: the bundled or external PostgreSQL (not SQLite or MySQL), as flotilla-hook connects (same TLS verification)",
					"`redis` (queue mode): PING with the pods' password and TLS material (`tls.redis`, else `tls.caBundle` as a Secret)",
					"`storage` (`storage.type: s3`): HEAD bucket with `storage.s3.existingSecret`'s keys (else the ServiceAccount's IAM role), `tls.caBundle` trusted",
				},
				Rotation: []chartkit.RotationStep{
					{Secret: "Encryption key (`FLOWISE_SECRETKEY_OVERWRITE`, `auth.existingSecret…EncryptionKeyKey`)", How: `**cannot rotate in place**: Flowise encrypts every stored
  credential with it and has no re-encryption. The chart keeps a sha256 of the key the release runs with in
  ` + "`<release>-auth-fingerprint`" + ` and ` + "`helm upgrade`" + ` fails, naming the Secret and key, when the key differs (a switched
  ` + "`auth.existingSecret`" + `, another key name, an edited Secret). To change it anyway (a leaked key): set
  ` + "`auth.allowKeyChange=true`" + ` for that upgrade, then enter every credential again in the UI, and set it back to false.
  ` + "`helm template`" + ` (Argo CD) cannot look Secrets up and does not check.`},
					{Secret: "`JWT_AUTH_TOKEN_SECRET`, `JWT_REFRESH_TOKEN_SECRET`", How: "Flowise accepts one value each: change them in the Secret and `kubectl rollout restart deployment/<release>` (and `-worker`); every login token becomes invalid and users sign in again."},
					{Secret: "`EXPRESS_SESSION_SECRET`", How: "one value: change it and restart main and worker pods; sessions end, users sign in again."},
					{Secret: "`TOKEN_HASH_SECRET`", How: "one value: change it and restart; tokens hashed with the old value (pending invitation or password-reset links) stop matching and must be issued again."},
					{Secret: "Database password (`postgresql.auth.*`, `database.external.existingSecret`)", How: "`ALTER ROLE … PASSWORD` first, then the Secret, then restart main and worker pods (the status pod re-reads it by itself)."},
					{Secret: "Redis password (`redis.auth.*`, `redis.external.existingSecret`)", How: "the bundled Redis reads it at start: change the Secret and restart Redis, then main and worker pods (queued jobs survive only with `redis.persistence.enabled`). An external Redis with ACLs can hold two passwords for a user (`ACL SETUSER u >new`) during the switch."},
					{Secret: "S3 keys (`storage.s3.existingSecret`)", How: "create a second access key for the same user at the provider, put it in the Secret, restart main and worker pods, then delete the old key."},
				}}),
			{Title: "TLS to services behind a private CA", Body: `Secrets hold PEM, as users have them; the chart mounts them read-only and a small preload
(` + "`NODE_OPTIONS=--require`" + ` of ` + "`preload.js`" + ` from the ` + "`<release>-flowise-runtime`" + ` ConfigMap) base64-encodes
them in the pod into the variables Flowise 3.1.1 expects as base64:

- PostgreSQL: ` + "`database.external.sslExistingSecret`" + ` (the CA) → DATABASE_SSL_KEY_BASE64, and
  ` + "`database.external.sslRejectUnauthorized`" + ` (default true) → DATABASE_REJECT_UNAUTHORIZED: the server's
  certificate and host name are verified. flotilla-hook verifies the same way (` + "`verify-full`" + ` with the
  same CA), so a wrong CA fails at the hook, saying so, before Flowise starts.
- Redis (` + "`redis.external.tls`" + `): ` + "`tls.redis.existingSecret`" + ` → REDIS_CA, and REDIS_CERT/REDIS_KEY for a client
  certificate.
- Anything else (S3 endpoints, plain ` + "`database.external.ssl`" + `, Redis without REDIS_CA, LLM APIs):
  ` + "`tls.caBundle`" + ` (Secret or ConfigMap) → NODE_EXTRA_CA_CERTS; the hook then verifies plain ssl against it.`},
			{Title: "What was tested for real", Body: `` + "`make runtime`" + ` (part of ` + "`make ci`" + `) runs the real Flowise ` + "`3.1.1`" + ` (the npm package at this chart's
appVersion, on Node.js, not the container image) from each example's rendered Deployment: command,
args, env with Secret references resolved, volumes as directories, as the pod's non-root uid 1000,
against PostgreSQL, redis-server and an S3 server (gofakes3) on 127.0.0.1; external-database examples
run the real flotilla-hook bootstrap Job first, bundled-database pods their db-wait init container.
Each run registers, logs in, stores an OpenAI credential, runs a prediction against an
OpenAI-compatible endpoint served by the test, uploads a file and finds it on the PVC or in the
bucket, replaces the main pod and checks the session and credential survive.

| topology | real Flowise in CI |
|---|---|
| ` + "`standalone-sqlite.yaml`" + ` | yes; plus a wrong encryption key cannot decrypt the credential; telemetry key empty in the running server |
| ` + "`standalone-postgresql.yaml`" + ` | yes (the bundled database is a local PostgreSQL, not the postgres image) |
| ` + "`external-postgresql.yaml`" + ` | yes, also with an admin-owned database and ` + "`database.external.adminExistingSecret`" + ` |
| ` + "`queue.yaml`" + ` | yes, one main and one worker process (not 2 + 3); the prediction waits in Redis until a worker runs it; S3 endpoint replaced by a local path-style one |
| ` + "`queue-external.yaml`" + ` | yes, PostgreSQL and Redis over TLS with a private CA; also the CA-bundle path (plain ssl, Redis TLS, S3 over HTTPS) |
| MySQL (` + "`database.external.vendor: mysql`" + `) | no |
| S3 on AWS with virtual-host addressing (` + "`forcePathStyle: false`" + `) | no: CI cannot reach AWS |
| ` + "`storage.type`" + ` gcs and azure | no: no cloud access here; the variables are those Flowise 3.1.1's storage providers read |
| ` + "`postgresql.mode: cloudnative-pg`" + `, HPAs, KEDA | no operator, metrics server or KEDA ran: the objects are validated against the pinned CloudNativePG and KEDA CRDs and autoscaling/v2 in ` + "`make test`" + `, and accepted by a real kube-apiserver (CRDs only) in ` + "`make e2e`" + ` (` + "`TestOperatorObjects`" + `) |
| the container images, Kubernetes itself (probes by the kubelet, fsGroup, read-only root) | no: ` + "`make e2e`" + ` installs every example on a real kube-apiserver, but kwok simulates the pods |

Rendering, the schema rules, strict decoding and the "restricted" Pod Security checks run in
` + "`make test`" + `. Found by running it: on a fresh database main and worker both run Flowise's
migrations and one of them exits on the race (the kubelet restarts it).`},
		},
	}
}
