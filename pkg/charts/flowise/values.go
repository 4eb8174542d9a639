package flowise

import cv "github.com/flotilla/flotilla/pkg/chartvalues"

// Values of the Flowise chart. Keys follow the Flowise chart reference users already know.
type Values struct {
	// Root values every Flotilla chart shares (names, ServiceAccount, PDB, security contexts, scheduling).
	cv.Common
	// Topology of the release.
	Architecture Architecture `json:"architecture"`
	// Flowise image.
	Image cv.Image `json:"image"`
	// Flowise server settings.
	Flowise Flowise `json:"flowise"`
	// The five Flowise auth secrets.
	Auth Auth `json:"auth"`
	// Which database Flowise uses.
	Database Database `json:"database"`
	// The bundled PostgreSQL (the chart's own StatefulSet on the official postgres image).
	PostgreSQL cv.PostgreSQL `json:"postgresql"`
	// The bundled Redis, or an external one (queue mode).
	Redis cv.Redis `json:"redis"`
	// BullMQ queue and worker pods (queue mode).
	Queue Queue `json:"queue"`
	// Blob storage for uploads and files.
	Storage Storage `json:"storage"`
	// Certificates for services behind a private CA (PostgreSQL, Redis, S3, LLM endpoints).
	TLS TLS `json:"tls"`
	// Data volume of the main pod (standalone): SQLite file, local blobs, logs.
	Persistence cv.Persistence `json:"persistence"`
	// Service in front of the main pods.
	Service cv.Service `json:"service"`
	// Ingress to the main pods.
	Ingress cv.Ingress `json:"ingress"`
	// Gateway API HTTPRoute to the main pods.
	HTTPRoute cv.HTTPRoute `json:"httpRoute"`
	// The `helm test` pod that calls the Flowise API.
	Tests cv.Tests `json:"tests"`
	// Scheduled pg_dump of Flowise's PostgreSQL (bundled or external) to S3, and restore mode. SQLite is not backed up: back the data volume up instead.
	Backup cv.Backup `json:"backup"`
	// Status endpoint of the release (after Flynn's): a Deployment running flotilla-hook status serve, answering 200 or 500 with JSON naming each component; a key from outside private networks.
	Status cv.Status `json:"status"`
	// flotilla-hook: creates uuid-ossp on an external PostgreSQL (pre-install/pre-upgrade Job, or init container) and makes Flowise pods wait for the bundled PostgreSQL.
	Hook cv.Hook `json:"hook"`
}

// Architecture selects the topology.
type Architecture struct {
	// Topology: standalone (one main pod) or queue (main pods + BullMQ worker pods; needs PostgreSQL, Redis and shared blob storage: s3, gcs or azure).
	Mode string `json:"mode" jsonschema:"enum=standalone,enum=queue"`
}

// Flowise configures the main Flowise server.
type Flowise struct {
	// Main pod replicas (ignored when flowise.autoscaling.enabled). More than 1 needs queue mode.
	ReplicaCount int `json:"replicaCount" jsonschema:"minimum=1"`
	// HorizontalPodAutoscaler of the main pods (queue mode): CPU/memory utilisation of requests, so set flowise.resources.requests.
	Autoscaling cv.Autoscaling `json:"autoscaling"`
	// Full public URL (APP_URL). Empty: derived from the first Ingress host (https when TLS is set) or HTTPRoute host name.
	AppURL string `json:"appUrl" jsonschema:"pattern=^(https?://.+)?$"`
	// Log level.
	LogLevel string `json:"logLevel" jsonschema:"enum=error,enum=warn,enum=info,enum=verbose,enum=debug"`
	// Maximum file upload size accepted by Flowise (FLOWISE_FILE_SIZE_LIMIT), e.g. 50mb.
	FileSizeLimit string `json:"fileSizeLimit" jsonschema:"pattern=^[0-9]+(b|kb|mb|gb)$"`
	// Allowed CORS origins (comma-separated, or *).
	CorsOrigins string `json:"corsOrigins" jsonschema:"minLength=1"`
	// Disable telemetry reporting. Flowise 3.1.1 reports telemetry only when POSTHOG_PUBLIC_API_KEY is set (it does not read DISABLE_FLOWISE_TELEMETRY from the environment), so true sets that variable empty, overriding any value the image carries; false leaves it to you (set POSTHOG_PUBLIC_API_KEY in extraEnv to report).
	DisableTelemetry bool `json:"disableTelemetry"`
	// Extra environment variables for the main container (Kubernetes EnvVar objects).
	ExtraEnv []cv.EnvVar `json:"extraEnv"`
	// Directory the data volume is mounted at; HOME, logs and the encryption key file live here. The image's user (node, uid 1000) owns /home/node.
	DataPath string `json:"dataPath" jsonschema:"pattern=^/.+"`
	// Container port of the Flowise server.
	Port int `json:"port" jsonschema:"minimum=1024,maximum=65535"`
	// CPU/memory requests and limits of the main container.
	Resources cv.Resources `json:"resources"`
	// Probes of the main container (HTTP GET /api/v1/ping).
	Probes cv.Probes `json:"probes"`
}

