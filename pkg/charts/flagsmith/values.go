package flagsmith

import cv "github.com/flotilla/flotilla/pkg/chartvalues"

// Values of the Flagsmith chart.
type Values struct {
	// Root values every Flotilla chart shares (names, ServiceAccount, PDB, security contexts, scheduling).
	cv.Common
	// Topology of the release.
	Architecture Architecture `json:"architecture"`
	// The Flagsmith API (Django, gunicorn on port 8000).
	API API `json:"api"`
	// The Flagsmith dashboard (Node server on port 8080); it proxies /api/v1/ to the API Service.
	Frontend Frontend `json:"frontend"`
	// Task processor pods (queue mode): they run the API's asynchronous tasks.
	TaskProcessor TaskProcessor `json:"taskProcessor"`
	// Database migrations (`migrate`), run before a new version serves.
	Migration Migration `json:"migration"`
	// DJANGO_SECRET_KEY (signs sessions and tokens).
	Auth Auth `json:"auth"`
	// Which PostgreSQL Flagsmith uses.
	Database Database `json:"database"`
	// The bundled PostgreSQL (the chart's own StatefulSet on the official postgres image).
	PostgreSQL cv.PostgreSQL `json:"postgresql"`
	// PgBouncer connection pooler between Flagsmith and PostgreSQL (migrations bypass it).
	PgBouncer PgBouncer `json:"pgbouncer"`
	// Optional Redis cache for the environment, segment and throttle caches: the bundled one (redis.enabled) or an external one (redis.external.host). Neither: in-process caches.
	Redis cv.Redis `json:"redis"`
	// Optional InfluxDB 2 for API usage and flag analytics: bundled (influxdb.enabled) or external (influxdb.external.url).
	InfluxDB InfluxDB `json:"influxdb"`
	// Anonymous usage telemetry Flagsmith sends to flagsmith.com.
	Telemetry Telemetry `json:"telemetry"`
	// Outgoing email (invites, password resets).
	Email Email `json:"email"`
	// OAuth sign-in providers.
	OAuth OAuth `json:"oauth"`
	// Django static files on S3 instead of the image (served by WhiteNoise by default).
	StaticFiles StaticFiles `json:"staticFiles"`
	// Service in front of the API pods.
	Service cv.Service `json:"service"`
	// Ingress to the API Service.
	Ingress cv.Ingress `json:"ingress"`
	// Gateway API HTTPRoute to the API Service.
	HTTPRoute cv.HTTPRoute `json:"httpRoute"`
	// Prometheus Operator ServiceMonitor scraping /metrics of the API and task processor.
	ServiceMonitor cv.ServiceMonitor `json:"serviceMonitor"`
	// The `helm test` pod that calls the API health endpoint.
	Tests cv.Tests `json:"tests"`
	// flotilla-hook: API and task processor pods wait for the bundled PostgreSQL before migrating or serving.
	Hook Hook `json:"hook"`
	// Scheduled pg_dump of Flagsmith's PostgreSQL (bundled or external) to S3, and restore mode.
	Backup cv.Backup `json:"backup"`
	// Status endpoint of the release (after Flynn's): a Deployment running flotilla-hook status serve, answering 200 or 500 with JSON naming each component; a key from outside private networks.
	Status cv.Status `json:"status"`
}

// Hook configures the flotilla-hook init container of the API and task processor pods.
type Hook struct {
	// Wait for the bundled PostgreSQL with flotilla-hook (db wait) in an init container. Flagsmith's own wait gives up after a few seconds, so a fresh install would otherwise restart pods until the database is up.
	Enabled bool `json:"enabled"`
	// flotilla-hook image.
	Image cv.Image `json:"image"`
	// How long flotilla-hook waits for the database (Go duration, e.g. 5m).
	Timeout string `json:"timeout" jsonschema:"pattern=^([0-9]+(ms|s|m|h))+$"`
	// CPU/memory requests and limits of the flotilla-hook container.
	Resources cv.Resources `json:"resources"`
}

