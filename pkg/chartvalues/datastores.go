package chartvalues

// PostgreSQL is the chart's own PostgreSQL: one StatefulSet on the official postgres image, or a
// CloudNativePG Cluster (replicated, failover) when the CloudNativePG operator runs in the cluster.
type PostgreSQL struct {
	// Deploy the bundled PostgreSQL.
	Enabled bool `json:"enabled"`
	// standalone: the chart's own single-instance StatefulSet. cloudnative-pg: a CloudNativePG Cluster (postgresql.cnpg.io/v1) with cloudnativePG.instances replicated instances and automatic failover; needs the CloudNativePG operator and its CRDs. The app connects to the Cluster's <name>-rw Service. Switching an installed release between modes does not move data: back up and restore (backup.*).
	Mode string `json:"mode" jsonschema:"enum=standalone,enum=cloudnative-pg"`
	// PostgreSQL image (the official image; any tag of major version 13 or later).
	Image Image `json:"image"`
	// Credentials and database created at first start.
	Auth PostgreSQLAuth `json:"auth"`
	// Storage of the single PostgreSQL instance; with mode cloudnative-pg, size and storageClass of each instance's volume.
	Standalone PostgreSQLStandalone `json:"standalone"`
	// CloudNativePG Cluster settings (mode cloudnative-pg).
	CloudNativePG CloudNativePG `json:"cloudnativePG"`
	// CPU/memory requests and limits of the PostgreSQL container (of each instance with mode cloudnative-pg).
	Resources Resources `json:"resources"`
}

// CloudNativePG configures the CloudNativePG Cluster of postgresql.mode cloudnative-pg. The
// operator creates the pods (restricted Pod Security), Services <name>-rw/-ro/-r and volumes.
type CloudNativePG struct {
	// PostgreSQL instances: one primary, the rest streaming replicas the operator promotes on failure. 3 survives the loss of one node.
	Instances int `json:"instances" jsonschema:"minimum=1"`
	// Operand image (imageName), e.g. ghcr.io/cloudnative-pg/postgresql:17.6; empty uses the operator's default. postgresql.image (the official image) is not used: CloudNativePG needs its own images.
	ImageName string `json:"imageName"`
}

// PostgreSQLAuth holds the bundled PostgreSQL's credentials.
type PostgreSQLAuth struct {
	// Database created at first start.
	Database string `json:"database" jsonschema:"pattern=^[a-zA-Z_][a-zA-Z0-9_]*$"`
	// Owner role created at first start (it is the instance's superuser).
	Username string `json:"username" jsonschema:"pattern=^[a-zA-Z_][a-zA-Z0-9_]*$"`
	// Password of that role. Empty: generated once and kept across upgrades. Changing it later does not change the password inside an initialised database.
	Password string `json:"password"`
	// Existing Secret holding the password (takes precedence over password).
	ExistingSecret string `json:"existingSecret"`
	// Key of the password in existingSecret.
	ExistingSecretPasswordKey string `json:"existingSecretPasswordKey" jsonschema:"minLength=1"`
}

// PostgreSQLStandalone configures the single bundled PostgreSQL instance.
type PostgreSQLStandalone struct {
	// Data volume of PostgreSQL.
	Persistence DataVolume `json:"persistence"`
}

// DataVolume is a StatefulSet's volume claim.
type DataVolume struct {
	// Keep data on a PersistentVolumeClaim; false uses an emptyDir (data lost with the pod).
	Enabled bool `json:"enabled"`
	// Size of the PVC.
	Size string `json:"size" jsonschema:"pattern=^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$"`
	// StorageClass of the PVC; empty uses the cluster default.
	StorageClass string `json:"storageClass"`
}

// Redis is the chart's own Redis (official redis image) or an external one.
type Redis struct {
	// Deploy the bundled Redis.
	Enabled bool `json:"enabled"`
	// Redis image (the official image).
	Image Image `json:"image"`
	// Password authentication of the bundled Redis.
	Auth RedisAuth `json:"auth"`
	// Data volume of the bundled Redis (queue state survives restarts when enabled).
	Persistence DataVolume `json:"persistence"`
	// CPU/memory requests and limits of the Redis container.
	Resources Resources `json:"resources"`
	// An external Redis, used when redis.enabled is false.
	External ExternalRedis `json:"external"`
}