// Auth names the Secret holding Flowise's five auth secrets.
type Auth struct {
	// Existing Secret with all five keys. Empty: the chart creates one with random values once and keeps it across upgrades and reinstalls (helm.sh/resource-policy: keep).
	ExistingSecret string `json:"existingSecret"`
	// Key for FLOWISE_SECRETKEY_OVERWRITE (encrypts stored credentials).
	ExistingSecretEncryptionKeyKey string `json:"existingSecretEncryptionKeyKey" jsonschema:"minLength=1"`
	// Key for JWT_AUTH_TOKEN_SECRET.
	ExistingSecretJwtAuthTokenSecretKey string `json:"existingSecretJwtAuthTokenSecretKey" jsonschema:"minLength=1"`
	// Key for JWT_REFRESH_TOKEN_SECRET.
	ExistingSecretJwtRefreshTokenSecretKey string `json:"existingSecretJwtRefreshTokenSecretKey" jsonschema:"minLength=1"`
	// Key for EXPRESS_SESSION_SECRET.
	ExistingSecretExpressSessionSecretKey string `json:"existingSecretExpressSessionSecretKey" jsonschema:"minLength=1"`
	// Key for TOKEN_HASH_SECRET.
	ExistingSecretTokenHashSecretKey string `json:"existingSecretTokenHashSecretKey" jsonschema:"minLength=1"`
	// Secure cookies (SECURE_COOKIES). Set true when serving via HTTPS.
	SecureCookies bool `json:"secureCookies"`
	// Accept a changed encryption key (FLOWISE_SECRETKEY_OVERWRITE) on upgrade. Flowise cannot re-encrypt: every credential it stored becomes unreadable and must be entered again. Without it, helm upgrade refuses when the key differs from the one the release last ran with (a sha256 of it is kept in <release>-auth-fingerprint; helm template cannot look it up and does not check).
	AllowKeyChange bool `json:"allowKeyChange"`
}

// Database selects Flowise's database.
type Database struct {
	// auto: PostgreSQL when postgresql.enabled or database.external.host is set, else SQLite. sqlite, postgresql (the bundled one) or external force a choice.
	Mode string `json:"mode" jsonschema:"enum=auto,enum=sqlite,enum=postgresql,enum=external"`
	// SQLite settings.
	SQLite SQLite `json:"sqlite"`
	// External database settings.
	External ExternalDatabase `json:"external"`
}

// SQLite configures the SQLite database file.
type SQLite struct {
	// SQLite file; Flowise names it database.sqlite, and it must lie under flowise.dataPath (on the data volume).
	Path string `json:"path" jsonschema:"pattern=^/.*/database\\.sqlite$"`
}