// Architecture selects the topology.
type Architecture struct {
	// standalone: the API runs asynchronous tasks in-process (TASK_RUN_METHOD=SEPARATE_THREAD). queue: a task-processor Deployment runs them (TASK_RUN_METHOD=TASK_PROCESSOR).
	Mode string `json:"mode" jsonschema:"enum=standalone,enum=queue"`
}

// API configures the Django API Deployment.
type API struct {
	// Flagsmith API image (flagsmith-api; the unified flagsmith image works too).
	Image cv.Image `json:"image"`
	// API replicas (ignored when api.autoscaling.enabled).
	ReplicaCount int `json:"replicaCount" jsonschema:"minimum=1"`
	// Host names Django answers (DJANGO_ALLOWED_HOSTS). Kubernetes probes call the pod IP, so keep "*" unless a proxy rewrites Host.
	AllowedHosts []string `json:"allowedHosts" jsonschema:"minItems=1"`
	// Origins trusted for CSRF (DJANGO_CSRF_TRUSTED_ORIGINS), e.g. https://flagsmith.example.com. Empty: the frontend Ingress hosts, else the frontend HTTPRoute host names.
	CSRFTrustedOrigins []string `json:"csrfTrustedOrigins"`
	// Public URL of the dashboard used in emails (FLAGSMITH_DOMAIN, a host name). Empty: the first frontend Ingress host or HTTPRoute host name.
	Domain string `json:"domain"`
	// Log level (LOG_LEVEL).
	LogLevel string `json:"logLevel" jsonschema:"enum=DEBUG,enum=INFO,enum=WARNING,enum=ERROR,enum=CRITICAL"`
	// Log format (LOG_FORMAT).
	LogFormat string `json:"logFormat" jsonschema:"enum=generic,enum=json"`
	// gunicorn worker processes per pod (GUNICORN_WORKERS).
	GunicornWorkers int `json:"gunicornWorkers" jsonschema:"minimum=1"`
	// Extra environment variables for the API and task processor (Kubernetes EnvVar objects).
	ExtraEnv []cv.EnvVar `json:"extraEnv"`
	// CPU/memory requests and limits of the API container.
	Resources cv.Resources `json:"resources"`
	// Probes of the API container: liveness GET /health/liveness/, readiness and startup GET /health/readiness/ (database reachable).
	Probes cv.Probes `json:"probes"`
	// HorizontalPodAutoscaler of the API.
	Autoscaling cv.Autoscaling `json:"autoscaling"`
}

// Frontend configures the dashboard Deployment.
type Frontend struct {
	// Run the dashboard. Off: only the API is deployed; with the unified docker.io/flagsmith/flagsmith image as api.image the API serves the dashboard and gets the Flagsmith-on-Flagsmith settings below.
	Enabled bool `json:"enabled"`
	// Flagsmith frontend image.
	Image cv.Image `json:"image"`
	// Frontend replicas.
	ReplicaCount int `json:"replicaCount" jsonschema:"minimum=1"`
	// Optional Flagsmith-on-Flagsmith: a Flagsmith project whose flags switch dashboard features.
	FlagsmithOnFlagsmith FlagsmithOnFlagsmith `json:"flagsmithOnFlagsmith"`
	// Extra environment variables for the frontend (Kubernetes EnvVar objects).
	ExtraEnv []cv.EnvVar `json:"extraEnv"`
	// CPU/memory requests and limits of the frontend container.
	Resources cv.Resources `json:"resources"`
	// Probes of the frontend container (GET /health).
	Probes cv.Probes `json:"probes"`
	// Service in front of the frontend pods.
	Service cv.Service `json:"service"`
	// Ingress to the frontend Service (the dashboard; it also proxies /api/v1/ to the API).
	Ingress cv.Ingress `json:"ingress"`
	// Gateway API HTTPRoute to the frontend Service.
	HTTPRoute cv.HTTPRoute `json:"httpRoute"`
}

// FlagsmithOnFlagsmith points the dashboard at a Flagsmith project controlling its features.
type FlagsmithOnFlagsmith struct {
	// Client-side environment key of that project (FLAGSMITH_ON_FLAGSMITH_API_KEY; also set as the legacy FLAGSMITH). Empty: off.
	APIKey string `json:"apiKey"`
	// API URL of that project's Flagsmith, e.g. https://flagsmith.example.com/api/v1/ (FLAGSMITH_ON_FLAGSMITH_API_URL; also set as the legacy FLAGSMITH_CLIENT_API).
	APIURL string `json:"apiUrl" jsonschema:"pattern=^(https?://.+)?$"`
}

