package flowkit

import cv "github.com/flotilla/flotilla/pkg/chartvalues"

// Values of the FlowKit chart. Component blocks follow the names of FlowKit's own services
// (flowdb, flowetl, flowmachine, flowapi, flowauth, autoflow) and the seed's deployment guide.
type Values struct {
	// Root values every Flotilla chart shares (names, ServiceAccount, PDB, security contexts, scheduling).
	cv.Common
	// Deployment scenario of FlowKit's guide: db-etl (FlowDB + FlowETL), db-etl-machine (adds the Redis that FlowMachine library users share) or full (adds the FlowMachine server, FlowAPI and FlowAuth).
	Scenario string `json:"scenario" jsonschema:"enum=db-etl,enum=db-etl-machine,enum=full"`
	// FlowDB, the PostgreSQL-based database (StatefulSet on flowminder/flowdb).
	FlowDB FlowDB `json:"flowdb"`
	// FlowETL, the Airflow-based loader of new data into FlowDB (every scenario).
	FlowETL FlowETL `json:"flowetl"`
	// The FlowMachine server (scenario full). replicaCount 1 is the standalone topology; more is the queue topology, the servers coordinating query state through the shared Redis.
	FlowMachine FlowMachine `json:"flowmachine"`
	// Redis that coordinates FlowMachine's query state (scenarios db-etl-machine and full); bundled or external.
	Redis Redis `json:"redis"`
	// FlowAPI, the web API (scenario full).
	FlowAPI FlowAPI `json:"flowapi"`
	// FlowAuth, which issues the tokens FlowAPI accepts (scenario full).
	FlowAuth FlowAuth `json:"flowauth"`
	// The RSA key pair linking FlowAuth (private key, signs tokens) and FlowAPI (public key, verifies them).
	JWT JWT `json:"jwt"`
	// AutoFlow, the workflow runner that calls FlowAPI (optional, scenario full).
	AutoFlow AutoFlow `json:"autoflow"`
	// FlowDB's query cache.
	Cache Cache `json:"cache"`
	// Service in front of FlowAPI (scenario full).
	Service cv.Service `json:"service"`
	// Ingress to FlowAPI (scenario full).
	Ingress cv.Ingress `json:"ingress"`
	// Gateway API HTTPRoute to FlowAPI (scenario full).
	HTTPRoute cv.HTTPRoute `json:"httpRoute"`
	// The `helm test` pod: connects to FlowDB as the FlowMachine and FlowAPI users with flotilla-hook.
	Tests cv.Tests `json:"tests"`
	// flotilla-hook's image and resources, used by the cache CronJobs, the test pod and the wait-for-database init containers.
	Hook Hook `json:"hook"`
	// Scheduled pg_dump of FlowKit's PostgreSQL databases to S3 (one CronJob per database), and restore mode.
	Backup Backup `json:"backup"`
	// Status endpoint of the release (after Flynn's): a Deployment running flotilla-hook status serve, answering 200 or 500 with JSON naming each component; a key from outside private networks.
	Status cv.Status `json:"status"`
}

// Hook configures flotilla-hook in FlowKit's pods. FlowKit's databases are its own (FlowDB, the
// bundled PostgreSQLs) or external ones the chart only connects to, so there is no bootstrap Job.
type Hook struct {
	// Wait for FlowDB and the bundled databases with flotilla-hook (db wait) in init containers of FlowETL, FlowMachine, FlowAPI, FlowAuth and AutoFlow. The cache CronJobs follow cache.pruning.enabled and cache.jobs.enabled, the test pod tests.enabled.
	Enabled bool `json:"enabled"`
	// flotilla-hook image.
	Image cv.Image `json:"image"`
	// How long the init containers wait for a database (Go duration, e.g. 5m).
	Timeout string `json:"timeout" jsonschema:"pattern=^([0-9]+(ms|s|m|h))+$"`
	// Retries of the Jobs the cache CronJobs start.
	BackoffLimit int `json:"backoffLimit" jsonschema:"minimum=0"`
	// CPU/memory requests and limits of flotilla-hook containers.
	Resources map[string]any `json:"resources"`
}

// Redis is the Redis FlowMachine coordinates query state in. FlowMachine and FlowAuth connect
// with a host, a port and a password only (no TLS, no ACL user), so its external Redis has no
// tls or username.
type Redis struct {
	// Deploy the bundled Redis.
	Enabled bool `json:"enabled"`
	// Redis image (the official image).
	Image cv.Image `json:"image"`
	// Password authentication of the bundled Redis.
	Auth cv.RedisAuth `json:"auth"`
	// Data volume of the bundled Redis (query states survive restarts when enabled).
	Persistence cv.DataVolume `json:"persistence"`
	// CPU/memory requests and limits of the Redis container.
	Resources map[string]any `json:"resources"`
	// An external Redis, used when redis.enabled is false.
	External ExternalRedis `json:"external"`
}