// ExternalDatabase points Flowise at a database the chart does not manage.
type ExternalDatabase struct {
	// Vendor of the external database.
	Vendor string `json:"vendor" jsonschema:"enum=postgres,enum=mysql"`
	// Host name of the external database.
	Host string `json:"host"`
	// Port; 0 means the vendor's default (5432 or 3306).
	Port int `json:"port" jsonschema:"minimum=0,maximum=65535"`
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
	// Connect with SSL (DATABASE_SSL).
	SSL bool `json:"ssl"`
	// Existing Secret with the CA certificate (PEM) that signed the database server's certificate; requires ssl. It is mounted read-only and base64-encoded in the pod into DATABASE_SSL_KEY_BASE64, as Flowise expects; flotilla-hook verifies the server with it too (sslmode verify-full).
	SSLExistingSecret string `json:"sslExistingSecret"`
	// Key of the CA certificate (PEM) in sslExistingSecret.
	SSLExistingSecretKey string `json:"sslExistingSecretKey" jsonschema:"minLength=1"`
	// Verify the server certificate against sslExistingSecret's CA, host name included (DATABASE_REJECT_UNAUTHORIZED). false encrypts without verifying (flotilla-hook then uses sslmode require). Without sslExistingSecret Flowise always verifies, against the system CAs and tls.caBundle.
	SSLRejectUnauthorized bool `json:"sslRejectUnauthorized"`
	// Existing Secret with an admin role (the database owner or a superuser) for the bootstrap hook Job only, to create uuid-ossp when the app's role may not. Never mounted into Flowise pods; needs hook.mode job and vendor postgres.
	AdminExistingSecret string `json:"adminExistingSecret"`
	// Key of the admin role's name in adminExistingSecret.
	AdminExistingSecretUsernameKey string `json:"adminExistingSecretUsernameKey" jsonschema:"minLength=1"`
	// Key of the admin role's password in adminExistingSecret.
	AdminExistingSecretPasswordKey string `json:"adminExistingSecretPasswordKey" jsonschema:"minLength=1"`
}

// Queue configures BullMQ (queue mode).
type Queue struct {
	// BullMQ queue name shared by main and workers.
	Name string `json:"name" jsonschema:"minLength=1"`
	// Worker pods.
	Worker Worker `json:"worker"`
}

// Worker configures the worker Deployment.
type Worker struct {
	// Worker replicas (ignored when queue.worker.autoscaling.enabled or queue.worker.autoscaling.keda.enabled).
	ReplicaCount int `json:"replicaCount" jsonschema:"minimum=1"`
	// Scaling of the workers: a HorizontalPodAutoscaler on CPU/memory, or KEDA on the BullMQ queue length (not both).
	Autoscaling WorkerAutoscaling `json:"autoscaling"`
	// Simultaneous BullMQ jobs per worker (WORKER_CONCURRENCY).
	Concurrency int `json:"concurrency" jsonschema:"minimum=1"`
	// Completed job retention in seconds (REMOVE_ON_AGE).
	RemoveOnAge int `json:"removeOnAge" jsonschema:"minimum=0"`
	// Maximum completed jobs retained (REMOVE_ON_COUNT).
	RemoveOnCount int `json:"removeOnCount" jsonschema:"minimum=0"`
	// Extra environment variables for worker pods (Kubernetes EnvVar objects).
	ExtraEnv []cv.EnvVar `json:"extraEnv"`
	// CPU/memory requests and limits for workers.
	Resources cv.Resources `json:"resources"`
	// Probes of the worker container. The worker serves no HTTP: startup and liveness check a heartbeat its own process writes while its BullMQ workers run; readiness also logs in to Redis with the worker's credentials (and TLS settings) and expects PONG.
	Probes cv.Probes `json:"probes"`
}

// WorkerAutoscaling scales the worker Deployment.
type WorkerAutoscaling struct {
	// HorizontalPodAutoscaler on CPU/memory utilisation of the workers' requests.
	cv.Autoscaling
	// KEDA ScaledObject on the BullMQ lists in Redis: the waiting and running jobs of the prediction and upsertion queues (bull:<queue.name>-prediction:wait and :active, bull:<queue.name>-upsertion:wait and :active). Needs KEDA in the cluster; excludes queue.worker.autoscaling.enabled.
	KEDA cv.KEDA `json:"keda"`
}

// Storage selects blob storage.
type Storage struct {
	// Storage type (STORAGE_TYPE): local (the data volume), s3, gcs (Google Cloud Storage) or azure (Azure Blob Storage). Queue mode needs a shared one: s3, gcs or azure.
	Type string `json:"type" jsonschema:"enum=local,enum=s3,enum=gcs,enum=azure"`
	// Local storage settings.
	Local LocalStorage `json:"local"`
	// S3 storage settings.
	S3 S3Storage `json:"s3"`
	// Google Cloud Storage settings (storage.type gcs). Flowise 3.1.1 also sends its logs to Cloud Logging with the same credentials.
	GCS GCSStorage `json:"gcs"`
	// Azure Blob Storage settings (storage.type azure). Flowise 3.1.1 also writes its logs to the container.
	Azure AzureStorage `json:"azure"`
}