// TaskProcessor configures the task-processor Deployment (queue mode).
type TaskProcessor struct {
	// Task processor replicas (ignored when taskProcessor.autoscaling.enabled).
	ReplicaCount int `json:"replicaCount" jsonschema:"minimum=1"`
	// Threads per processor (TASK_PROCESSOR_NUM_THREADS).
	NumThreads int `json:"numThreads" jsonschema:"minimum=1"`
	// Milliseconds between queue polls (TASK_PROCESSOR_SLEEP_INTERVAL_MS).
	SleepIntervalMs int `json:"sleepIntervalMs" jsonschema:"minimum=1"`
	// Tasks taken from the queue at once (TASK_PROCESSOR_QUEUE_POP_SIZE).
	QueuePopSize int `json:"queuePopSize" jsonschema:"minimum=1"`
	// Extra environment variables for the task processor only (Kubernetes EnvVar objects).
	ExtraEnv []cv.EnvVar `json:"extraEnv"`
	// CPU/memory requests and limits of the task processor container.
	Resources cv.Resources `json:"resources"`
	// Probes of the task processor (its own gunicorn on port 8000: GET /health/liveness/ and /health/readiness/).
	Probes cv.Probes `json:"probes"`
	// HorizontalPodAutoscaler of the task processor.
	Autoscaling cv.Autoscaling `json:"autoscaling"`
}

// Migration configures how `migrate` runs.
type Migration struct {
	// auto: a pre-install,pre-upgrade Job for an external database; an init container of the API pods for the bundled one (it does not exist yet when pre-install hooks run). job or initContainer force a choice (job needs an external database).
	Mode string `json:"mode" jsonschema:"enum=auto,enum=job,enum=initContainer"`
	// Retries of the migration Job.
	BackoffLimit int `json:"backoffLimit" jsonschema:"minimum=0"`
	// Deadline of the migration Job in seconds.
	ActiveDeadlineSeconds int `json:"activeDeadlineSeconds" jsonschema:"minimum=1"`
	// CPU/memory requests and limits of the migration container.
	Resources cv.Resources `json:"resources"`
}

// Auth names the Secret holding DJANGO_SECRET_KEY.
type Auth struct {
	// Existing Secret holding DJANGO_SECRET_KEY. Empty: the chart creates one with a random key once and keeps it across upgrades and reinstalls (helm.sh/resource-policy: keep).
	ExistingSecret string `json:"existingSecret"`
	// Key of DJANGO_SECRET_KEY in existingSecret.
	ExistingSecretSecretKeyKey string `json:"existingSecretSecretKeyKey" jsonschema:"minLength=1"`
}

// Database selects Flagsmith's PostgreSQL.
type Database struct {
	// auto: the bundled PostgreSQL when postgresql.enabled, else the external one. postgresql or external force a choice.
	Mode string `json:"mode" jsonschema:"enum=auto,enum=postgresql,enum=external"`
	// External PostgreSQL settings.
	External ExternalDatabase `json:"external"`
}

// ExternalDatabase points Flagsmith at a PostgreSQL the chart does not manage.
type ExternalDatabase struct {
	// Host name of the external PostgreSQL.
	Host string `json:"host"`
	// Port of the external PostgreSQL.
	Port int `json:"port" jsonschema:"minimum=1,maximum=65535"`
	// Database name.
	Name string `json:"name" jsonschema:"minLength=1"`
	// User name.
	Username string `json:"username" jsonschema:"minLength=1"`
	// Password (prefer existingSecret).
	Password string `json:"password"`
	// Existing Secret with the database password.
	ExistingSecret string `json:"existingSecret"`
	// Key of the password in existingSecret.
	ExistingSecretPasswordKey string `json:"existingSecretPasswordKey" jsonschema:"minLength=1"`
	// Existing Secret holding a complete DATABASE_URL (postgres://user:pass@host:5432/db?sslmode=require); it replaces host, port, name, username and password. Not combinable with pgbouncer.
	URLExistingSecret string `json:"urlExistingSecret"`
	// Key of the URL in urlExistingSecret.
	URLExistingSecretKey string `json:"urlExistingSecretKey" jsonschema:"minLength=1"`
}