// ExternalRedis is a Redis the chart does not manage, reached without TLS (FlowMachine's client does not speak it).
type ExternalRedis struct {
	// Host name of the external Redis.
	Host string `json:"host"`
	// Port of the external Redis.
	Port int `json:"port" jsonschema:"minimum=1,maximum=65535"`
	// Password (prefer existingSecret).
	Password string `json:"password"`
	// Existing Secret holding the password.
	ExistingSecret string `json:"existingSecret"`
	// Key of the password in existingSecret.
	ExistingSecretPasswordKey string `json:"existingSecretPasswordKey" jsonschema:"minLength=1"`
}

// SecretKeys: an external Redis already has its password (as chartvalues.ExternalRedis).
func (ExternalRedis) SecretKeys() []cv.SecretKey { return cv.ExternalRedis{}.SecretKeys() }

// Backup configures the backups of FlowKit's databases.
type Backup struct {
	cv.Backup
	// Databases backed up, one CronJob each, and restored in restore mode: flowdb (FlowDB; it can be very large, and a dump takes as long as reading all of it), flowetl (Airflow's metadata), flowauth, autoflow. Databases the scenario does not run, or that use SQLite, are skipped.
	Databases []string `json:"databases" jsonschema:"uniqueItems=true,enum=flowdb,enum=flowetl,enum=flowauth,enum=autoflow"`
	// postgres image tag for FlowDB's dumps and restores: FlowDB's PostgreSQL major version, which may differ from the bundled databases'. Empty: backup.image.tag.
	FlowDBImageTag string `json:"flowdbImageTag"`
}

// FlowDB configures the FlowDB StatefulSet.
type FlowDB struct {
	// FlowDB image.
	Image cv.Image `json:"image"`
	// FlowDB's passwords: the flowdb superuser (POSTGRES_PASSWORD) and the FlowMachine and FlowAPI users.
	Auth FlowDBAuth `json:"auth"`
	// Database role FlowMachine (and the cache pruner) connects as (FLOWMACHINE_FLOWDB_USER). FlowDB gives it write access to the cache schema; keep "flowmachine": FlowDB's event trigger hands new cache tables to a role of that name.
	FlowMachineUser string `json:"flowmachineUser" jsonschema:"pattern=^[a-z_][a-z0-9_]*$"`
	// Database role FlowAPI connects as (FLOWAPI_FLOWDB_USER): read access to the cache and geography schemas.
	FlowAPIUser string `json:"flowapiUser" jsonschema:"pattern=^[a-z_][a-z0-9_]*$"`
	// FlowDB's tuning variables; empty or 0 leaves FlowDB's own default.
	Config FlowDBConfig `json:"config"`
	// Size of the memory-backed /dev/shm (PostgreSQL's parallel workers need more than a container's default 64Mi); counts against the pod's memory.
	ShmSize string `json:"shmSize" jsonschema:"pattern=^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti)$"`
	// Data volume at /var/lib/postgresql/data.
	Persistence cv.DataVolume `json:"persistence"`
	// Read-only volume FlowDB loads new data from, mounted at /etl.
	ETL ETLMount `json:"etl"`
	// User FlowDB runs as (runAsUser): the uid that owns the data volume, as the guide's `user:` setting. 999 is postgres in the image.
	UID int `json:"uid" jsonschema:"minimum=1"`
	// Group FlowDB runs as (runAsGroup) and that owns its volumes (fsGroup).
	GID int `json:"gid" jsonschema:"minimum=1"`
	// Read-only root filesystem. FlowDB's init scripts write their generated configuration into the image (/flowdb_autoconf), so false by default.
	ReadOnlyRootFilesystem bool `json:"readOnlyRootFilesystem"`
	// CPU/memory requests and limits of the FlowDB container.
	Resources cv.Resources `json:"resources"`
	// Extra environment variables for FlowDB (Kubernetes EnvVar objects).
	ExtraEnv []cv.EnvVar `json:"extraEnv"`
}

// FlowDBAuth names the Secret holding FlowDB's three passwords.
type FlowDBAuth struct {
	// Existing Secret with the three passwords. Empty: the chart creates one with random values once and keeps it (helm.sh/resource-policy: keep). Passwords go into connection URLs (FlowETL), so use URL-safe characters.
	ExistingSecret string `json:"existingSecret"`
	// Key of the flowdb superuser password (POSTGRES_PASSWORD) in existingSecret.
	ExistingSecretPostgresPasswordKey string `json:"existingSecretPostgresPasswordKey" jsonschema:"minLength=1"`
	// Key of the FlowMachine user's password (FLOWMACHINE_FLOWDB_PASSWORD) in existingSecret.
	ExistingSecretFlowmachinePasswordKey string `json:"existingSecretFlowmachinePasswordKey" jsonschema:"minLength=1"`
	// Key of the FlowAPI user's password (FLOWAPI_FLOWDB_PASSWORD) in existingSecret.
	ExistingSecretFlowapiPasswordKey string `json:"existingSecretFlowapiPasswordKey" jsonschema:"minLength=1"`
}