// GCSStorage configures Google Cloud Storage (GOOGLE_CLOUD_STORAGE_* variables).
type GCSStorage struct {
	// Bucket name (GOOGLE_CLOUD_STORAGE_BUCKET_NAME).
	BucketName string `json:"bucketName"`
	// Project ID (GOOGLE_CLOUD_STORAGE_PROJ_ID); empty: the key file's or the environment's project.
	ProjectID string `json:"projectId"`
	// The bucket uses uniform bucket-level access (GOOGLE_CLOUD_UNIFORM_BUCKET_ACCESS): uploads set no per-object ACL. Flowise treats any non-empty value as true, so false leaves the variable out.
	UniformBucketLevelAccess bool `json:"uniformBucketLevelAccess"`
	// Existing Secret with a service account's JSON key file, mounted read-only; its path goes into GOOGLE_CLOUD_STORAGE_CREDENTIAL. Empty: Application Default Credentials (e.g. GKE Workload Identity through serviceAccount.annotations).
	ExistingSecret string `json:"existingSecret"`
	// Key of the JSON key file in existingSecret.
	ExistingSecretKeyFileKey string `json:"existingSecretKeyFileKey" jsonschema:"minLength=1"`
}

// AzureStorage configures Azure Blob Storage (AZURE_BLOB_STORAGE_* variables). Flowise 3.1.1
// authenticates with a connection string or an account name and key only.
type AzureStorage struct {
	// Container name (AZURE_BLOB_STORAGE_CONTAINER_NAME).
	ContainerName string `json:"containerName"`
	// Storage account name (AZURE_BLOB_STORAGE_ACCOUNT_NAME), used with the account key; not needed with a connection string.
	AccountName string `json:"accountName"`
	// Existing Secret with the account key or the connection string (required: Flowise has no other way to authenticate).
	ExistingSecret string `json:"existingSecret"`
	// Key of the account key in existingSecret (AZURE_BLOB_STORAGE_ACCOUNT_KEY); used when existingSecretConnectionStringKey is empty.
	ExistingSecretAccountKeyKey string `json:"existingSecretAccountKeyKey" jsonschema:"minLength=1"`
	// Key of a connection string in existingSecret (AZURE_BLOB_STORAGE_CONNECTION_STRING); when set it is used instead of accountName and the account key.
	ExistingSecretConnectionStringKey string `json:"existingSecretConnectionStringKey"`
}

// LocalStorage configures blob storage on the data volume.
type LocalStorage struct {
	// Local blob storage path (BLOB_STORAGE_PATH); must lie under flowise.dataPath.
	Path string `json:"path" jsonschema:"pattern=^/.+"`
}

// S3Storage configures S3-compatible blob storage.
type S3Storage struct {
	// Bucket name.
	BucketName string `json:"bucketName"`
	// Region.
	Region string `json:"region" jsonschema:"minLength=1"`
	// Custom endpoint URL (MinIO, R2...); empty uses AWS.
	EndpointURL string `json:"endpointUrl" jsonschema:"pattern=^(https?://.+)?$"`
	// Force path-style requests. Set true for MinIO.
	ForcePathStyle bool `json:"forcePathStyle"`
	// Existing Secret with the S3 credentials. Empty: no static keys are passed (e.g. IAM roles for service accounts).
	ExistingSecret string `json:"existingSecret"`
	// Key of the access key ID in existingSecret.
	ExistingSecretAccessKeyIDKey string `json:"existingSecretAccessKeyIdKey" jsonschema:"minLength=1"`
	// Key of the secret access key in existingSecret.
	ExistingSecretSecretAccessKeyKey string `json:"existingSecretSecretAccessKeyKey" jsonschema:"minLength=1"`
}

// TLS holds certificates for services behind a private CA.
type TLS struct {
	// CA bundle trusted for every TLS connection Flowise makes (NODE_EXTRA_CA_CERTS, added to the system CAs): S3 endpoints, PostgreSQL with database.external.ssl, Redis, LLM APIs. Mounted read-only from a Secret or a ConfigMap.
	CABundle CABundle `json:"caBundle"`
	// Redis TLS material (with redis.external.tls): the CA and an optional client certificate, base64-encoded in the pod into REDIS_CA, REDIS_CERT and REDIS_KEY as Flowise expects.
	Redis RedisTLS `json:"redis"`
}