// PgBouncer configures the optional connection pooler.
type PgBouncer struct {
	// Deploy PgBouncer and point the API and task processor at it.
	Enabled bool `json:"enabled"`
	// PgBouncer image (edoburu/pgbouncer: configured from DB_* environment variables).
	Image cv.Image `json:"image"`
	// PgBouncer replicas.
	ReplicaCount int `json:"replicaCount" jsonschema:"minimum=1"`
	// Pool mode. Django keeps session state, so keep session unless you know otherwise.
	PoolMode string `json:"poolMode" jsonschema:"enum=session,enum=transaction"`
	// Maximum client connections (MAX_CLIENT_CONN).
	MaxClientConn int `json:"maxClientConn" jsonschema:"minimum=1"`
	// Server connections per database/user pair (DEFAULT_POOL_SIZE).
	DefaultPoolSize int `json:"defaultPoolSize" jsonschema:"minimum=1"`
	// CPU/memory requests and limits of PgBouncer.
	Resources cv.Resources `json:"resources"`
}

// InfluxDB configures analytics storage.
type InfluxDB struct {
	// Deploy the bundled InfluxDB 2 (official image), set up with the org, both buckets and the downsampling task.
	Enabled bool `json:"enabled"`
	// InfluxDB image (the official influxdb 2.x image).
	Image cv.Image `json:"image"`
	// Organisation created at setup (INFLUXDB_ORG).
	Org string `json:"org" jsonschema:"minLength=1"`
	// Bucket the API writes raw usage to (INFLUXDB_BUCKET).
	Bucket string `json:"bucket" jsonschema:"minLength=1"`
	// Bucket the 15-minute downsampling task writes to; Flagsmith reads usage charts from it.
	DownsampledBucket string `json:"downsampledBucket" jsonschema:"minLength=1"`
	// Retention of the raw bucket (InfluxDB duration, e.g. 30d); empty keeps data forever.
	Retention string `json:"retention" jsonschema:"pattern=^([0-9]+(s|m|h|d|w))*$"`
	// Admin credentials of the bundled InfluxDB.
	Auth InfluxDBAuth `json:"auth"`
	// Data volume of the bundled InfluxDB.
	Persistence cv.DataVolume `json:"persistence"`
	// CPU/memory requests and limits of InfluxDB.
	Resources cv.Resources `json:"resources"`
	// An external InfluxDB 2, used when influxdb.enabled is false and url is set. Create both buckets and the downsampling task there yourself (README).
	External ExternalInfluxDB `json:"external"`
}

// InfluxDBAuth holds the bundled InfluxDB's admin credentials.
type InfluxDBAuth struct {
	// Admin user created at setup.
	Username string `json:"username" jsonschema:"minLength=1"`
	// Existing Secret with the admin password and token. Empty: both generated once and kept.
	ExistingSecret string `json:"existingSecret"`
	// Key of the admin password in existingSecret.
	ExistingSecretPasswordKey string `json:"existingSecretPasswordKey" jsonschema:"minLength=1"`
	// Key of the admin token in existingSecret (the API uses it as INFLUXDB_TOKEN).
	ExistingSecretTokenKey string `json:"existingSecretTokenKey" jsonschema:"minLength=1"`
}

// ExternalInfluxDB points Flagsmith at an InfluxDB 2 the chart does not manage.
type ExternalInfluxDB struct {
	// URL of the external InfluxDB (INFLUXDB_URL), e.g. https://influx.example.com.
	URL string `json:"url" jsonschema:"pattern=^(https?://.+)?$"`
	// Existing Secret with a token that writes influxdb.bucket and reads influxdb.downsampledBucket.
	ExistingSecret string `json:"existingSecret"`
	// Key of the token in existingSecret.
	ExistingSecretTokenKey string `json:"existingSecretTokenKey" jsonschema:"minLength=1"`
}

