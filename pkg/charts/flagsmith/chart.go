// Package flagsmith defines the Flagsmith chart: its values (Go types, doc comments, defaults),
// cross-field rules and templates. `flotilla generate` turns it into charts/flagsmith.
package flagsmith

import (
	"embed"
	"io/fs"

	"github.com/flotilla/flotilla/pkg/chartkit"
)

//go:embed all:chart
var files embed.FS

// Conditions the rules share.
var (
	// external is database.mode resolving to an external PostgreSQL, auto included.
	external = chartkit.Or(
		chartkit.Eq("database.mode", "external"),
		chartkit.And(chartkit.Eq("database.mode", "auto"), chartkit.Eq("postgresql.enabled", false)),
	)
	// externalByHost is an external database given by host (not by a DATABASE_URL Secret).
	externalByHost = chartkit.And(external, chartkit.Eq("database.external.urlExistingSecret", ""))
)

// Rules are Flagsmith's cross-field rules; each one is enforced by values.schema.json.
var Rules = append(append([]chartkit.Rule{
	{Message: "an external database needs database.external.host or database.external.urlExistingSecret (or set postgresql.enabled=true for the bundled one)",
		If: external, Then: chartkit.Or(chartkit.NotEmpty("database.external.host"), chartkit.NotEmpty("database.external.urlExistingSecret"))},
	{Message: "an external database given by host needs database.external.existingSecret or database.external.password",
		If: externalByHost, Then: chartkit.Or(chartkit.NotEmpty("database.external.existingSecret"), chartkit.NotEmpty("database.external.password"))},
	{Message: "postgresql.enabled must be true when database.mode is postgresql (the bundled database)",
		If: chartkit.Eq("database.mode", "postgresql"), Then: chartkit.Eq("postgresql.enabled", true)},
	{Message: "postgresql.enabled must be false when database.mode is external: the bundled PostgreSQL would run unused",
		If: chartkit.Eq("database.mode", "external"), Then: chartkit.Eq("postgresql.enabled", false)},
	{Message: "migration.mode job needs an external database: pre-install hooks run before the bundled PostgreSQL exists (use auto or initContainer)",
		If: chartkit.Eq("migration.mode", "job"), Then: external},
	{Message: "database.external.urlExistingSecret must be empty when pgbouncer.enabled is true: PgBouncer needs the database as host and password",
		If: chartkit.And(chartkit.Eq("pgbouncer.enabled", true), external), Then: chartkit.Eq("database.external.urlExistingSecret", "")},
	{Message: "taskProcessor.autoscaling needs architecture.mode queue: standalone runs no task processor",
		If: chartkit.Eq("taskProcessor.autoscaling.enabled", true), Then: chartkit.Eq("architecture.mode", "queue")},
	{Message: "redis.external.host must be empty when redis.enabled is true: choose the bundled or the external Redis",
		If: chartkit.Eq("redis.enabled", true), Then: chartkit.Eq("redis.external.host", "")},
	{Message: "influxdb.external.url must be empty when influxdb.enabled is true: choose the bundled or the external InfluxDB",
		If: chartkit.Eq("influxdb.enabled", true), Then: chartkit.Eq("influxdb.external.url", "")},
	{Message: "influxdb.external.existingSecret (the token) is required when influxdb.external.url is set",
		If: chartkit.NotEmpty("influxdb.external.url"), Then: chartkit.NotEmpty("influxdb.external.existingSecret")},
	{Message: "email.sendgrid.existingSecret (the API key) is required when email.backend is sendgrid",
		If: chartkit.Eq("email.backend", "sendgrid"), Then: chartkit.NotEmpty("email.sendgrid.existingSecret")},
	{Message: "email.smtp.host is required when email.backend is smtp",
		If: chartkit.Eq("email.backend", "smtp"), Then: chartkit.NotEmpty("email.smtp.host")},
	{Message: "oauth.github.existingSecret (the client secret) is required when oauth.github.clientId is set",
		If: chartkit.NotEmpty("oauth.github.clientId"), Then: chartkit.NotEmpty("oauth.github.existingSecret")},
	{Message: "staticFiles.s3.bucketName is required when staticFiles.s3.enabled is true",
		If: chartkit.Eq("staticFiles.s3.enabled", true), Then: chartkit.NotEmpty("staticFiles.s3.bucketName")},
	chartkit.IngressRule("ingress"),
	chartkit.IngressRule("frontend.ingress"),
	{Message: "frontend.enabled must be true when frontend.ingress.enabled is true: the Ingress would have no backend",
		If: chartkit.Eq("frontend.ingress.enabled", true), Then: chartkit.Eq("frontend.enabled", true)},
	chartkit.HTTPRouteRule("httpRoute"),
	chartkit.HTTPRouteRule("frontend.httpRoute"),
	{Message: "frontend.enabled must be true when frontend.httpRoute.enabled is true: the HTTPRoute would have no backend",
		If: chartkit.Eq("frontend.httpRoute.enabled", true), Then: chartkit.Eq("frontend.enabled", true)},
	{Message: "backup needs the database as host, username and password: database.external.urlExistingSecret is not supported by backup.enabled or backup.restore.enabled",
		If: chartkit.And(chartkit.BackupOn(), external), Then: chartkit.Eq("database.external.urlExistingSecret", "")},
}, append(chartkit.BackupRules(nil, ""),
	chartkit.HighAvailabilityRules(
		chartkit.HABundledPostgreSQL("postgresql", "database.external.host (or database.external.urlExistingSecret)"),
		chartkit.HABundledRedis(),
	)...)...), append(chartkit.PostgreSQLRules("postgresql"), chartkit.StatusRules()...)...)

