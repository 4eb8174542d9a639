package chartvalues

// Backup is the backup block of every chart whose data lives in PostgreSQL: a CronJob streams
// pg_dump (from the official postgres image) to S3 through flotilla-hook, and a restore Job
// brings a backup back. Keys follow the Flowise chart reference (backup.enabled,
// backup.schedule, backup.s3.endpoint, backup.s3.bucket, backup.s3.existingSecret).
type Backup struct {
	// Enable the scheduled backup: a CronJob runs pg_dump --format=custom and streams it to S3 with flotilla-hook (multipart, never the whole dump in memory or on disk), writes a manifest (database, server version, size, sha256, chart version), then applies backup.retention.
	Enabled bool `json:"enabled"`
	// Cron schedule of the backup (five fields, or @daily, @hourly...), in the kube-controller-manager's time zone unless backup.timeZone is set.
	Schedule string `json:"schedule" jsonschema:"pattern=^(@(annually|yearly|monthly|weekly|daily|midnight|hourly)|[0-9A-Za-z*?/\\x2c-]+( +[0-9A-Za-z*?/\\x2c-]+){4})$"`
	// IANA time zone of the schedule (CronJob timeZone), e.g. Europe/Berlin. Empty: the controller's.
	TimeZone string `json:"timeZone"`
	// Official postgres image that provides pg_dump and pg_restore; its major version must be the server's (pg_dump refuses a newer server; a dump restores into the same major version).
	Image Image `json:"image"`
	// S3 bucket the backups go to.
	S3 BackupS3 `json:"s3"`
	// Key prefix in the bucket: backups are <prefix>/<release>/<database>/<release>-<database>-<UTC time>.dump with a .manifest.json beside.
	Prefix string `json:"prefix" jsonschema:"pattern=^([A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*)?/?$"`
	// Which backups to keep; applied after each successful backup only. A backup kept by either rule stays; both empty keep every backup.
	Retention BackupRetention `json:"retention"`
	// Optional client-side encryption of the dumps (AES-256-GCM, key from a Secret).
	Encryption BackupEncryption `json:"encryption"`
	// CPU/memory requests and limits of the backup and restore containers (pg_dump or pg_restore plus flotilla-hook, which buffers two 16 MiB parts).
	Resources Resources `json:"resources"`
	// Deadline of one backup or restore Job in seconds; flotilla-hook's own timeout is 60 s shorter.
	ActiveDeadlineSeconds int `json:"activeDeadlineSeconds" jsonschema:"minimum=120"`
	// Retries of a failed backup Job.
	BackoffLimit int `json:"backoffLimit" jsonschema:"minimum=0"`
	// Successful backup Jobs kept for their logs.
	SuccessfulJobsHistoryLimit int `json:"successfulJobsHistoryLimit" jsonschema:"minimum=0"`
	// Failed backup Jobs kept for their logs.
	FailedJobsHistoryLimit int `json:"failedJobsHistoryLimit" jsonschema:"minimum=0"`
	// Restore mode: a Job restores a backup, and the app's Deployments run 0 replicas meanwhile (the databases keep running) so nothing writes during the restore.
	Restore BackupRestore `json:"restore"`
}

// BackupS3 is the bucket backups go to.
type BackupS3 struct {
	// S3-compatible endpoint URL (https://minio.example:9000); empty uses AWS S3.
	Endpoint string `json:"endpoint" jsonschema:"pattern=^(https?://[^/]+/?)?$"`
	// Target bucket name (it must exist).
	Bucket string `json:"bucket"`
	// Region of the bucket.
	Region string `json:"region" jsonschema:"minLength=1"`
	// Force path-style requests. Set true for MinIO and most S3-compatible servers.
	ForcePathStyle bool `json:"forcePathStyle"`
	// Existing Secret with the S3 credentials. Empty: no static keys (IAM roles for service accounts, instance roles).
	ExistingSecret string `json:"existingSecret"`
	// Key of the access key ID in existingSecret.
	ExistingSecretAccessKeyIDKey string `json:"existingSecretAccessKeyIdKey" jsonschema:"minLength=1"`
	// Key of the secret access key in existingSecret.
	ExistingSecretSecretAccessKeyKey string `json:"existingSecretSecretAccessKeyKey" jsonschema:"minLength=1"`
	// Existing Secret with a PEM CA bundle the endpoint's TLS certificate is checked against (besides the system CAs), for a private CA.
	CAExistingSecret string `json:"caExistingSecret"`
	// Key of the CA bundle in caExistingSecret.
	CAExistingSecretKey string `json:"caExistingSecretKey" jsonschema:"minLength=1"`
}