// Telemetry configures Flagsmith's self-hosted telemetry.
type Telemetry struct {
	// Send anonymous usage counts to Flagsmith (ENABLE_TELEMETRY; off also sets TELEMETRY_DISABLED).
	Enabled bool `json:"enabled"`
}

// Email configures outgoing email.
type Email struct {
	// none: emails are written to the log (console backend). sendgrid or smtp send them.
	Backend string `json:"backend" jsonschema:"enum=none,enum=sendgrid,enum=smtp"`
	// Sender address (SENDER_EMAIL).
	SenderEmail string `json:"senderEmail"`
	// SendGrid settings.
	SendGrid SendGrid `json:"sendgrid"`
	// SMTP settings.
	SMTP SMTP `json:"smtp"`
}

// SendGrid configures the SendGrid email backend.
type SendGrid struct {
	// Existing Secret with the SendGrid API key (SENDGRID_API_KEY).
	ExistingSecret string `json:"existingSecret"`
	// Key of the API key in existingSecret.
	ExistingSecretAPIKeyKey string `json:"existingSecretApiKeyKey" jsonschema:"minLength=1"`
}

// SMTP configures the SMTP email backend.
type SMTP struct {
	// SMTP host (EMAIL_HOST).
	Host string `json:"host"`
	// SMTP port (EMAIL_PORT).
	Port int `json:"port" jsonschema:"minimum=1,maximum=65535"`
	// SMTP user (EMAIL_HOST_USER).
	Username string `json:"username"`
	// Use STARTTLS (EMAIL_USE_TLS).
	UseTLS bool `json:"useTls"`
	// Existing Secret with the SMTP password (EMAIL_HOST_PASSWORD).
	ExistingSecret string `json:"existingSecret"`
	// Key of the password in existingSecret.
	ExistingSecretPasswordKey string `json:"existingSecretPasswordKey" jsonschema:"minLength=1"`
}

// OAuth configures sign-in providers.
type OAuth struct {
	// GitHub sign-in (GITHUB_CLIENT_ID / GITHUB_CLIENT_SECRET). Google sign-in needs no API secret: it is switched on by the oauth_google flag of Flagsmith-on-Flagsmith.
	GitHub GitHubOAuth `json:"github"`
}

// GitHubOAuth holds a GitHub OAuth app's credentials.
type GitHubOAuth struct {
	// OAuth app client ID. Empty: GitHub sign-in off.
	ClientID string `json:"clientId"`
	// Existing Secret with the client secret.
	ExistingSecret string `json:"existingSecret"`
	// Key of the client secret in existingSecret.
	ExistingSecretClientSecretKey string `json:"existingSecretClientSecretKey" jsonschema:"minLength=1"`
}

// StaticFiles configures Django static files on S3.
type StaticFiles struct {
	// Static files storage: s3 (USE_S3_STORAGE) or local (in the image, served by WhiteNoise).
	S3 S3StaticFiles `json:"s3"`
}

// S3StaticFiles configures the S3 bucket for static files.
type S3StaticFiles struct {
	// Store static files on S3.
	Enabled bool `json:"enabled"`
	// Bucket name (AWS_STORAGE_BUCKET_NAME).
	BucketName string `json:"bucketName"`
	// Region (AWS_S3_REGION_NAME).
	Region string `json:"region" jsonschema:"minLength=1"`
	// Existing Secret with AWS credentials. Empty: no static keys (e.g. IAM roles for service accounts).
	ExistingSecret string `json:"existingSecret"`
	// Key of the access key ID in existingSecret.
	ExistingSecretAccessKeyIDKey string `json:"existingSecretAccessKeyIdKey" jsonschema:"minLength=1"`
	// Key of the secret access key in existingSecret.
	ExistingSecretSecretAccessKeyKey string `json:"existingSecretSecretAccessKeyKey" jsonschema:"minLength=1"`
}

