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
	// flotilla-hook: creates uuid-ossp on an external PostgreSQL (pre-install/pre-upgrade Job, or init container) and makes Flowise pods wait for the bundled PostgreSQL.
	Hook cv.Hook `json:"hook"`
}

// Architecture selects the topology.
type Architecture struct {
	// Topology: standalone (one main pod) or queue (main pods + BullMQ worker pods; needs PostgreSQL, Redis and S3).
	Mode string `json:"mode" jsonschema:"enum=standalone,enum=queue"`
}

// Flowise configures the main Flowise server.
type Flowise struct {
	// Main pod replicas. More than 1 needs queue mode.
	ReplicaCount int `json:"replicaCount" jsonschema:"minimum=1"`
	// Full public URL (APP_URL). Empty: derived from the first Ingress host (https when TLS is set) or HTTPRoute host name.
	AppURL string `json:"appUrl" jsonschema:"pattern=^(https?://.+)?$"`
	// Log level.
	LogLevel string `json:"logLevel" jsonschema:"enum=error,enum=warn,enum=info,enum=verbose,enum=debug"`
	// Maximum file upload size accepted by Flowise (FLOWISE_FILE_SIZE_LIMIT), e.g. 50mb.
	FileSizeLimit string `json:"fileSizeLimit" jsonschema:"pattern=^[0-9]+(b|kb|mb|gb)$"`
	// Allowed CORS origins (comma-separated, or *).
	CorsOrigins string `json:"corsOrigins" jsonschema:"minLength=1"`
	// Disable telemetry reporting.
	DisableTelemetry bool `json:"disableTelemetry"`
	// Extra environment variables for the main container (Kubernetes EnvVar objects).
	ExtraEnv []cv.EnvVar `json:"extraEnv"`
	// Directory the data volume is mounted at; HOME, logs and the encryption key file live here. The image's user (node, uid 1000) owns /home/node.
	DataPath string `json:"dataPath" jsonschema:"pattern=^/.+"`
	// Container port of the Flowise server.
	Port int `json:"port" jsonschema:"minimum=1024,maximum=65535"`
	// CPU/memory requests and limits of the main container.
	Resources map[string]any `json:"resources"`
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
	// Existing Secret with an SSL certificate (CA or client certificate, PEM) passed base64-encoded as DATABASE_SSL_KEY_BASE64; requires ssl.
	SSLExistingSecret string `json:"sslExistingSecret"`
	// Key of the certificate in sslExistingSecret.
	SSLExistingSecretKey string `json:"sslExistingSecretKey" jsonschema:"minLength=1"`
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
	// Worker replicas.
	ReplicaCount int `json:"replicaCount" jsonschema:"minimum=1"`
	// Simultaneous BullMQ jobs per worker (WORKER_CONCURRENCY).
	Concurrency int `json:"concurrency" jsonschema:"minimum=1"`
	// Completed job retention in seconds (REMOVE_ON_AGE).
	RemoveOnAge int `json:"removeOnAge" jsonschema:"minimum=0"`
	// Maximum completed jobs retained (REMOVE_ON_COUNT).
	RemoveOnCount int `json:"removeOnCount" jsonschema:"minimum=0"`
	// Extra environment variables for worker pods (Kubernetes EnvVar objects).
	ExtraEnv []cv.EnvVar `json:"extraEnv"`
	// CPU/memory requests and limits for workers.
	Resources map[string]any `json:"resources"`
	// Probes of the worker container. The worker serves no HTTP, so they check that Redis answers on TCP from inside the pod.
	Probes cv.Probes `json:"probes"`
}

// Storage selects blob storage.
type Storage struct {
	// Storage type: local (the data volume) or s3 (required in queue mode).
	Type string `json:"type" jsonschema:"enum=local,enum=s3"`
	// Local storage settings.
	Local LocalStorage `json:"local"`
	// S3 storage settings.
	S3 S3Storage `json:"s3"`
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
			Resources:        map[string]any{},
			Probes:           probes,
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
				ExistingSecretPasswordKey: "database-password", SSLExistingSecretKey: "ca.crt",
			},
		},
		PostgreSQL: cv.DefaultPostgreSQL("flowise"),
		Redis:      cv.DefaultRedis(),
		Queue: Queue{
			Name: "flowise-queue",
			Worker: Worker{
				ReplicaCount: 1, Concurrency: 100000, RemoveOnAge: 86400, RemoveOnCount: 10000,
				ExtraEnv: []cv.EnvVar{}, Resources: map[string]any{}, Probes: workerProbes,
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
		},
		Persistence: cv.Persistence{
			Enabled: true, AccessModes: []string{"ReadWriteOnce"}, Size: "10Gi", Annotations: map[string]string{},
		},
		Service:   cv.Service{Type: "ClusterIP", Port: 3000, Annotations: map[string]string{}},
		Ingress:   cv.Ingress{Annotations: map[string]string{}, Hosts: []cv.IngressHost{}, TLS: []cv.IngressTLS{}},
		HTTPRoute: cv.HTTPRoute{Annotations: map[string]string{}, ParentRefs: []map[string]any{}, Hostnames: []string{}, Path: "/"},
		Tests:     cv.Tests{Enabled: true},
		Hook:      cv.DefaultHook(),
		Backup:    cv.DefaultBackup(),
	}
}