// CABundle names a Secret or ConfigMap holding PEM CA certificates.
type CABundle struct {
	// Existing Secret with the CA bundle.
	ExistingSecret string `json:"existingSecret"`
	// Existing ConfigMap with the CA bundle (e.g. one trust-manager writes); set this or existingSecret.
	ExistingConfigMap string `json:"existingConfigMap"`
	// Key of the PEM bundle in the Secret or ConfigMap.
	Key string `json:"key" jsonschema:"minLength=1"`
}

// RedisTLS names a Secret with Redis TLS certificates (PEM).
type RedisTLS struct {
	// Existing Secret with the PEM files.
	ExistingSecret string `json:"existingSecret"`
	// Key of the CA certificate that signed Redis's server certificate (REDIS_CA); empty: the system CAs and tls.caBundle.
	CAKey string `json:"caKey"`
	// Key of a client certificate (REDIS_CERT), for Redis servers that require one; empty: none.
	CertKey string `json:"certKey"`
	// Key of the client certificate's private key (REDIS_KEY); set with certKey.
	KeyKey string `json:"keyKey"`
}

// Defaults returns the chart's default values.
func Defaults() Values {
	probes := cv.DefaultProbes()
	workerProbes := cv.DefaultProbes()
	workerProbes.Startup.FailureThreshold = 30
	return Values{
		Common:       cv.DefaultCommon(1000),
		Architecture: Architecture{Mode: "standalone"},
		Image:        cv.Image{Repository: "docker.io/flowiseai/flowise", PullPolicy: "IfNotPresent"},
		Flowise: Flowise{
			ReplicaCount:     1,
			LogLevel:         "info",
			FileSizeLimit:    "50mb",
			CorsOrigins:      "*",
			DisableTelemetry: true,
			ExtraEnv:         []cv.EnvVar{},
			DataPath:         "/home/node/.flowise",
			Port:             3000,
			Resources:        cv.Resources{},
			Probes:           probes,
			Autoscaling:      cv.DefaultAutoscaling(),
		},
		Auth: Auth{
			ExistingSecretEncryptionKeyKey:         "encryption-key",
			ExistingSecretJwtAuthTokenSecretKey:    "jwt-auth-token-secret",
			ExistingSecretJwtRefreshTokenSecretKey: "jwt-refresh-token-secret",
			ExistingSecretExpressSessionSecretKey:  "express-session-secret",
			ExistingSecretTokenHashSecretKey:       "token-hash-secret",
		},
		Database: Database{
			Mode:   "auto",
			SQLite: SQLite{Path: "/home/node/.flowise/database.sqlite"},
			External: ExternalDatabase{
				Vendor: "postgres", Name: "flowise", Username: "flowise",
				ExistingSecretPasswordKey: "database-password", SSLExistingSecretKey: "ca.crt", SSLRejectUnauthorized: true,
				AdminExistingSecretUsernameKey: "username", AdminExistingSecretPasswordKey: "password",
			},
		},
		PostgreSQL: cv.DefaultPostgreSQL("flowise"),
		Redis:      cv.DefaultRedis(),
		Queue: Queue{
			Name: "flowise-queue",
			Worker: Worker{
				ReplicaCount: 1, Concurrency: 100000, RemoveOnAge: 86400, RemoveOnCount: 10000,
				ExtraEnv: []cv.EnvVar{}, Resources: cv.Resources{}, Probes: workerProbes,
				Autoscaling: WorkerAutoscaling{Autoscaling: cv.DefaultAutoscaling(), KEDA: cv.DefaultKEDA()},
			},
		},
		Storage: Storage{
			Type:  "local",
			Local: LocalStorage{Path: "/home/node/.flowise/storage"},
			S3: S3Storage{
				Region:                           "us-east-1",
				ExistingSecretAccessKeyIDKey:     "access-key-id",
				ExistingSecretSecretAccessKeyKey: "secret-access-key",
			},
			GCS:   GCSStorage{UniformBucketLevelAccess: true, ExistingSecretKeyFileKey: "key.json"},
			Azure: AzureStorage{ExistingSecretAccountKeyKey: "account-key"},
		},
		TLS: TLS{CABundle: CABundle{Key: "ca.crt"}, Redis: RedisTLS{CAKey: "ca.crt"}},
		Persistence: cv.Persistence{
			Enabled: true, AccessModes: []string{"ReadWriteOnce"}, Size: "10Gi", Annotations: map[string]string{},
		},
		Service:   cv.Service{Type: "ClusterIP", Port: 3000, Annotations: map[string]string{}, IPFamilies: []string{}},
		Ingress:   cv.DefaultIngress(),
		HTTPRoute: cv.DefaultHTTPRoute(),
		Tests:     cv.Tests{Enabled: true},
		Hook:      cv.DefaultHook(),
		Backup:    cv.DefaultBackup(),
		Status:    cv.DefaultStatus(),
	}
}