// Defaults returns the chart's default values.
func Defaults() Values {
	apiProbes := cv.DefaultProbes()
	tpProbes := cv.DefaultProbes()
	tpProbes.Startup.FailureThreshold = 120 // it waits for the API's migrations before it serves
	feProbes := cv.DefaultProbes()
	feProbes.Startup.FailureThreshold = 30
	redis := cv.DefaultRedis()
	return Values{
		Common:       cv.DefaultCommon(65534),
		Architecture: Architecture{Mode: "standalone"},
		API: API{
			Image:              cv.Image{Repository: "docker.io/flagsmith/flagsmith-api", PullPolicy: "IfNotPresent"},
			ReplicaCount:       1,
			AllowedHosts:       []string{"*"},
			CSRFTrustedOrigins: []string{},
			LogLevel:           "WARNING",
			LogFormat:          "generic",
			GunicornWorkers:    3,
			ExtraEnv:           []cv.EnvVar{},
			Resources:          cv.Resources{},
			Probes:             apiProbes,
			Autoscaling:        cv.DefaultAutoscaling(),
		},
		Frontend: Frontend{
			Enabled:      true,
			Image:        cv.Image{Repository: "docker.io/flagsmith/flagsmith-frontend", PullPolicy: "IfNotPresent"},
			ReplicaCount: 1,
			ExtraEnv:     []cv.EnvVar{},
			Resources:    cv.Resources{},
			Probes:       feProbes,
			Service:      cv.Service{Type: "ClusterIP", Port: 8080, Annotations: map[string]string{}, IPFamilies: []string{}},
			Ingress:      cv.DefaultIngress(),
			HTTPRoute:    cv.DefaultHTTPRoute(),
		},
		TaskProcessor: TaskProcessor{
			ReplicaCount: 1, NumThreads: 5, SleepIntervalMs: 500, QueuePopSize: 10,
			ExtraEnv: []cv.EnvVar{}, Resources: cv.Resources{}, Probes: tpProbes,
			Autoscaling: cv.DefaultAutoscaling(),
		},
		Migration: Migration{Mode: "auto", BackoffLimit: 3, ActiveDeadlineSeconds: 900, Resources: cv.Resources{}},
		Auth:      Auth{ExistingSecretSecretKeyKey: "django-secret-key"},
		Database: Database{
			Mode: "auto",
			External: ExternalDatabase{
				Port: 5432, Name: "flagsmith", Username: "flagsmith",
				ExistingSecretPasswordKey: "password", URLExistingSecretKey: "database-url",
			},
		},
		PostgreSQL: func() cv.PostgreSQL { p := cv.DefaultPostgreSQL("flagsmith"); p.Enabled = true; return p }(),
		PgBouncer: PgBouncer{
			Image:        cv.Image{Repository: "docker.io/edoburu/pgbouncer", Tag: "v1.25.1-p0", PullPolicy: "IfNotPresent"},
			ReplicaCount: 1, PoolMode: "session", MaxClientConn: 1000, DefaultPoolSize: 20,
			Resources: cv.Resources{},
		},
		Redis: redis,
		InfluxDB: InfluxDB{
			Image:             cv.Image{Repository: "docker.io/library/influxdb", Tag: "2.7", PullPolicy: "IfNotPresent"},
			Org:               "flagsmith",
			Bucket:            "flagsmith_api",
			DownsampledBucket: "flagsmith_api_downsampled_15m",
			Auth:              InfluxDBAuth{Username: "admin", ExistingSecretPasswordKey: "admin-password", ExistingSecretTokenKey: "admin-token"},
			Persistence:       cv.DataVolume{Enabled: true, Size: "10Gi"},
			Resources:         cv.Resources{},
			External:          ExternalInfluxDB{ExistingSecretTokenKey: "admin-token"},
		},
		Email: Email{
			Backend:     "none",
			SenderEmail: "noreply@flagsmith.com",
			SendGrid:    SendGrid{ExistingSecretAPIKeyKey: "sendgrid-api-key"},
			SMTP:        SMTP{Port: 587, UseTLS: true, ExistingSecretPasswordKey: "password"},
		},
		OAuth: OAuth{GitHub: GitHubOAuth{ExistingSecretClientSecretKey: "client-secret"}},
		StaticFiles: StaticFiles{S3: S3StaticFiles{
			Region: "us-east-1", ExistingSecretAccessKeyIDKey: "access-key-id", ExistingSecretSecretAccessKeyKey: "secret-access-key",
		}},
		Service:        cv.Service{Type: "ClusterIP", Port: 8000, Annotations: map[string]string{}, IPFamilies: []string{}},
		Ingress:        cv.DefaultIngress(),
		HTTPRoute:      cv.DefaultHTTPRoute(),
		ServiceMonitor: cv.ServiceMonitor{Labels: map[string]string{}},
		Tests:          cv.Tests{Enabled: true},
		Hook: func() Hook {
			h := cv.DefaultHook()
			return Hook{Enabled: true, Image: h.Image, Timeout: h.Timeout, Resources: h.Resources}
		}(),
		Backup: cv.DefaultBackup(),
		Status: cv.DefaultStatus(),
	}
}