// FlowDBConfig holds FlowDB's documented tuning variables.
type FlowDBConfig struct {
	// Maximum size of the cache schema in bytes (CACHE_SIZE). Empty: a tenth of the free space of the data volume.
	CacheSize string `json:"cacheSize" jsonschema:"pattern=^([0-9]+)?$"`
	// Seconds a new cache table is protected from cleanup (CACHE_PROTECTED_PERIOD). 0: FlowDB's default, 86400.
	CacheProtectedPeriod int `json:"cacheProtectedPeriod" jsonschema:"minimum=0"`
	// How fast unused cache tables lose value, in cache retrievals (CACHE_HALF_LIFE). 0: FlowDB's default, 1000.
	CacheHalfLife int `json:"cacheHalfLife" jsonschema:"minimum=0"`
	// CPUs FlowDB may use for parallel queries (MAX_CPUS). 0: one less than all CPUs, at least 1.
	MaxCPUs int `json:"maxCpus" jsonschema:"minimum=0"`
	// Shared buffers (SHARED_BUFFERS_SIZE), e.g. 16GB. Empty: FlowDB's default.
	SharedBuffersSize string `json:"sharedBuffersSize" jsonschema:"pattern=^([0-9]+(kB|MB|GB|TB))?$"`
	// CPUs one query may use (MAX_WORKERS). 0: MAX_CPUS/2.
	MaxWorkers int `json:"maxWorkers" jsonschema:"minimum=0"`
	// CPUs one part of a query may use (MAX_WORKERS_PER_GATHER). 0: MAX_CPUS/2.
	MaxWorkersPerGather int `json:"maxWorkersPerGather" jsonschema:"minimum=0"`
	// PostgreSQL's effective cache size (EFFECTIVE_CACHE_SIZE), e.g. 8GB. Empty: 25% of RAM.
	EffectiveCacheSize string `json:"effectiveCacheSize" jsonschema:"pattern=^([0-9]+(kB|MB|GB|TB))?$"`
	// Enable the pgAdmin debugger (FLOWDB_ENABLE_POSTGRES_DEBUG_MODE).
	DebugMode bool `json:"debugMode"`
}

// ETLMount is the optional read-only /etl volume of FlowDB.
type ETLMount struct {
	// Existing PersistentVolumeClaim mounted read-only at /etl. Empty: no /etl mount.
	ExistingClaim string `json:"existingClaim"`
}

// FlowETL configures the FlowETL (Airflow) Deployment.
type FlowETL struct {
	// FlowETL image.
	Image cv.Image `json:"image"`
	// Container port of Airflow's web interface.
	Port int `json:"port" jsonschema:"minimum=1024,maximum=65535"`
	// Login of the Airflow web interface's administrator (FLOWETL_AIRFLOW_ADMIN_USERNAME).
	AdminUsername string `json:"adminUsername" jsonschema:"minLength=1"`
	// FlowETL's secrets: the Airflow fernet key and the administrator's password.
	Auth FlowETLAuth `json:"auth"`
	// FlowETL's own PostgreSQL (Airflow's metadata database), bundled on the official image; set enabled false to use flowetl.externalDatabase.
	PostgreSQL cv.PostgreSQL `json:"postgresql"`
	// Airflow's metadata database when flowetl.postgresql.enabled is false.
	ExternalDatabase ExternalDatabase `json:"externalDatabase"`
	// Existing PVC holding the DAG files (the guide's FLOWETL_HOST_DAG_DIR), mounted at /opt/airflow/dags, the image's AIRFLOW__CORE__DAGS_FOLDER. Empty: the image's own DAGs folder.
	DagsClaim string `json:"dagsClaim"`
	// User FlowETL runs as; 50000 is airflow in the Airflow image FlowETL is built on.
	UID int `json:"uid" jsonschema:"minimum=1"`
	// Group FlowETL runs as; Airflow's images expect group 0 (root group, not root).
	GID int `json:"gid" jsonschema:"minimum=0"`
	// Read-only root filesystem. Airflow writes its configuration and logs under AIRFLOW_HOME, so false by default.
	ReadOnlyRootFilesystem bool `json:"readOnlyRootFilesystem"`
	// CPU/memory requests and limits of the FlowETL container.
	Resources cv.Resources `json:"resources"`
	// Extra environment variables for FlowETL (Kubernetes EnvVar objects), e.g. further AIRFLOW__ settings.
	ExtraEnv []cv.EnvVar `json:"extraEnv"`
	// Ingress to Airflow's web interface (Service <release>-flowkit-flowetl, port flowetl.port); off by default: the interface is for operators inside the firewall.
	Ingress cv.Ingress `json:"ingress"`
	// Gateway API HTTPRoute to Airflow's web interface; off by default.
	HTTPRoute cv.HTTPRoute `json:"httpRoute"`
}