// BackupRetention says which backups to keep.
type BackupRetention struct {
	// Keep the newest N backups of each database. 0: no count rule.
	KeepLast int `json:"keepLast" jsonschema:"minimum=0"`
	// Keep backups younger than this: days (30d) or a Go duration (720h). Empty: no age rule.
	KeepWithin string `json:"keepWithin" jsonschema:"pattern=^([0-9]+d|([0-9]+(h|m|s))+)?$"`
}

// BackupEncryption names the key of client-side encryption.
type BackupEncryption struct {
	// Existing Secret with a 32-byte key as base64 (openssl rand -base64 32). Set: dumps are encrypted before upload and restores need the same Secret. Losing the key loses the backups.
	ExistingSecret string `json:"existingSecret"`
	// Key of the encryption key in existingSecret.
	ExistingSecretKeyKey string `json:"existingSecretKeyKey" jsonschema:"minLength=1"`
}

// BackupRestore configures restore mode.
type BackupRestore struct {
	// Restore mode: run a Job restoring backup.restore.backup, with the app's Deployments at 0 replicas. Turn it off again (helm upgrade --set backup.restore.enabled=false) to start the app on the restored data.
	Enabled bool `json:"enabled"`
	// Backup to restore: latest, or an ID as `flotilla-hook backup list` prints it (20260102T030000.000Z).
	Backup string `json:"backup" jsonschema:"pattern=^(latest|[0-9]{8}T[0-9]{6}\\.[0-9]{3}Z)$"`
	// Release whose backups to restore, e.g. the old release when restoring into a fresh one in another namespace. Empty: this release.
	FromRelease string `json:"fromRelease"`
	// Drop the backup's objects before recreating them (pg_restore --clean --if-exists): needed over an existing schema. Without it (or force) a non-empty database is refused.
	Clean bool `json:"clean"`
	// Restore into a non-empty database without clean (pg_restore then fails, as one transaction, on objects that exist).
	Force bool `json:"force"`
}

// DefaultBackup is the backup block's default: off, daily at 03:00, the postgres image of the
// bundled PostgreSQL's major version.
func DefaultBackup() Backup {
	return Backup{
		Schedule:                   "0 3 * * *",
		Image:                      Image{Repository: "docker.io/library/postgres", Tag: "17.6", PullPolicy: "IfNotPresent"},
		S3:                         BackupS3{Region: "us-east-1", ExistingSecretAccessKeyIDKey: "access-key-id", ExistingSecretSecretAccessKeyKey: "secret-access-key", CAExistingSecretKey: "ca.crt"},
		Retention:                  BackupRetention{KeepLast: 7},
		Encryption:                 BackupEncryption{ExistingSecretKeyKey: "backup-encryption-key"},
		Resources:                  Resources{"requests": ResourceList{"cpu": "50m", "memory": "64Mi"}, "limits": ResourceList{"memory": "256Mi"}},
		ActiveDeadlineSeconds:      21600,
		BackoffLimit:               1,
		SuccessfulJobsHistoryLimit: 3,
		FailedJobsHistoryLimit:     3,
		Restore:                    BackupRestore{Backup: "latest"},
	}
}

// SecretKeys: S3 credentials come from the storage provider (empty existingSecret: the pod's
// IAM role); the S3 CA from whoever runs the endpoint's TLS.
func (BackupS3) SecretKeys() []SecretKey {
	return append(S3CredentialKeys("backup bucket's", "backup's S3 access key ID", "backup's S3 secret access key"),
		SecretKey{Secret: "caExistingSecret", Key: "caExistingSecretKey", Use: "CA of the backup's S3 endpoint",
			Shape: Provided("the PEM CA certificate of your S3 endpoint")})
}

// SecretKeys: the backup key is the user's to make and keep: losing it loses the backups.
func (BackupEncryption) SecretKeys() []SecretKey {
	return []SecretKey{{Secret: "existingSecret", Key: "existingSecretKeyKey", Use: "backup encryption key",
		Shape: Provided("32 random bytes as base64 (openssl rand -base64 32); keep a copy outside the cluster")}}
}
