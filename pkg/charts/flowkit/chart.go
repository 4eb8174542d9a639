// Package flowkit defines the FlowKit chart: its values (Go types, doc comments, defaults),
// cross-field rules and templates. `flotilla generate` turns it into charts/flowkit.
package flowkit

import (
	"embed"
	"io/fs"

	"github.com/flotilla/flotilla/pkg/chartkit"
)

//go:embed all:chart
var files embed.FS

// Conditions the rules share.
var (
	withRedis = chartkit.In("scenario", "db-etl-machine", "full")
	// flowauthSQLite is FlowAuth falling back to its temporary SQLite database.
	flowauthSQLite = chartkit.And(chartkit.Eq("flowauth.postgresql.enabled", false), chartkit.Eq("flowauth.externalDatabase.host", ""))
	publishesAPI   = chartkit.Or(chartkit.Eq("ingress.enabled", true), chartkit.Eq("httpRoute.enabled", true))
)

// Rules are FlowKit's cross-field rules; each one is enforced by values.schema.json.
var Rules = append([]chartkit.Rule{
	{Message: "scenarios db-etl-machine and full need Redis: set redis.enabled=true or redis.external.host (FlowMachine keeps query state there)",
		If: withRedis, Then: chartkit.Or(chartkit.Eq("redis.enabled", true), chartkit.NotEmpty("redis.external.host"))},
	{Message: "redis.external.host must be empty when redis.enabled is true: choose the bundled or the external Redis",
		If: chartkit.Eq("redis.enabled", true), Then: chartkit.Eq("redis.external.host", "")},
	{Message: "flowauth.replicaCount must be 1 with FlowAuth's SQLite fallback: enable flowauth.postgresql or set flowauth.externalDatabase.host to run more",
		If: flowauthSQLite, Then: chartkit.AtMost("flowauth.replicaCount", 1)},
	{Message: "flowauth.replicaCount must be 1 unless flowauth.cacheBackend is redis: file and memory caches are per pod, so a two-factor code could be reused on another replica",
		If: chartkit.In("flowauth.cacheBackend", "file", "memory"), Then: chartkit.AtMost("flowauth.replicaCount", 1)},
	{Message: "flowauth.externalDatabase.host must be empty when flowauth.postgresql.enabled is true: choose the bundled or the external database",
		If: chartkit.Eq("flowauth.postgresql.enabled", true), Then: chartkit.Eq("flowauth.externalDatabase.host", "")},
	{Message: "flowetl.externalDatabase.host is required when flowetl.postgresql.enabled is false: Airflow needs a metadata database",
		If: chartkit.Eq("flowetl.postgresql.enabled", false), Then: chartkit.NotEmpty("flowetl.externalDatabase.host")},
	{Message: "flowetl.externalDatabase.host must be empty when flowetl.postgresql.enabled is true: choose the bundled or the external database",
		If: chartkit.Eq("flowetl.postgresql.enabled", true), Then: chartkit.Eq("flowetl.externalDatabase.host", "")},
	{Message: "flowauth.externalDatabase.existingSecret is required when flowauth.externalDatabase.host is set: FlowAuth reads the database password from it",
		If: chartkit.And(chartkit.Eq("flowauth.postgresql.enabled", false), chartkit.NotEmpty("flowauth.externalDatabase.host")), Then: chartkit.NotEmpty("flowauth.externalDatabase.existingSecret")},
	{Message: "flowetl.externalDatabase.existingSecret is required when flowetl.postgresql.enabled is false: Airflow reads the database password from it",
		If: chartkit.Eq("flowetl.postgresql.enabled", false), Then: chartkit.NotEmpty("flowetl.externalDatabase.existingSecret")},
	{Message: "autoflow.enabled needs scenario full: AutoFlow runs its workflows through FlowAPI",
		If: chartkit.Eq("autoflow.enabled", true), Then: chartkit.Eq("scenario", "full")},
	{Message: "autoflow.existingSecret is required when autoflow.enabled is true: the FlowAPI token comes from FlowAuth, the chart cannot generate it",
		If: chartkit.Eq("autoflow.enabled", true), Then: chartkit.NotEmpty("autoflow.existingSecret")},
	{Message: "autoflow.inputsClaim or autoflow.inputsConfigMap is required when autoflow.enabled is true: AutoFlow reads its notebooks and workflows.yml at start",
		If: chartkit.Eq("autoflow.enabled", true), Then: chartkit.Or(chartkit.NotEmpty("autoflow.inputsClaim"), chartkit.NotEmpty("autoflow.inputsConfigMap"))},
	{Message: "autoflow.inputsClaim and autoflow.inputsConfigMap are exclusive: AutoFlow has one inputs directory",
		If: chartkit.NotEmpty("autoflow.inputsClaim"), Then: chartkit.Eq("autoflow.inputsConfigMap", "")},
	{Message: "ingress and httpRoute publish FlowAPI, which only scenario full runs",
		If: publishesAPI, Then: chartkit.Eq("scenario", "full")},
	{Message: "flowauth.ingress and flowauth.httpRoute publish FlowAuth, which only scenario full runs",
		If: chartkit.Or(chartkit.Eq("flowauth.ingress.enabled", true), chartkit.Eq("flowauth.httpRoute.enabled", true)), Then: chartkit.Eq("scenario", "full")},
	chartkit.IngressRule("ingress"),
	chartkit.HTTPRouteRule("httpRoute"),
	chartkit.IngressRule("flowauth.ingress"),
	chartkit.HTTPRouteRule("flowauth.httpRoute"),
	chartkit.IngressRule("flowetl.ingress"),
	chartkit.HTTPRouteRule("flowetl.httpRoute"),
	{Message: "backup.databases needs at least one of flowdb, flowetl, flowauth, autoflow when backup.enabled or backup.restore.enabled is true",
		If: chartkit.BackupOn(), Then: chartkit.HasItems("backup.databases", 1)},
}, chartkit.BackupRules(nil, "")...)