// FlowETLAuth names the Secret holding FlowETL's secrets.
type FlowETLAuth struct {
	// Existing Secret with both keys. Empty: created once with a random Fernet key and password, and kept.
	ExistingSecret string `json:"existingSecret"`
	// Key of Airflow's Fernet key (AIRFLOW__CORE__FERNET_KEY) in existingSecret.
	ExistingSecretFernetKeyKey string `json:"existingSecretFernetKeyKey" jsonschema:"minLength=1"`
	// Key of the administrator's password (FLOWETL_AIRFLOW_ADMIN_PASSWORD) in existingSecret.
	ExistingSecretAdminPasswordKey string `json:"existingSecretAdminPasswordKey" jsonschema:"minLength=1"`
}

// ExternalDatabase is a PostgreSQL database the chart does not manage.
type ExternalDatabase struct {
	// Host name.
	Host string `json:"host"`
	// Port.
	Port int `json:"port" jsonschema:"minimum=1,maximum=65535"`
	// Database name.
	Name string `json:"name" jsonschema:"minLength=1"`
	// User name.
	Username string `json:"username" jsonschema:"minLength=1"`
	// Existing Secret holding the password (URL-safe characters: it is put into a connection URL); required when host is set.
	ExistingSecret string `json:"existingSecret"`
	// Key of the password in existingSecret.
	ExistingSecretPasswordKey string `json:"existingSecretPasswordKey" jsonschema:"minLength=1"`
}

// FlowMachine configures the FlowMachine server.
type FlowMachine struct {
	// FlowMachine image.
	Image cv.Image `json:"image"`
	// FlowMachine servers. 1: standalone; more: the queue topology (all servers share Redis and FlowDB's cache).
	ReplicaCount int `json:"replicaCount" jsonschema:"minimum=1"`
	// Port FlowAPI talks to FlowMachine on (FLOWMACHINE_PORT).
	Port int `json:"port" jsonschema:"minimum=1024,maximum=65535"`
	// Log level (FLOWMACHINE_LOG_LEVEL).
	LogLevel string `json:"logLevel" jsonschema:"enum=critical,enum=error,enum=info,enum=debug"`
	// asyncio debug mode (FLOWMACHINE_SERVER_DEBUG_MODE).
	DebugMode bool `json:"debugMode"`
	// Cache only the queries requested, not their dependencies (FLOWMACHINE_SERVER_DISABLE_DEPENDENCY_CACHING).
	DisableDependencyCaching bool `json:"disableDependencyCaching"`
	// Threads managing running queries (FLOWMACHINE_SERVER_THREADPOOL_SIZE). 0: 5 per CPU.
	ThreadpoolSize int `json:"threadpoolSize" jsonschema:"minimum=0"`
	// Connections kept open to FlowDB, i.e. queries run at once (DB_CONNECTION_POOL_SIZE).
	DBConnectionPoolSize int `json:"dbConnectionPoolSize" jsonschema:"minimum=1"`
	// Extra connections opened when needed (DB_CONNECTION_POOL_OVERFLOW).
	DBConnectionPoolOverflow int `json:"dbConnectionPoolOverflow" jsonschema:"minimum=0"`
	// CPU/memory requests and limits of the FlowMachine container.
	Resources cv.Resources `json:"resources"`
	// Extra environment variables for FlowMachine (Kubernetes EnvVar objects).
	ExtraEnv []cv.EnvVar `json:"extraEnv"`
}

// FlowAPI configures the FlowAPI Deployment.
type FlowAPI struct {
	// FlowAPI image.
	Image cv.Image `json:"image"`
	// FlowAPI replicas.
	ReplicaCount int `json:"replicaCount" jsonschema:"minimum=1"`
	// Log level (FLOWAPI_LOG_LEVEL).
	LogLevel string `json:"logLevel" jsonschema:"enum=critical,enum=error,enum=warning,enum=info,enum=debug"`
	// FLOWAPI_IDENTIFIER: the audience FlowAuth's tokens must name; unique per FlowAPI server and its name in FlowAuth's interface.
	Identifier Identifier `json:"identifier"`
	// TLS certificate FlowAPI serves HTTPS with (the seed's cert-flowkit.pem / key-flowkit.pem).
	TLS TLS `json:"tls"`
	// CPU/memory requests and limits of the FlowAPI container.
	Resources cv.Resources `json:"resources"`
	// Extra environment variables for FlowAPI (Kubernetes EnvVar objects).
	ExtraEnv []cv.EnvVar `json:"extraEnv"`
}

// Identifier is FLOWAPI_IDENTIFIER, a secret of the seed's FlowAPI table.
type Identifier struct {
	// Existing Secret holding the identifier. Empty: a random one is generated once and kept.
	ExistingSecret string `json:"existingSecret"`
	// Key of the identifier in existingSecret.
	ExistingSecretKey string `json:"existingSecretKey" jsonschema:"minLength=1"`
}

// TLS names a kubernetes.io/tls Secret.
type TLS struct {
	// Existing Secret of type kubernetes.io/tls (tls.crt, tls.key). Empty: FlowAPI serves plain HTTP (FlowKit warns that this is not secure; terminate TLS at the Ingress instead).
	ExistingSecret string `json:"existingSecret"`
}