// SecretKeys declares what each key of auth.existingSecret holds.
func (Auth) SecretKeys() []cv.SecretKey {
	return cv.RandomKeys(40,
		"existingSecretEncryptionKeyKey", "FLOWISE_SECRETKEY_OVERWRITE",
		"existingSecretJwtAuthTokenSecretKey", "JWT_AUTH_TOKEN_SECRET",
		"existingSecretJwtRefreshTokenSecretKey", "JWT_REFRESH_TOKEN_SECRET",
		"existingSecretExpressSessionSecretKey", "EXPRESS_SESSION_SECRET",
		"existingSecretTokenHashSecretKey", "TOKEN_HASH_SECRET")
}

// SecretKeys: the external database already has its password and certificate.
func (ExternalDatabase) SecretKeys() []cv.SecretKey {
	return []cv.SecretKey{
		{Secret: "existingSecret", Key: "existingSecretPasswordKey", Inline: "password", Use: "DATABASE_PASSWORD",
			Shape: cv.Provided("the password of database.external.username on your database")},
		{Secret: "sslExistingSecret", Key: "sslExistingSecretKey", Use: "DATABASE_SSL_KEY_BASE64",
			Shape: cv.Provided("the PEM certificate (CA or client) your database's TLS needs")},
		{Secret: "adminExistingSecret", Key: "adminExistingSecretUsernameKey", Use: "the bootstrap hook's PGUSER",
			Shape: cv.Provided("a database role that may CREATE EXTENSION (the hook only)")},
		{Secret: "adminExistingSecret", Key: "adminExistingSecretPasswordKey", Use: "the bootstrap hook's password",
			Shape: cv.Provided("that role's password")},
	}
}

// SecretKeys: CA certificates come from whoever runs the private CA.
func (CABundle) SecretKeys() []cv.SecretKey {
	return []cv.SecretKey{{Secret: "existingSecret", Key: "key", Use: "NODE_EXTRA_CA_CERTS",
		Shape: cv.Provided("PEM CA certificates to trust besides the system ones")}}
}

// SecretKeys: Redis's CA and client certificate come from whoever runs its TLS.
func (RedisTLS) SecretKeys() []cv.SecretKey {
	return []cv.SecretKey{
		{Secret: "existingSecret", Key: "caKey", Use: "REDIS_CA", Shape: cv.Provided("the PEM CA certificate that signed Redis's server certificate")},
		{Secret: "existingSecret", Key: "certKey", Use: "REDIS_CERT", Shape: cv.Provided("a PEM client certificate Redis accepts")},
		{Secret: "existingSecret", Key: "keyKey", Use: "REDIS_KEY", Shape: cv.Provided("that client certificate's PEM private key")},
	}
}

// SecretKeys: S3 credentials are issued by the storage provider.
func (S3Storage) SecretKeys() []cv.SecretKey {
	return cv.S3CredentialKeys("S3", "S3_STORAGE_ACCESS_KEY_ID", "S3_STORAGE_SECRET_ACCESS_KEY")
}

// SecretKeys: a GCS service account key is issued by Google Cloud IAM.
func (GCSStorage) SecretKeys() []cv.SecretKey {
	return []cv.SecretKey{{Secret: "existingSecret", Key: "existingSecretKeyFileKey", Use: "GOOGLE_CLOUD_STORAGE_CREDENTIAL (mounted file)",
		Shape: cv.Provided("the JSON key file of a Google Cloud service account with access to the bucket")}}
}

// SecretKeys: Azure storage credentials are issued by the storage account.
func (AzureStorage) SecretKeys() []cv.SecretKey {
	return []cv.SecretKey{
		{Secret: "existingSecret", Key: "existingSecretAccountKeyKey", Use: "AZURE_BLOB_STORAGE_ACCOUNT_KEY",
			Shape: cv.Provided("an access key of the Azure storage account")},
		{Secret: "existingSecret", Key: "existingSecretConnectionStringKey", Use: "AZURE_BLOB_STORAGE_CONNECTION_STRING",
			Shape: cv.Provided("the Azure storage account's connection string")},
	}
}