// Chart is the FlowKit chart definition.
func Chart() chartkit.Chart {
	tpl, err := fs.Sub(files, "chart")
	if err != nil {
		panic(err) // the embedded tree always has chart/
	}
	return chartkit.Chart{
		Name:    "flowkit",
		Version: "0.2.0",
		Changelog: []chartkit.Release{{Version: "0.2.0", Changes: append(chartkit.SharedChanges("0.2.0"),
			chartkit.Change{Kind: "added", Description: "Cache pruning keeps FlowMachine's Redis query states in step, skips queries in use, and runs at any frequency of 60 s or more."},
			chartkit.Change{Kind: "fixed", Description: "flowauth.externalDatabase and flowetl.externalDatabase need their existingSecret: without one the pods referenced a Secret with an empty name."},
			chartkit.Change{Kind: "added", Description: "Suspended CronJobs for one-off cache invalidate and resync-redis Jobs; FlowAuth and FlowETL can be published (Ingress/HTTPRoute); flowauth.cacheFile and flowauth.resetDb values."},
		)}, {Version: "0.1.0", Changes: []chartkit.Change{
			{Kind: "added", Description: "FlowKit deployment scenarios db-etl, db-etl-machine and full (+ AutoFlow), one or several FlowMachine servers."},
			{Kind: "added", Description: "Query cache pruning CronJob with flotilla-hook; released charts pin its image by digest."},
		}}},
		AppVersion:  "1.18.0",
		Description: "FlowKit (Flowminder): FlowDB, FlowETL, FlowMachine + Redis, FlowAPI, FlowAuth and AutoFlow, by the guide's deployment scenarios, with a cache pruning CronJob.",
		KubeVersion: ">=1.29.0-0",
		Home:        "https://flowkit.xyz",
		Icon:        "https://raw.githubusercontent.com/Flowminder/FlowKit/master/docs/source/assets/images/logo.png",
		Sources:     []string{"https://github.com/Flowminder/FlowKit", "https://github.com/flotilla/flotilla"},
		Keywords:    []string{"flowkit", "flowdb", "flowmachine", "cdr", "mobile-data", "postgresql"},
		ArtifactHub: map[string]string{"license": "MPL-2.0", "category": "database"},
		Defaults:    Defaults(),
		SourceDirs:  []string{"pkg/charts/flowkit", "pkg/chartvalues"},
		Rules:       Rules,
		Templates:   tpl,
		Intro: `Deploys [FlowKit](https://github.com/Flowminder/FlowKit) on Kubernetes, generated by Flotilla from typed
Go values, following FlowKit's deployment guide: FlowDB (a StatefulSet on ` + "`flowminder/flowdb`" + `),
FlowETL (Airflow) with its own PostgreSQL, the FlowMachine server and the Redis that coordinates
its query state, FlowAPI, FlowAuth with its database, and optionally AutoFlow. A CronJob prunes
FlowDB's query cache with ` + "`flotilla-hook cache prune`" + `.

Every pod passes the Pod Security Standard "restricted": FlowDB runs as ` + "`flowdb.uid`/`flowdb.gid`" + `
(the guide's ` + "`user: uid:gid`" + ` bind-mount setting becomes runAsUser/runAsGroup/fsGroup), FlowETL as
Airflow's user, the other components as uid 1000.`,
		Topologies: []chartkit.Topology{
			{Name: "FlowDB and FlowETL only (db-etl)", Example: "db-etl.yaml",
				Description: "FlowDB and FlowETL (with its own PostgreSQL) only: SQL access to the harmonised schema. The cache pruning CronJob runs when enabled."},
			{Name: "FlowDB, FlowETL and FlowMachine as a library (db-etl-machine)", Example: "db-etl-machine.yaml",
				Description: "Adds the Redis that users of the FlowMachine Python library share to coordinate processing (their password is in the Redis Secret). No FlowMachine server runs: the guide says none is needed for library use."},
			{Name: "full, standalone FlowMachine", Example: "full.yaml",
				Description: "The complete system: one FlowMachine server, FlowAPI (Service, Ingress/HTTPRoute), FlowAuth (PostgreSQL or SQLite), the generated RSA key pair linking them."},
			{Name: "full, queue (FlowMachine scaled out)", Example: "full-queue.yaml",
				Description: "`flowmachine.replicaCount` > 1: several FlowMachine servers behind one Service share the Redis that coordinates query state and FlowDB's cache; FlowAPI and FlowAuth (redis cache backend) scaled too."},
			{Name: "full with AutoFlow", Example: "full-autoflow.yaml",
				Description: "`autoflow.enabled`: AutoFlow runs the notebooks of `autoflow.inputsConfigMap` (or `inputsClaim`) against FlowAPI with the token in `autoflow.existingSecret`, records runs in its own PostgreSQL; here FlowAPI serves HTTPS and FlowAuth uses its SQLite fallback."},
			{Name: "backups to S3", Example: "backup.yaml",
				Description: "`backup.enabled`: one CronJob per database of `backup.databases` streams `pg_dump` to an S3 bucket with retention (see Backup and restore)."},
			{Name: "restore into a fresh release", Example: "restore.yaml",
				Description: "`backup.restore.enabled`: one Job per database restores the newest backups of another release while FlowETL, FlowMachine, FlowAPI, FlowAuth and AutoFlow run 0 replicas."},
		},
		ReadmeNotes: []chartkit.Section{
			{Title: "Secrets and upgrades", Body: `Every secret of the guide's tables is read from an ` + "`existingSecret`" + ` (keys set by the sibling
` + "`existingSecret…Key`" + ` values) or, when that is empty, generated once into ` + "`<release>-flowkit-<component>`" + `,
looked up on every upgrade so it never rotates, and marked ` + "`helm.sh/resource-policy: keep`" + ` so an uninstall +
install finds it again: FlowDB's three passwords, FlowETL's Fernet key and admin password, FLOWAPI_IDENTIFIER,
FlowAuth's FLOWAUTH_FERNET_KEY, SECRET_KEY and admin password, the bundled databases' and Redis' passwords.
Fernet keys are real Fernet keys (url-safe base64 of 32 bytes). AutoFlow's FLOWAPI_TOKEN is the exception: FlowAuth
issues it after install, so ` + "`autoflow.existingSecret`" + ` is required. ` + "`helm template`" + ` (no cluster) cannot look
Secrets up, so it prints fresh random values on every run.`},
			{Title: "The FlowAuth/FlowAPI key pair", Body: `FlowAuth signs tokens with PRIVATE_JWT_SIGNING_KEY; FlowAPI verifies them with PUBLIC_JWT_SIGNING_KEY,
which FlowAPI loads with ` + "`load_pem_public_key`" + ` (a certificate would not do). Without ` + "`jwt.existingSecret`" + ` the
chart generates a 4096-bit RSA key with sprig's ` + "`genPrivateKey`" + ` once and derives the public key in the template
(` + "`flotilla.rsaPublicKey`" + `: for a PKCS#1 4096-bit key with exponent 65537 the modulus and exponent sit at fixed
offsets of the DER, and the SubjectPublicKeyInfo header around them is constant; any other key shape fails the
render). Both go into ` + "`<release>-flowkit-jwt`" + `, kept like every generated secret. FlowAuth's pod mounts only the
private key, FlowAPI's only the public key, so FlowAPI never holds the signing key. To share one FlowAuth between
several FlowAPI servers, give them all the same ` + "`jwt.existingSecret`" + `.`},
			{Title: "Cache pruning", Body: "`cache.pruning.enabled` runs a CronJob with `flotilla-hook cache prune --timeout=<timeout>s` against FlowDB as the\n" +
				"FlowMachine user (PG* variables, password file from FlowDB's Secret), FlowMachine's rules (lowest cache score first\n" +
				"until the cache is under `cache_size`, protected period honoured, NULL scores last), no cascade unless\n" +
				"`cache.pruning.cascade`. It keeps FlowMachine's Redis in step, as FlowMachine's own removal does: before each batch\n" +
				"of removals it sets the batch's query states to `known` in one Redis call (REDIS_HOST/REDIS_PORT and the Redis\n" +
				"password file from the chart's Redis), and leaves in place the queries FlowMachine is running (`queued`,\n" +
				"`executing`, `resetting`). If Redis is unreachable it removes nothing and the Job fails. In scenario `db-etl`\n" +
				"(no Redis, no FlowMachine) it runs with `--no-redis`.\n\n" +
				"`cache.pruning.frequency` takes any number of seconds from 60. Periods cron repeats exactly (86400 → `0 0 * * *`,\n" +
				"3600 → `0 * * * *`, 900 → `*/15 * * * *`, 604800 → `0 0 * * 0`, …) are the schedule itself. Any other frequency F\n" +
				"runs the CronJob every P, the longest such period with P ≤ F whose multiple k·P (k = ⌈F/P⌉) is at most 1.1·F (else\n" +
				"every minute), with `--min-interval=(k·P − P/2)s`: each run first reads when the last successful prune started\n" +
				"(FlowDB's `cache.cache_config`, key `flotilla_last_prune`, the server's clock) and exits 0 without pruning while\n" +
				"that is more recent. Prunes therefore come every k·P, at most 10% later than F (5400 → every 30 min, pruning every\n" +
				"third run; 100000 → every 6 h, pruning every fifth run, i.e. every 30 h); the P/2 margin absorbs start delays.\n" +
				"`concurrencyPolicy: Forbid`, `activeDeadlineSeconds` = timeout + 60. The Job's log ends with flotilla-hook's\n" +
				"summary line (entries removed, bytes freed, Redis states set to known, entries left in use). While the CronJob is\n" +
				"enabled, FlowMachine's own pruner (FLOWMACHINE_CACHE_PRUNING_FREQUENCY) is set to ten years so the two never race.\n\n" +
				"flotilla-hook finds FlowMachine's Redis keys (`finist:<db_id>:<query_id>-state`) by the connection id FlowMachine\n" +
				"derives from the host, port and database it reaches FlowDB by; the chart gives both the same ones. FlowMachine\n" +
				"library users (scenario `db-etl-machine`) who reach FlowDB by another address use other keys: run flotilla-hook\n" +
				"by hand with `--flowmachine-db-id` for them."},
			{Title: "Invalidating a query, resyncing Redis", Body: "With `cache.jobs.enabled` (the default) the chart renders two suspended CronJobs, templates that never run on\n" +
				"their own, with the pruner's FlowDB role (the FlowMachine user) and Redis password. A one-off Job is a copy of one,\n" +
				"its environment set on the way:\n\n" +
				"```sh\n" +
				"# flotilla-hook cache invalidate QUERY_ID [--cascade]: remove one entry (and what was computed from it)\n" +
				"kubectl create job --from=cronjob/<release>-flowkit-cache-invalidate invalidate-1 --dry-run=client -o yaml \\\n" +
				"  | kubectl set env --local -f - QUERY_ID=<query_id> CASCADE=true -o yaml | kubectl create -f -\n" +
				"kubectl logs -f job/invalidate-1\n\n" +
				"# flotilla-hook cache resync-redis: rebuild FlowMachine's query states from cache.cached\n" +
				"kubectl create job --from=cronjob/<release>-flowkit-cache-resync-redis resync-1\n" +
				"# … even while queries run (their states are overwritten):\n" +
				"kubectl create job --from=cronjob/<release>-flowkit-cache-resync-redis resync-2 --dry-run=client -o yaml \\\n" +
				"  | kubectl set env --local -f - FORCE=true -o yaml | kubectl create -f -\n" +
				"```\n\n" +
				"The invalidation refuses (the Job fails, exit 1) while FlowMachine runs the query or, with CASCADE=true, one computed\n" +
				"from it, and sets the removed queries' states to `known`. The resync gives every row of `cache.cached` a complete\n" +
				"state machine in state `completed` and deletes this FlowDB's other states (other keys in Redis stay); it refuses\n" +
				"while any query is queued, executing or resetting, unless the Job is made with `FORCE=true` (as FlowMachine's\n" +
				"`resync_redis_with_cache`, which overwrites them). Scenario `db-etl` has no Redis: only the invalidation template\n" +
				"exists, with `--no-redis`."},
			chartkit.BackupSection(chartkit.BackupDoc{Chart: "flowkit", Namespace: "flowkit", Databases: []string{"flowetl", "flowdb", "flowauth", "autoflow"}, Objects: []string{"-flowetl", "-flowdb", "-flowauth", "-autoflow"},
				What:    "`backup.databases` picks the databases (default all four): FlowDB (`flowdb`, as the flowdb superuser; it can be very large — leave it out and keep it with your own tooling if a nightly full dump is too much), FlowETL's Airflow metadata (`flowetl`), FlowAuth's (`flowauth`) and AutoFlow's (`autoflow`) databases, bundled or external. A database the scenario does not run, or that uses SQLite, is skipped. FlowDB's dump runs in the postgres image tagged `backup.flowdbImageTag` (FlowDB's PostgreSQL major version; default `backup.image.tag`).",
				Secrets: "Give the restored release the old release's `flowauth.auth.existingSecret` (FLOWAUTH_FERNET_KEY encrypts tokens at rest) and `flowetl.auth.existingSecret` (Airflow's Fernet key encrypts connections).",
				Extra:   "FlowDB creates its schemas at first start, so a fresh FlowDB is never empty: restore FlowDB with `backup.restore.clean=true` (also in a fresh release), or set `backup.databases` to the other databases for that restore."}),
			{Title: "Users, volumes and what was not verified", Body: `FlowDB creates the FlowMachine and FlowAPI roles at first initialisation with the guide's grants (FlowMachine:
write on the cache schema, read on events/infrastructure/geography; FlowAPI: read on cache and geography); the chart
passes FLOWMACHINE_FLOWDB_USER/PASSWORD and FLOWAPI_FLOWDB_USER/PASSWORD. FlowDB gets a memory-backed /dev/shm
(` + "`flowdb.shmSize`" + `), its data PVC, and optionally ` + "`flowdb.etl.existingClaim`" + ` read-only at /etl. As a non-root user FlowDB
cannot take over the volume's root (the guide's initdb permission error), so PGDATA is the pgdata subdirectory and an init
container links /var/lib/postgresql/data/postgresql.conf, where FlowDB's init scripts append their tuning include, to the
cluster's own file. FlowAuth listens on
port 80 as a non-root user thanks to the namespaced sysctl ` + "`net.ipv4.ip_unprivileged_port_start=0`" + ` (allowed by
the restricted standard). Environment variable names and ports come from FlowKit's documentation, stack files and
source; rendering, schema rules, strict decoding and the restricted checks run in ` + "`make test`" + `, and ` + "`make e2e`" + `
installs every example on a kube-apiserver whose pods are simulated. No FlowKit container runs in those tests:
in particular, running FlowAuth's nginx/uWSGI image and FlowETL's Airflow image as non-root was not tried.`},
		},
	}
}