// FlowAuth configures the FlowAuth Deployment.
type FlowAuth struct {
	// FlowAuth image.
	Image cv.Image `json:"image"`
	// FlowAuth replicas. More than 1 needs a PostgreSQL database and the redis cache backend.
	ReplicaCount int `json:"replicaCount" jsonschema:"minimum=1"`
	// Container port FlowAuth's web server listens on (the image serves on 80).
	Port int `json:"port" jsonschema:"minimum=1,maximum=65535"`
	// Login of FlowAuth's first administrator (FLOWAUTH_ADMIN_USER, also passed as FLOWAUTH_ADMIN_USERNAME); its password is reset to the Secret's at every start.
	AdminUsername string `json:"adminUsername" jsonschema:"minLength=1"`
	// FlowAuth's secrets: FLOWAUTH_FERNET_KEY, SECRET_KEY and the administrator's password.
	Auth FlowAuthAuth `json:"auth"`
	// FlowAuth's bundled PostgreSQL (official image). Disabled with no flowauth.externalDatabase.host: FlowAuth uses the seed's SQLite fallback (one replica, data lost with the pod).
	PostgreSQL cv.PostgreSQL `json:"postgresql"`
	// FlowAuth's database when it is not the bundled one.
	ExternalDatabase ExternalDatabase `json:"externalDatabase"`
	// Backend of the two-factor last-used-code cache (FLOWAUTH_CACHE_BACKEND): file (/dev/shm, per pod), memory (one process) or redis (the chart's Redis, shared by replicas).
	CacheBackend string `json:"cacheBackend" jsonschema:"enum=file,enum=memory,enum=redis"`
	// Redis database number of the redis cache backend (FLOWAUTH_REDIS_DB); FlowMachine uses 0.
	RedisDB int `json:"redisDb" jsonschema:"minimum=0,maximum=15"`
	// File of the file cache backend (FLOWAUTH_CACHE_FILE), a dbm file of last-used two-factor codes. The default is the guide's, in the pod's memory-backed /dev/shm; /tmp is a writable volume too.
	CacheFile string `json:"cacheFile" jsonschema:"pattern=^/"`
	// Reset FlowAuth's database at start (RESET_FLOWAUTH_DB=true): every user, server and token is deleted. For a first install or a test system only; set it back to false afterwards.
	ResetDB bool `json:"resetDb"`
	// Issuer shown in authenticator apps for two-factor codes (FLOWAUTH_TWO_FACTOR_ISSUER).
	TwoFactorIssuer string `json:"twoFactorIssuer" jsonschema:"minLength=1"`
	// Read-only root filesystem. FlowAuth's image runs nginx and uWSGI, which write outside its volumes, so false by default.
	ReadOnlyRootFilesystem bool `json:"readOnlyRootFilesystem"`
	// CPU/memory requests and limits of the FlowAuth container.
	Resources cv.Resources `json:"resources"`
	// Extra environment variables for FlowAuth (Kubernetes EnvVar objects).
	ExtraEnv []cv.EnvVar `json:"extraEnv"`
	// Ingress to FlowAuth's web interface (Service <release>-flowkit-flowauth, scenario full). The guide lets FlowAuth live outside the firewall: users sign in there to get FlowAPI tokens.
	Ingress cv.Ingress `json:"ingress"`
	// Gateway API HTTPRoute to FlowAuth's web interface (scenario full).
	HTTPRoute cv.HTTPRoute `json:"httpRoute"`
}

// FlowAuthAuth names the Secret holding FlowAuth's secrets.
type FlowAuthAuth struct {
	// Existing Secret with the three keys. Empty: created once with random values (a real Fernet key) and kept.
	ExistingSecret string `json:"existingSecret"`
	// Key of FLOWAUTH_FERNET_KEY (encrypts tokens at rest) in existingSecret.
	ExistingSecretFernetKeyKey string `json:"existingSecretFernetKeyKey" jsonschema:"minLength=1"`
	// Key of SECRET_KEY (session and CSRF cookies) in existingSecret.
	ExistingSecretSecretKeyKey string `json:"existingSecretSecretKeyKey" jsonschema:"minLength=1"`
	// Key of the administrator's password (FLOWAUTH_ADMIN_PASSWORD) in existingSecret.
	ExistingSecretAdminPasswordKey string `json:"existingSecretAdminPasswordKey" jsonschema:"minLength=1"`
}

// JWT names the Secret holding the FlowAuth/FlowAPI key pair.
type JWT struct {
	// Existing Secret with both PEM keys (openssl genrsa / openssl rsa -pubout). Empty: the chart generates a 4096-bit pair once, derives the public key from the private one, and keeps both.
	ExistingSecret string `json:"existingSecret"`
	// Key of the PEM private key (PRIVATE_JWT_SIGNING_KEY, FlowAuth only) in existingSecret.
	ExistingSecretPrivateKeyKey string `json:"existingSecretPrivateKeyKey" jsonschema:"minLength=1"`
	// Key of the PEM public key (PUBLIC_JWT_SIGNING_KEY, FlowAPI) in existingSecret.
	ExistingSecretPublicKeyKey string `json:"existingSecretPublicKeyKey" jsonschema:"minLength=1"`
}