// RedisAuth configures the bundled Redis's password.
type RedisAuth struct {
	// Require a password. Keep it on: anything in the namespace can reach Redis.
	Enabled bool `json:"enabled"`
	// Password. Empty: generated once and kept across upgrades.
	Password string `json:"password"`
	// Existing Secret holding the password (takes precedence over password).
	ExistingSecret string `json:"existingSecret"`
	// Key of the password in existingSecret.
	ExistingSecretPasswordKey string `json:"existingSecretPasswordKey" jsonschema:"minLength=1"`
}

// ExternalRedis points the app at a Redis the chart does not manage.
type ExternalRedis struct {
	// Host name of the external Redis.
	Host string `json:"host"`
	// Port of the external Redis.
	Port int `json:"port" jsonschema:"minimum=1,maximum=65535"`
	// ACL user name, if any.
	Username string `json:"username"`
	// Password (prefer existingSecret).
	Password string `json:"password"`
	// Existing Secret holding the password.
	ExistingSecret string `json:"existingSecret"`
	// Key of the password in existingSecret.
	ExistingSecretPasswordKey string `json:"existingSecretPasswordKey" jsonschema:"minLength=1"`
	// Connect with TLS.
	TLS bool `json:"tls"`
}

// DefaultPostgreSQL is the bundled PostgreSQL's default configuration for an app database.
func DefaultPostgreSQL(database string) PostgreSQL {
	return PostgreSQL{
		Image:         Image{Repository: "docker.io/library/postgres", Tag: "17.6", PullPolicy: "IfNotPresent"},
		Auth:          PostgreSQLAuth{Database: database, Username: database, ExistingSecretPasswordKey: "password"},
		Mode:          "standalone",
		Standalone:    PostgreSQLStandalone{Persistence: DataVolume{Enabled: true, Size: "8Gi"}},
		CloudNativePG: CloudNativePG{Instances: 3},
		Resources:     Resources{},
	}
}

// DefaultRedis is the bundled Redis's default configuration.
func DefaultRedis() Redis {
	return Redis{
		Image:       Image{Repository: "docker.io/library/redis", Tag: "7.4", PullPolicy: "IfNotPresent"},
		Auth:        RedisAuth{Enabled: true, ExistingSecretPasswordKey: "redis-password"},
		Persistence: DataVolume{Size: "1Gi"},
		Resources:   Resources{},
		External:    ExternalRedis{Port: 6379, ExistingSecretPasswordKey: "redis-password"},
	}
}

// Hook runs the companion binary flotilla-hook: it creates PostgreSQL extensions on an external
// database before install/upgrade, and makes app pods wait for a bundled database.
type Hook struct {
	// Run flotilla-hook (bootstrap of an external PostgreSQL, wait for the bundled one).
	Enabled bool `json:"enabled"`
	// job: bootstrap an external database in a pre-install,pre-upgrade hook Job. initContainer: bootstrap from an init container of the app pods instead (for GitOps tools that skip Helm hooks).
	Mode string `json:"mode" jsonschema:"enum=job,enum=initContainer"`
	// flotilla-hook image.
	Image Image `json:"image"`
	// How long flotilla-hook waits for the database (Go duration, e.g. 5m).
	Timeout string `json:"timeout" jsonschema:"pattern=^([0-9]+(ms|s|m|h))+$"`
	// Retries of the hook Job.
	BackoffLimit int `json:"backoffLimit" jsonschema:"minimum=0"`
	// Deadline of the hook Job in seconds; keep it above timeout.
	ActiveDeadlineSeconds int `json:"activeDeadlineSeconds" jsonschema:"minimum=1"`
	// CPU/memory requests and limits of flotilla-hook containers.
	Resources Resources `json:"resources"`
}

// DefaultHook is flotilla-hook's default configuration.
func DefaultHook() Hook {
	return Hook{
		Enabled:               true,
		Mode:                  "job",
		Image:                 Image{Repository: "ghcr.io/flotilla/flotilla-hook", Tag: "0.1.0", PullPolicy: "IfNotPresent"},
		Timeout:               "5m",
		BackoffLimit:          3,
		ActiveDeadlineSeconds: 600,
		Resources:             Resources{"requests": ResourceList{"cpu": "10m", "memory": "16Mi"}, "limits": ResourceList{"memory": "64Mi"}},
	}
}