// SecretKeys declares DJANGO_SECRET_KEY.
func (Auth) SecretKeys() []cv.SecretKey {
	return []cv.SecretKey{{Secret: "existingSecret", Key: "existingSecretSecretKeyKey", Use: "DJANGO_SECRET_KEY", Shape: cv.Random(50)}}
}

// SecretKeys: the external database already has its password (or a whole URL).
func (ExternalDatabase) SecretKeys() []cv.SecretKey {
	return []cv.SecretKey{
		{Secret: "existingSecret", Key: "existingSecretPasswordKey", Inline: "password", Use: "DATABASE_PASSWORD",
			Shape: cv.Provided("the password of database.external.username on your PostgreSQL")},
		{Secret: "urlExistingSecret", Key: "urlExistingSecretKey", Use: "DATABASE_URL",
			Shape: cv.Provided("postgres://USER:PASSWORD@HOST:5432/DB?sslmode=require for your PostgreSQL")},
	}
}

// SecretKeys: the bundled InfluxDB is set up with these credentials at first start.
func (InfluxDBAuth) SecretKeys() []cv.SecretKey {
	return []cv.SecretKey{
		{Secret: "existingSecret", Key: "existingSecretPasswordKey", Use: "DOCKER_INFLUXDB_INIT_PASSWORD", Shape: cv.Random(32)},
		{Secret: "existingSecret", Key: "existingSecretTokenKey", Use: "DOCKER_INFLUXDB_INIT_ADMIN_TOKEN, INFLUXDB_TOKEN", Shape: cv.Random(64)},
	}
}

// SecretKeys: an external InfluxDB issues its own tokens.
func (ExternalInfluxDB) SecretKeys() []cv.SecretKey {
	return []cv.SecretKey{{Secret: "existingSecret", Key: "existingSecretTokenKey", Use: "INFLUXDB_TOKEN",
		Shape: cv.Provided("an InfluxDB token that writes influxdb.bucket and reads influxdb.downsampledBucket")}}
}

// SecretKeys: SendGrid issues the API key.
func (SendGrid) SecretKeys() []cv.SecretKey {
	return []cv.SecretKey{{Secret: "existingSecret", Key: "existingSecretApiKeyKey", Use: "SENDGRID_API_KEY",
		Shape: cv.Provided("your SendGrid API key")}}
}

// SecretKeys: the SMTP server has its password.
func (SMTP) SecretKeys() []cv.SecretKey {
	return []cv.SecretKey{{Secret: "existingSecret", Key: "existingSecretPasswordKey", Use: "EMAIL_HOST_PASSWORD",
		Shape: cv.Provided("the password of email.smtp.username on your SMTP server")}}
}

// SecretKeys: GitHub issues the OAuth app's client secret.
func (GitHubOAuth) SecretKeys() []cv.SecretKey {
	return []cv.SecretKey{{Secret: "existingSecret", Key: "existingSecretClientSecretKey", Use: "GITHUB_CLIENT_SECRET",
		Shape: cv.Provided("the client secret of your GitHub OAuth app")}}
}

// SecretKeys: AWS issues the credentials.
func (S3StaticFiles) SecretKeys() []cv.SecretKey {
	return cv.S3CredentialKeys("AWS", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
}