// AutoFlow configures the optional AutoFlow Deployment.
type AutoFlow struct {
	// Deploy AutoFlow (scenario full only: it runs workflows against FlowAPI).
	Enabled bool `json:"enabled"`
	// AutoFlow image.
	Image cv.Image `json:"image"`
	// Existing Secret holding the FlowAPI token AutoFlow uses (FLOWAPI_TOKEN). Tokens are issued by FlowAuth after install, so the chart cannot generate one.
	ExistingSecret string `json:"existingSecret"`
	// Key of the token in existingSecret.
	ExistingSecretTokenKey string `json:"existingSecretTokenKey" jsonschema:"minLength=1"`
	// Existing PVC with the input notebooks and workflows.yml, mounted read-only at /mounts/inputs. AutoFlow reads them at start only.
	InputsClaim string `json:"inputsClaim"`
	// Existing ConfigMap with the input notebooks and workflows.yml (one key per file), mounted read-only at /mounts/inputs instead of inputsClaim.
	InputsConfigMap string `json:"inputsConfigMap"`
	// Existing PVC AutoFlow writes executed notebooks and PDF reports to, mounted at /mounts/outputs. Empty: an emptyDir (outputs lost with the pod).
	OutputsClaim string `json:"outputsClaim"`
	// AutoFlow's bundled PostgreSQL recording workflow runs (official image). Disabled: AutoFlow's temporary SQLite database inside the pod.
	PostgreSQL cv.PostgreSQL `json:"postgresql"`
	// Log level (AUTOFLOW_LOG_LEVEL).
	LogLevel string `json:"logLevel" jsonschema:"enum=CRITICAL,enum=ERROR,enum=WARNING,enum=INFO,enum=DEBUG"`
	// Read-only root filesystem; AutoFlow runs Jupyter notebooks, which write outside its volumes, so false by default.
	ReadOnlyRootFilesystem bool `json:"readOnlyRootFilesystem"`
	// CPU/memory requests and limits of the AutoFlow container.
	Resources cv.Resources `json:"resources"`
	// Extra environment variables for AutoFlow (Kubernetes EnvVar objects).
	ExtraEnv []cv.EnvVar `json:"extraEnv"`
}

// Cache configures the management of FlowDB's query cache.
type Cache struct {
	// The pruning CronJob (flotilla-hook cache prune, as the FlowMachine user, keeping FlowMachine's Redis query states in step).
	Pruning Pruning `json:"pruning"`
	// One-off cache Jobs: suspended CronJobs that never run on their own, copied into a Job with kubectl create job --from=cronjob/NAME (see "Invalidating a query, resyncing Redis").
	Jobs CacheJobs `json:"jobs"`
}

// CacheJobs configures the one-off cache Job templates.
type CacheJobs struct {
	// Render the suspended CronJobs <release>-flowkit-cache-invalidate (flotilla-hook cache invalidate $(QUERY_ID) --cascade=$(CASCADE)) and, in the scenarios with Redis, <release>-flowkit-cache-resync-redis (cache resync-redis --force=$(FORCE)).
	Enabled bool `json:"enabled"`
	// Seconds a one-off Job may run before it is cancelled on the server; the Job's deadline is this plus 60.
	Timeout int `json:"timeout" jsonschema:"minimum=1,maximum=86400"`
}

// Pruning configures the cache pruning CronJob.
type Pruning struct {
	// Run the CronJob. While it runs, FlowMachine's own pruner is pushed out to once in ten years so the two never race.
	Enabled bool `json:"enabled"`
	// Seconds between prunes (FlowMachine's FLOWMACHINE_CACHE_PRUNING_FREQUENCY), 60 or more. A period cron repeats exactly (60, 120, 180, 240, 300, 360, 600, 720, 900, 1200, 1800, 3600, 7200, 10800, 14400, 21600, 28800, 43200, 86400, 604800) is the schedule itself: 300 → */5 * * * *, 86400 → 0 0 * * *. Any other value F: the CronJob runs every P, the longest of those periods not over F whose multiple k·P (k = ⌈F/P⌉) is at most 1.1·F (else every minute), and a run prunes only when the last successful prune started at least k·P − P/2 ago (flotilla-hook --min-interval; the start is recorded in FlowDB's cache.cache_config, key flotilla_last_prune), so prunes come k·P apart, within 10% above F: 5400 → every 30 min, pruning every third run; 100000 → every 6 h, pruning every fifth run (30 h). The P/2 margin absorbs the CronJob's start delays.
	Frequency int `json:"frequency" jsonschema:"minimum=60"`
	// Seconds a prune may run before it is cancelled on the server (FLOWMACHINE_CACHE_PRUNING_TIMEOUT); the Job's deadline is this plus 60.
	Timeout int `json:"timeout" jsonschema:"minimum=1,maximum=86400"`
	// Also remove every cache entry computed from a removed one (--cascade). FlowMachine's own pruner does not cascade.
	Cascade bool `json:"cascade"`
}