// Chart is the Flagsmith chart definition.
func Chart() chartkit.Chart {
	tpl, err := fs.Sub(files, "chart")
	if err != nil {
		panic(err) // the embedded tree always has chart/
	}
	return chartkit.Chart{
		Name:    "flagsmith",
		Version: "0.2.0",
		Changelog: []chartkit.Release{{Version: "0.2.0", Changes: append(chartkit.SharedChanges("0.2.0"),
			chartkit.Change{Kind: "fixed", Description: "api.autoscaling and taskProcessor.autoscaling with minReplicas above maxReplicas are reported together, each with its field path (flotilla validate, pkg/render), instead of one raw template error."})}, {Version: "0.1.0", Changes: []chartkit.Change{
			{Kind: "added", Description: "Standalone or queue mode (task processor with its own HPA), bundled or external PostgreSQL, PgBouncer, Redis cache, InfluxDB analytics."},
			{Kind: "added", Description: "flotilla-hook makes API and task processor pods wait for the bundled PostgreSQL; released charts pin its image by digest."},
		}}},
		AppVersion:  "2.223.0",
		Description: "Flagsmith feature flags: Django API (+ task processor in queue mode), dashboard, PostgreSQL, optional Redis cache, InfluxDB analytics and PgBouncer.",
		KubeVersion: ">=1.29.0-0",
		Home:        "https://flagsmith.com",
		Icon:        "https://docs.flagsmith.com/img/square-icon.png",
		Sources:     []string{"https://github.com/Flagsmith/flagsmith", "https://github.com/flotilla/flotilla"},
		Keywords:    []string{"flagsmith", "feature-flags", "remote-config", "django"},
		ArtifactHub: map[string]string{"license": "BSD-3-Clause", "category": "integration-delivery"},
		Defaults:    Defaults(),
		SourceDirs:  []string{"pkg/charts/flagsmith", "pkg/chartvalues"},
		Rules:       Rules,
		Templates:   tpl,
		Intro: `Deploys [Flagsmith](https://flagsmith.com) on Kubernetes, generated by Flotilla from typed Go values:
the Django API (` + "`flagsmith/flagsmith-api`" + `, port 8000), the dashboard (` + "`flagsmith/flagsmith-frontend`" + `,
port 8080, proxying ` + "`/api/v1/`" + ` to the API), PostgreSQL (bundled or external), and optionally a task
processor, a Redis cache, InfluxDB analytics, PgBouncer, HPAs and a ServiceMonitor.

Every pod passes the Pod Security Standard "restricted": the Flagsmith images run as their ` + "`nobody`" + ` user
(uid 65534) with a read-only root filesystem; /tmp and the Prometheus multiprocess directory are
writable volumes. Telemetry to flagsmith.com is off unless ` + "`telemetry.enabled`" + `.`,
		Topologies: []chartkit.Topology{
			{Name: "standalone", Example: "standalone.yaml",
				Description: "API pods run asynchronous tasks in a thread of their own (`TASK_RUN_METHOD=SEPARATE_THREAD`); the bundled PostgreSQL; migrations in an init container of the API pods."},
			{Name: "queue", Example: "queue.yaml",
				Description: "A task-processor Deployment (`run-task-processor`, `TASK_RUN_METHOD=TASK_PROCESSOR`) with its own replicas, probes and HPA takes the tasks off the API pods; the API scales with an HPA and shares a Redis cache."},
			{Name: "external PostgreSQL", Example: "external-postgresql.yaml",
				Description: "PostgreSQL the chart does not manage; the password comes from `database.external.existingSecret` (or a whole `DATABASE_URL` from `database.external.urlExistingSecret`). Migrations run in a pre-install/pre-upgrade Job."},
			{Name: "analytics with the bundled InfluxDB", Example: "influxdb.yaml",
				Description: "InfluxDB 2 (official image) set up at first start with the org, the `flagsmith_api` bucket, the `flagsmith_api_downsampled_15m` bucket and the 15-minute downsampling task the Flagsmith docs describe."},
			{Name: "backups to S3", Example: "backup.yaml",
				Description: "`backup.enabled`: a CronJob streams `pg_dump` of Flagsmith's database to an S3 bucket with retention (see Backup and restore)."},
			{Name: "restore into a fresh release", Example: "restore.yaml",
				Description: "`backup.restore.enabled`: a Job restores the newest backup of another release into this release's empty database while the API and task processor run 0 replicas."},
			{Name: "high availability", Example: "high-availability.yaml",
				Description: "Queue mode with `highAvailability.enabled`: at least three API, task-processor, dashboard and PgBouncer pods each, spread over zones and nodes, on an external PostgreSQL (see High availability and NetworkPolicies)."},
		},
		ReadmeNotes: []chartkit.Section{
			chartkit.CloudNativePGSection("flagsmith", []string{"postgresql"}, "`redis.external.host`, the cache"),
			{Title: "Migrations", Body: `The API image's ` + "`migrate`" + ` command (wait for the database, apply migrations, create the
cache table) runs before a new version serves:

- **External database** (` + "`migration.mode: auto`" + ` or ` + "`job`" + `): a ` + "`pre-install,pre-upgrade`" + ` hook Job
  ` + "`<release>-flagsmith-migrate`" + `, so no pod of the new version starts on an old schema. An inline
  ` + "`database.external.password`" + ` is then created as an earlier hook (weight -5) because the Job runs
  before the release's own objects exist. The Job does not need ` + "`DJANGO_SECRET_KEY`" + `.
- **Bundled PostgreSQL** (` + "`auto`" + ` or ` + "`initContainer`" + `): Helm runs pre-install hooks before any release
  object, so the bundled database does not exist yet for a Job; the migration runs in a ` + "`migrate`" + `
  init container of the API pods instead (the rolling update keeps old pods serving until new ones
  are migrated and ready). ` + "`migration.mode: job`" + ` with the bundled database is refused by the schema.
  With several API replicas starting at once the first migration wins and the others retry.
  Before it, a flotilla-hook ` + "`db wait`" + ` init container (` + "`hook.enabled`" + `) waits up to ` + "`hook.timeout`" + ` for the
  bundled database (API and task processor pods): Flagsmith's own ` + "`waitfordb`" + ` gives up after 5 seconds,
  which would restart pods while a fresh PostgreSQL initialises.

The task processor waits for the migrations itself (` + "`run-task-processor`" + ` runs ` + "`waitfordb --migrations`" + `).
Migrations connect to PostgreSQL directly, never through PgBouncer.`},
			{Title: "Secrets and upgrades", Body: `` + "`DJANGO_SECRET_KEY`" + ` comes from ` + "`auth.existingSecret`" + ` or is generated once into
` + "`<release>-flagsmith-auth`" + `, looked up on every upgrade so it never rotates, and marked
` + "`helm.sh/resource-policy: keep`" + ` so an uninstall + install finds it again. The bundled PostgreSQL and
Redis passwords and the bundled InfluxDB admin password and token are generated and kept the same
way. ` + "`helm template`" + ` (no cluster) cannot look Secrets up, so it prints fresh random values.`},
			{Title: "Analytics (InfluxDB)", Body: `Flagsmith writes API usage to the ` + "`influxdb.bucket`" + ` bucket (` + "`flagsmith_api`" + `) and reads its usage
charts from ` + "`influxdb.downsampledBucket`" + ` (` + "`flagsmith_api_downsampled_15m`" + `), filled by a task that sums
` + "`api_call`" + ` points into 15-minute windows. The bundled InfluxDB creates the org, both buckets and the
task at first start (init scripts run only on an empty volume). For an external InfluxDB set
` + "`influxdb.external.url`" + `, ` + "`influxdb.org`" + ` and a token in ` + "`influxdb.external.existingSecret`" + `, and create the
second bucket and the task there yourself (the Flux script is in the chart's ` + "`influxdb.yaml`" + ` template).`},
			{Title: "Redis cache", Body: `With ` + "`redis.enabled`" + ` or ` + "`redis.external.host`" + ` the environment, environment-segments and user-throttle
caches use ` + "`django_redis`" + ` (databases 0, 1, 2) instead of per-process memory, so every API pod sees
the same cache. The password is passed as ` + "`$(REDIS_PASSWORD)`" + ` inside the cache URL: an external Redis
password must be URL-safe.`},
			{Title: "Compared with Flagsmith's own chart", Body: `Same components (API, frontend, task processor, PgBouncer, InfluxDB, ingress for API and
frontend, HPA, PDB, ServiceMonitor), plus a strict values schema with the cross-field rules below,
restricted Pod Security for every pod, and generated secrets kept across reinstalls. Differences:
PostgreSQL, Redis and InfluxDB are the chart's own StatefulSets on official images instead of
sub-charts; the database password reaches Django as ` + "`DJANGO_DB_PASSWORD`" + ` from a Secret instead of a
` + "`DATABASE_URL`" + ` built in a Secret; PgBouncer uses ` + "`edoburu/pgbouncer`" + ` instead of a Bitnami image.`},
			{Title: "Autoscaling", Body: `` + "`api.autoscaling`" + ` and ` + "`taskProcessor.autoscaling`" + ` create autoscaling/v2 HorizontalPodAutoscalers (CPU
and/or memory utilisation of the containers' requests, so set ` + "`resources.requests`" + `); the Deployment then
leaves its replica count to the HPA. A ` + "`minReplicas`" + ` above ` + "`maxReplicas`" + ` is refused when rendering (a JSON
schema cannot compare two values). The task processor only exists in queue mode.`},
			chartkit.AvailabilitySection(chartkit.AvailabilityDoc{
				Replicated: []string{"api (`api.replicaCount` or `api.autoscaling`)", "task-processor in queue mode (`taskProcessor.replicaCount` or `taskProcessor.autoscaling`)",
					"frontend (`frontend.replicaCount`)", "pgbouncer when enabled (`pgbouncer.replicaCount`)"},
				Single: "The bundled InfluxDB (analytics) stays a single pod; point `influxdb.external.url` at a replicated one if usage charts must survive a node.",
				Needs: "It needs `postgresql.enabled: false` with an external PostgreSQL (`database.external.host` or `database.external.urlExistingSecret`) " +
					"and, when a Redis cache is wanted, `redis.external.host` instead of the bundled Redis (`redis.enabled: false`).",
				Firewall: "The API, the task processor (health and /metrics) and the dashboard admit traffic on their HTTP port; PgBouncer, " +
					"the bundled PostgreSQL, Redis and InfluxDB admit only the pods that use them (API, task processor, migration Job, PgBouncer, backup and restore).",
				Example: `highAvailability: {enabled: true}
architecture: {mode: queue}
postgresql: {enabled: false}
database: {external: {host: pg.example.internal, existingSecret: flagsmith-db}}`}),
			chartkit.BackupSection(chartkit.BackupDoc{Chart: "flagsmith", Namespace: "flags", Databases: []string{"flagsmith"}, Objects: []string{""},
				What:    "Backups cover Flagsmith's PostgreSQL database (bundled or external; migrations connect to it directly, never through PgBouncer, and so do backups): organisations, projects, environments, flags, segments, identities, users. InfluxDB analytics and the Redis cache are not included.",
				Secrets: "Give the restored release the old release's `DJANGO_SECRET_KEY` (`auth.existingSecret`): it signs sessions and tokens.",
				Extra:   "With `api.autoscaling` or `taskProcessor.autoscaling` the HPA owns the replica count, so restore mode cannot scale those pods down: disable autoscaling for the restore, or `kubectl scale` them to 0 yourself."}),
			chartkit.StatusSection(chartkit.StatusDoc{Chart: "flagsmith", Namespace: "flags",
				Checks: []string{
					"`api`: `GET /health/liveness/`; `frontend` (when enabled): `GET /health`",
					"`postgresql`: the bundled or external PostgreSQL, directly (also from `database.external.urlExistingSecret`); `pgbouncer`: its port accepts connections",
					"`redis` (bundled or external cache): PING with the API's password; `influxdb`: `GET /health`; `static-files` (`staticFiles.s3`): HEAD bucket",
				},
				Rotation: []chartkit.RotationStep{
					{Secret: "DJANGO_SECRET_KEY (`auth.existingSecret…SecretKeyKey`)", How: "the chart passes one value: change it and restart the API and task processor (`kubectl rollout restart`); sessions and password-reset links signed with the old value stop working, users sign in again."},
					{Secret: "Database password (`postgresql.auth.*`, `database.external.*`)", How: "`ALTER ROLE … PASSWORD` first, then the Secret (or the URL in `urlExistingSecret`), then restart the API, task processor and PgBouncer."},
					{Secret: "Redis password", How: "change the Secret, restart Redis, then the API and task processor (the cache refills)."},
					{Secret: "InfluxDB token (`influxdb.auth.*`, `influxdb.external.*`)", How: "create a second token in InfluxDB, put it in the Secret, restart the API and task processor, then delete the old token."},
					{Secret: "SendGrid key, SMTP password, GitHub OAuth secret, S3 keys", How: "issue the new credential at the provider while the old one still works, update the Secret, restart the API and task processor, then revoke the old one."},
				}}),
			{Title: "What was tested for real", Body: `Rendering, the schema rules, strict decoding of every manifest into Kubernetes API types and the
"restricted" Pod Security checks run in ` + "`make test`" + `; ` + "`make e2e`" + ` installs every example onto a real
kube-apiserver whose pods are simulated by kwok. No Flagsmith container runs in those tests: the
environment variables, commands (` + "`/app/scripts/run-docker.sh migrate|serve|run-task-processor`" + `), ports
and health endpoints come from Flagsmith's source and documentation. The ServiceMonitor is not
decoded strictly (no Prometheus Operator types here); it is checked as YAML.`},
		},
	}
}