// Defaults returns the chart's default values.
func Defaults() Values {
	pg := func(name string, enabled bool) cv.PostgreSQL {
		p := cv.DefaultPostgreSQL(name)
		p.Enabled = enabled
		return p
	}
	ext := func(name string) ExternalDatabase {
		return ExternalDatabase{Port: 5432, Name: name, Username: name, ExistingSecretPasswordKey: "password"}
	}
	r := cv.DefaultRedis()
	redis := Redis{Enabled: true, Image: r.Image, Auth: r.Auth, Persistence: r.Persistence, Resources: r.Resources,
		External: ExternalRedis{Port: r.External.Port, ExistingSecretPasswordKey: r.External.ExistingSecretPasswordKey}}
	h := cv.DefaultHook()
	return Values{
		Common:   cv.DefaultCommon(1000),
		Scenario: "full",
		FlowDB: FlowDB{
			Image: cv.Image{Repository: "docker.io/flowminder/flowdb", PullPolicy: "IfNotPresent"},
			Auth: FlowDBAuth{
				ExistingSecretPostgresPasswordKey:    "postgres-password",
				ExistingSecretFlowmachinePasswordKey: "flowmachine-password",
				ExistingSecretFlowapiPasswordKey:     "flowapi-password",
			},
			FlowMachineUser: "flowmachine",
			FlowAPIUser:     "flowapi",
			ShmSize:         "1Gi",
			Persistence:     cv.DataVolume{Enabled: true, Size: "50Gi"},
			UID:             999,
			GID:             999,
			Resources:       cv.Resources{},
			ExtraEnv:        []cv.EnvVar{},
		},
		FlowETL: FlowETL{
			Image:            cv.Image{Repository: "docker.io/flowminder/flowetl", PullPolicy: "IfNotPresent"},
			Port:             8080,
			AdminUsername:    "admin",
			Auth:             FlowETLAuth{ExistingSecretFernetKeyKey: "fernet-key", ExistingSecretAdminPasswordKey: "admin-password"},
			PostgreSQL:       pg("flowetl", true),
			ExternalDatabase: ext("flowetl"),
			UID:              50000,
			GID:              0,
			Resources:        cv.Resources{},
			ExtraEnv:         []cv.EnvVar{},
			Ingress:          cv.DefaultIngress(),
			HTTPRoute:        cv.DefaultHTTPRoute(),
		},
		FlowMachine: FlowMachine{
			Image:                    cv.Image{Repository: "docker.io/flowminder/flowmachine", PullPolicy: "IfNotPresent"},
			ReplicaCount:             1,
			Port:                     5555,
			LogLevel:                 "error",
			DBConnectionPoolSize:     5,
			DBConnectionPoolOverflow: 1,
			Resources:                cv.Resources{},
			ExtraEnv:                 []cv.EnvVar{},
		},
		Redis: redis,
		FlowAPI: FlowAPI{
			Image:        cv.Image{Repository: "docker.io/flowminder/flowapi", PullPolicy: "IfNotPresent"},
			ReplicaCount: 1,
			LogLevel:     "error",
			Identifier:   Identifier{ExistingSecretKey: "flowapi-identifier"},
			Resources:    cv.Resources{},
			ExtraEnv:     []cv.EnvVar{},
		},
		FlowAuth: FlowAuth{
			Image:         cv.Image{Repository: "docker.io/flowminder/flowauth", PullPolicy: "IfNotPresent"},
			ReplicaCount:  1,
			Port:          80,
			AdminUsername: "admin",
			Auth: FlowAuthAuth{
				ExistingSecretFernetKeyKey:     "fernet-key",
				ExistingSecretSecretKeyKey:     "secret-key",
				ExistingSecretAdminPasswordKey: "admin-password",
			},
			PostgreSQL:       pg("flowauth", true),
			ExternalDatabase: ext("flowauth"),
			CacheBackend:     "file",
			CacheFile:        "/dev/shm/flowauth_last_used_cache",
			RedisDB:          1,
			TwoFactorIssuer:  "FlowAuth",
			Resources:        cv.Resources{},
			ExtraEnv:         []cv.EnvVar{},
			Ingress:          cv.DefaultIngress(),
			HTTPRoute:        cv.DefaultHTTPRoute(),
		},
		JWT: JWT{ExistingSecretPrivateKeyKey: "private-key", ExistingSecretPublicKeyKey: "public-key"},
		AutoFlow: AutoFlow{
			Image:                  cv.Image{Repository: "docker.io/flowminder/autoflow", PullPolicy: "IfNotPresent"},
			ExistingSecretTokenKey: "flowapi-token",
			PostgreSQL:             pg("autoflow", true),
			LogLevel:               "ERROR",
			Resources:              cv.Resources{},
			ExtraEnv:               []cv.EnvVar{},
		},
		Cache: Cache{
			Pruning: Pruning{Enabled: true, Frequency: 86400, Timeout: 600},
			Jobs:    CacheJobs{Enabled: true, Timeout: 600},
		},
		Service:   cv.Service{Type: "ClusterIP", Port: 9090, Annotations: map[string]string{}, IPFamilies: []string{}},
		Ingress:   cv.DefaultIngress(),
		HTTPRoute: cv.DefaultHTTPRoute(),
		Tests:     cv.Tests{Enabled: true},
		Hook:      Hook{Enabled: h.Enabled, Image: h.Image, Timeout: h.Timeout, BackoffLimit: h.BackoffLimit, Resources: h.Resources},
		Backup:    Backup{Backup: cv.DefaultBackup(), Databases: []string{"flowdb", "flowetl", "flowauth", "autoflow"}},
		Status:    cv.DefaultStatus(),
	}
}

// SecretKeys: FlowDB initialises its three roles with these passwords (URL-safe: FlowETL puts them in connection URLs).
func (FlowDBAuth) SecretKeys() []cv.SecretKey {
	return cv.RandomKeys(40,
		"existingSecretPostgresPasswordKey", "POSTGRES_PASSWORD",
		"existingSecretFlowmachinePasswordKey", "FLOWMACHINE_FLOWDB_PASSWORD",
		"existingSecretFlowapiPasswordKey", "FLOWAPI_FLOWDB_PASSWORD")
}

// SecretKeys declares FlowETL's Airflow secrets.
func (FlowETLAuth) SecretKeys() []cv.SecretKey {
	return []cv.SecretKey{
		{Secret: "existingSecret", Key: "existingSecretFernetKeyKey", Use: "AIRFLOW__CORE__FERNET_KEY", Shape: cv.Fernet},
		{Secret: "existingSecret", Key: "existingSecretAdminPasswordKey", Use: "FLOWETL_AIRFLOW_ADMIN_PASSWORD", Shape: cv.Random(40)},
	}
}

// SecretKeys: an external database already has its password.
func (ExternalDatabase) SecretKeys() []cv.SecretKey {
	return []cv.SecretKey{{Secret: "existingSecret", Key: "existingSecretPasswordKey", Use: "password of the external database",
		Shape: cv.Provided("the password of the user on your database")}}
}

// SecretKeys declares FLOWAPI_IDENTIFIER.
func (Identifier) SecretKeys() []cv.SecretKey {
	return []cv.SecretKey{{Secret: "existingSecret", Key: "existingSecretKey", Use: "FLOWAPI_IDENTIFIER", Shape: cv.Random(24)}}
}

// SecretKeys: FlowAPI's certificate comes from a CA (or cert-manager); AutoFlow trusts its tls.crt.
func (TLS) SecretKeys() []cv.SecretKey {
	return []cv.SecretKey{
		{Secret: "existingSecret", FixedKey: "tls.crt", Type: "kubernetes.io/tls", Use: "FlowAPI's certificate",
			Shape: cv.Provided("FlowAPI's PEM certificate chain (or create the Secret with kubectl create secret tls, or cert-manager)")},
		{Secret: "existingSecret", FixedKey: "tls.key", Type: "kubernetes.io/tls", Use: "FlowAPI's private key",
			Shape: cv.Provided("the PEM private key of that certificate")},
	}
}

// SecretKeys declares FlowAuth's secrets.
func (FlowAuthAuth) SecretKeys() []cv.SecretKey {
	return []cv.SecretKey{
		{Secret: "existingSecret", Key: "existingSecretFernetKeyKey", Use: "FLOWAUTH_FERNET_KEY", Shape: cv.Fernet},
		{Secret: "existingSecret", Key: "existingSecretSecretKeyKey", Use: "SECRET_KEY", Shape: cv.Random(64)},
		{Secret: "existingSecret", Key: "existingSecretAdminPasswordKey", Use: "FLOWAUTH_ADMIN_PASSWORD", Shape: cv.Random(40)},
	}
}

// SecretKeys declares the FlowAuth/FlowAPI key pair: one RSA key and its public half.
func (JWT) SecretKeys() []cv.SecretKey {
	return []cv.SecretKey{
		{Secret: "existingSecret", Key: "existingSecretPrivateKeyKey", Use: "PRIVATE_JWT_SIGNING_KEY", Shape: cv.RSAPrivateKey},
		{Secret: "existingSecret", Key: "existingSecretPublicKeyKey", Use: "PUBLIC_JWT_SIGNING_KEY", Shape: cv.RSAPublicKey},
	}
}

// SecretKeys: FlowAuth issues AutoFlow's token after install.
func (AutoFlow) SecretKeys() []cv.SecretKey {
	return []cv.SecretKey{{Secret: "existingSecret", Key: "existingSecretTokenKey", Use: "FLOWAPI_TOKEN",
		Shape: cv.Provided("a FlowAPI token issued by FlowAuth (sign in to FlowAuth after install, create one, then replace this value)")}}
}
