package flowise_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"

	"helm.sh/helm/v3/pkg/chart"

	"github.com/flotilla/flotilla/pkg/charts/flowise"
	"github.com/flotilla/flotilla/pkg/charttest"
	"github.com/flotilla/flotilla/pkg/render"
)

const release = "rel"

func loadChart(t testing.TB) *chart.Chart {
	t.Helper()
	ch, err := render.Load(context.Background(), "flowise", render.LoadOptions{})
	require.NoError(t, err)
	return ch
}

func example(name string) string { return filepath.Join("..", "..", "..", "examples", "flowise", name) }

func renderWith(t testing.TB, files []string, set ...string) *render.Result {
	t.Helper()
	res, err := render.Render(loadChart(t), render.Options{ReleaseName: release, Namespace: "apps", ValueFiles: files, Set: set})
	require.NoError(t, err)
	charttest.RequireStrict(t, res)
	charttest.RequireRestricted(t, res)
	return res
}

func secretValue(t testing.TB, res *render.Result, name, key string) string {
	t.Helper()
	s := charttest.Object[*corev1.Secret](t, res, "Secret", name)
	v, ok := s.Data[key]
	require.True(t, ok, "secret %s has no key %s", name, key)
	return string(v)
}

func TestExamplesProduceTheirTopology(t *testing.T) {
	main := "Deployment/rel-flowise"
	tests := []struct {
		file   string
		want   []string // Kind/name that must exist
		absent []string // Kind/name that must not
		check  func(t *testing.T, res *render.Result)
	}{
		{
			file:   "standalone-sqlite.yaml",
			want:   []string{main, "PersistentVolumeClaim/rel-flowise-data", "Ingress/rel-flowise", "Service/rel-flowise"},
			absent: []string{"Deployment/rel-flowise-worker", "StatefulSet/rel-flowise-postgresql", "StatefulSet/rel-flowise-redis", "Secret/rel-flowise-auth"},
			check: func(t *testing.T, res *render.Result) {
				d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise")
				assert.EqualValues(t, 1, *d.Spec.Replicas)
				assert.Equal(t, appsv1.RecreateDeploymentStrategyType, d.Spec.Strategy.Type)
				env := charttest.Env(charttest.Container(t, d.Spec.Template, "flowise"))
				assert.Equal(t, "sqlite", env["DATABASE_TYPE"])
				assert.Equal(t, "/home/node/.flowise", env["DATABASE_PATH"])
				assert.Equal(t, "https://flowise.example.com", env["APP_URL"])
				assert.Equal(t, "50mb", env["FLOWISE_FILE_SIZE_LIMIT"])
				assert.Equal(t, "true", env["SECURE_COOKIES"])
				assert.Equal(t, "local", env["STORAGE_TYPE"])
				assert.Equal(t, "secret:flowise-auth-secrets/encryption-key", env["FLOWISE_SECRETKEY_OVERWRITE"])
				assert.Equal(t, "secret:flowise-auth-secrets/jwt-auth-token-secret", env["JWT_AUTH_TOKEN_SECRET"])
				assert.Equal(t, "secret:flowise-auth-secrets/jwt-refresh-token-secret", env["JWT_REFRESH_TOKEN_SECRET"])
				assert.Equal(t, "secret:flowise-auth-secrets/express-session-secret", env["EXPRESS_SESSION_SECRET"])
				assert.Equal(t, "secret:flowise-auth-secrets/token-hash-secret", env["TOKEN_HASH_SECRET"])
				assert.NotContains(t, env, "MODE")
				pvc := charttest.Object[*corev1.PersistentVolumeClaim](t, res, "PersistentVolumeClaim", "rel-flowise-data")
				assert.Equal(t, "10Gi", pvc.Spec.Resources.Requests.Storage().String())
				assert.Equal(t, "keep", pvc.Annotations["helm.sh/resource-policy"], "data must survive uninstall")
				mountsData(t, d.Spec.Template, "rel-flowise-data")
				ing := charttest.Object[*networkingv1.Ingress](t, res, "Ingress", "rel-flowise")
				assert.Equal(t, "traefik", *ing.Spec.IngressClassName)
				assert.Equal(t, "letsencrypt-prod", ing.Annotations["cert-manager.io/cluster-issuer"])
				assert.Equal(t, "flowise-tls", ing.Spec.TLS[0].SecretName)
				assert.Contains(t, res.Notes, "Topology: standalone")
				assert.Contains(t, res.Notes, "SQLite at /home/node/.flowise/database.sqlite")
			},
		},
		{
			file:   "standalone-postgresql.yaml",
			want:   []string{main, "StatefulSet/rel-flowise-postgresql", "Service/rel-flowise-postgresql", "Secret/rel-flowise-postgresql", "ConfigMap/rel-flowise-postgresql-init", "PersistentVolumeClaim/rel-flowise-data"},
			absent: []string{"Deployment/rel-flowise-worker", "StatefulSet/rel-flowise-redis"},
			check: func(t *testing.T, res *render.Result) {
				d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise")
				env := charttest.Env(charttest.Container(t, d.Spec.Template, "flowise"))
				assert.Equal(t, "postgres", env["DATABASE_TYPE"])
				assert.Equal(t, "rel-flowise-postgresql", env["DATABASE_HOST"])
				assert.Equal(t, "flowise", env["DATABASE_NAME"])
				assert.Equal(t, "flowise", env["DATABASE_USER"])
				assert.Equal(t, "secret:rel-flowise-postgresql/password", env["DATABASE_PASSWORD"])
				assert.Equal(t, "strong-db-password", secretValue(t, res, "rel-flowise-postgresql", "password"))
				sts := charttest.Object[*appsv1.StatefulSet](t, res, "StatefulSet", "rel-flowise-postgresql")
				assert.Equal(t, "docker.io/library/postgres:17.6", sts.Spec.Template.Spec.Containers[0].Image)
				require.Len(t, sts.Spec.VolumeClaimTemplates, 1)
				assert.Equal(t, "20Gi", sts.Spec.VolumeClaimTemplates[0].Spec.Resources.Requests.Storage().String())
				pgEnv := charttest.Env(sts.Spec.Template.Spec.Containers[0])
				assert.Equal(t, "secret:rel-flowise-postgresql/password", pgEnv["POSTGRES_PASSWORD"])
				cm := charttest.Object[*corev1.ConfigMap](t, res, "ConfigMap", "rel-flowise-postgresql-init")
				assert.Contains(t, cm.Data["10-extensions.sql"], `CREATE EXTENSION IF NOT EXISTS "uuid-ossp";`)
				pvc := charttest.Object[*corev1.PersistentVolumeClaim](t, res, "PersistentVolumeClaim", "rel-flowise-data")
				assert.Equal(t, "5Gi", pvc.Spec.Resources.Requests.Storage().String())
				assert.Contains(t, res.Notes, "bundled PostgreSQL")
			},
		},
		{
			file: "queue.yaml",
			want: []string{main, "Deployment/rel-flowise-worker", "StatefulSet/rel-flowise-postgresql", "StatefulSet/rel-flowise-redis",
				"Secret/rel-flowise-redis", "PodDisruptionBudget/rel-flowise-main", "PodDisruptionBudget/rel-flowise-worker"},
			absent: []string{"PersistentVolumeClaim/rel-flowise-data"},
			check: func(t *testing.T, res *render.Result) {
				d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise")
				w := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise-worker")
				assert.EqualValues(t, 2, *d.Spec.Replicas)
				assert.EqualValues(t, 3, *w.Spec.Replicas)
				assert.Equal(t, appsv1.RollingUpdateDeploymentStrategyType, d.Spec.Strategy.Type)
				mc, wc := charttest.Container(t, d.Spec.Template, "flowise"), charttest.Container(t, w.Spec.Template, "worker")
				assert.Equal(t, []string{"start"}, mc.Args)
				assert.Equal(t, []string{"worker"}, wc.Args)
				menv, wenv := charttest.Env(mc), charttest.Env(wc)
				assert.Equal(t, "/tmp/flotilla-worker-heartbeat", wenv["FLOTILLA_HEARTBEAT_FILE"], "only the worker beats")
				delete(wenv, "FLOTILLA_HEARTBEAT_FILE")
				assert.Equal(t, menv, wenv, "main and worker must share every setting (secrets, database, Redis, S3)")
				assert.Equal(t, "queue", wenv["MODE"])
				assert.Equal(t, "flowise-queue", wenv["QUEUE_NAME"])
				assert.Equal(t, "10", wenv["WORKER_CONCURRENCY"])
				assert.Equal(t, "rel-flowise-redis", wenv["REDIS_HOST"])
				assert.Equal(t, "secret:rel-flowise-redis/redis-password", wenv["REDIS_PASSWORD"])
				assert.Equal(t, "strong-redis-password", secretValue(t, res, "rel-flowise-redis", "redis-password"))
				assert.Equal(t, "s3", wenv["STORAGE_TYPE"])
				assert.Equal(t, "flowise-storage", wenv["S3_STORAGE_BUCKET_NAME"])
				assert.Equal(t, "us-east-1", wenv["S3_STORAGE_REGION"])
				assert.Equal(t, "https://s3.amazonaws.com", wenv["S3_ENDPOINT_URL"])
				assert.Equal(t, "false", wenv["S3_FORCE_PATH_STYLE"])
				assert.Equal(t, "secret:flowise-s3-credentials/access-key-id", wenv["S3_STORAGE_ACCESS_KEY_ID"])
				assert.Equal(t, "secret:flowise-s3-credentials/secret-access-key", wenv["S3_STORAGE_SECRET_ACCESS_KEY"])
				assert.Equal(t, "postgres", wenv["DATABASE_TYPE"])
				assert.NotNil(t, wc.LivenessProbe, "workers get probes too")
				assert.NotNil(t, wc.ReadinessProbe)
				assert.NotNil(t, mc.ReadinessProbe.HTTPGet)
				for _, v := range d.Spec.Template.Spec.Volumes {
					assert.Nil(t, v.PersistentVolumeClaim, "queue mode main pods must not mount a PVC")
				}
				pdb := charttest.Object[*policyv1.PodDisruptionBudget](t, res, "PodDisruptionBudget", "rel-flowise-worker")
				assert.Equal(t, "worker", pdb.Spec.Selector.MatchLabels["app.kubernetes.io/component"])
				redis := charttest.Object[*appsv1.StatefulSet](t, res, "StatefulSet", "rel-flowise-redis")
				assert.Equal(t, "docker.io/library/redis:7.4", redis.Spec.Template.Spec.Containers[0].Image)
				assert.Contains(t, redis.Spec.Template.Spec.Containers[0].Args, "--requirepass")
				assert.Contains(t, res.Notes, "worker pods (run BullMQ jobs):     3")
			},
		},
		{
			file:   "external-postgresql.yaml",
			want:   []string{main, "PersistentVolumeClaim/rel-flowise-data"},
			absent: []string{"StatefulSet/rel-flowise-postgresql", "Secret/rel-flowise-postgresql", "Deployment/rel-flowise-worker"},
			check: func(t *testing.T, res *render.Result) {
				d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise")
				env := charttest.Env(charttest.Container(t, d.Spec.Template, "flowise"))
				assert.Equal(t, "postgres", env["DATABASE_TYPE"])
				assert.Equal(t, "postgres.database.svc.cluster.local", env["DATABASE_HOST"])
				assert.Equal(t, "5432", env["DATABASE_PORT"])
				assert.Equal(t, "flowise", env["DATABASE_NAME"])
				assert.Equal(t, "secret:flowise-db-credentials/database-password", env["DATABASE_PASSWORD"])
				assert.Equal(t, "false", env["DATABASE_SSL"])
				assert.Contains(t, res.Notes, "external postgres at postgres.database.svc.cluster.local")
			},
		},
		{
			file: "queue-external.yaml",
			want: []string{main, "Deployment/rel-flowise-worker", "HTTPRoute/rel-flowise", "PodDisruptionBudget/rel-flowise-worker"},
			absent: []string{"StatefulSet/rel-flowise-postgresql", "StatefulSet/rel-flowise-redis", "Ingress/rel-flowise",
				"PersistentVolumeClaim/rel-flowise-data", "Secret/rel-flowise-external-db"},
			check: func(t *testing.T, res *render.Result) {
				w := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise-worker")
				env := charttest.Env(charttest.Container(t, w.Spec.Template, "worker"))
				assert.Equal(t, "redis.cache.svc.cluster.local", env["REDIS_HOST"])
				assert.Equal(t, "6380", env["REDIS_PORT"])
				assert.Equal(t, "true", env["REDIS_TLS"])
				assert.Equal(t, "secret:flowise-redis-credentials/redis-password", env["REDIS_PASSWORD"])
				assert.Equal(t, "20", env["WORKER_CONCURRENCY"])
				assert.Equal(t, "http://minio.storage.svc.cluster.local:9000", env["S3_ENDPOINT_URL"])
				assert.Equal(t, "true", env["S3_FORCE_PATH_STYLE"])
				assert.Equal(t, "https://flowise.example.com", env["APP_URL"])
				mem := charttest.Container(t, w.Spec.Template, "worker").Resources.Requests[corev1.ResourceMemory]
				assert.Equal(t, "512Mi", mem.String())
				assert.Equal(t, "DATABASE_SSL_KEY_BASE64=/run/flotilla/db-ssl/ca.crt,REDIS_CA=/run/flotilla/redis-tls/ca.crt", env["FLOTILLA_BASE64_ENV_FILES"])
				assert.Equal(t, "true", env["DATABASE_REJECT_UNAUTHORIZED"])
				job := hookJob(t, res)
				hookEnv := charttest.Env(job.Spec.Template.Spec.Containers[0])
				assert.Equal(t, "verify-full", hookEnv["PGSSLMODE"], "the hook verifies as Flowise will")
				assert.Equal(t, "/run/flotilla/db-ca/ca.crt", hookEnv["PGSSLROOTCERT"])
				assert.Contains(t, res.Notes, "Redis: external, redis.cache.svc.cluster.local:6380")
			},
		},
		{
			file: "backup.yaml",
			want: []string{main, "StatefulSet/rel-flowise-postgresql", "CronJob/rel-flowise-backup"},
			check: func(t *testing.T, res *render.Result) {
				cj, flags := charttest.BackupCronJob(t, res, "rel-flowise-backup")
				assert.Equal(t, "0 3 * * *", cj.Spec.Schedule)
				assert.Equal(t, map[string]string{"command": "create", "namespace": "apps", "chart": "flowise", "chart-version": flowise.Chart().Version,
					"keep-last": "14", "keep-within": "30d", "s3-bucket": "flowise-backups", "s3-region": "us-east-1", "release": release,
					"s3-endpoint": "https://minio.example.com:9000", "s3-force-path-style": "", "prefix": "prod",
					"encryption-key-file": "/run/flotilla/backup-key/key", "timeout": "21540s", "password-file": "/run/flotilla/db/password", "log-format": "json"}, flags)
				pod := cj.Spec.JobTemplate.Spec.Template
				env := charttest.Env(charttest.Container(t, pod, "backup"))
				assert.Equal(t, "rel-flowise-postgresql", env["PGHOST"])
				assert.Equal(t, "flowise", env["PGDATABASE"])
				assert.Equal(t, "secret:flowise-backup-s3/access-key-id", env["AWS_ACCESS_KEY_ID"])
				assert.Equal(t, "secret:flowise-backup-s3/secret-access-key", env["AWS_SECRET_ACCESS_KEY"])
				assert.Equal(t, "docker.io/library/postgres:17.6", charttest.Container(t, pod, "backup").Image)
				d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise")
				assert.EqualValues(t, 1, *d.Spec.Replicas, "backups do not stop Flowise")
				assert.Contains(t, res.Notes, `Backups: pg_dump to S3 bucket "flowise-backups" under prod on "0 3 * * *", keeping the newest 14 and those younger than 30d.`)
			},
		},
		{
			file: "restore.yaml",
			want: []string{main, "StatefulSet/rel-flowise-postgresql", "CronJob/rel-flowise-backup"},
			check: func(t *testing.T, res *render.Result) {
				job, flags := charttest.RestoreJob(t, res, "rel-flowise-restore-")
				assert.Equal(t, "latest", flags["backup"])
				assert.Equal(t, "flowise", flags["from-release"])
				assert.Contains(t, flags, "retry-missing-database")
				assert.NotContains(t, flags, "clean")
				assert.EqualValues(t, 0, *job.Spec.BackoffLimit)
				d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise")
				assert.EqualValues(t, 0, *d.Spec.Replicas, "restore mode stops Flowise")
				assert.Contains(t, res.Notes, "RESTORE MODE")
			},
		},
		{
			file:   "high-availability.yaml",
			want:   []string{main, "Deployment/rel-flowise-worker", "PodDisruptionBudget/rel-flowise-main", "PodDisruptionBudget/rel-flowise-worker", "NetworkPolicy/rel-flowise-main"},
			absent: []string{"StatefulSet/rel-flowise-postgresql", "StatefulSet/rel-flowise-redis", "PersistentVolumeClaim/rel-flowise-data"},
			check: func(t *testing.T, res *render.Result) {
				charttest.RequireHighAvailability(t, res, 3, "rel-flowise", "rel-flowise-worker")
				from := charttest.Object[*networkingv1.NetworkPolicy](t, res, "NetworkPolicy", "rel-flowise-main").Spec.Ingress[0].From
				require.Len(t, from, 2, "the ingress controller's namespace and the release's own pods")
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			res := renderWith(t, []string{example(tc.file)})
			charttest.RequireObjects(t, res, tc.want, tc.absent)
			tc.check(t, res)
		})
	}
}

func mountsData(t *testing.T, pod corev1.PodTemplateSpec, claim string) {
	t.Helper()
	for _, v := range pod.Spec.Volumes {
		if v.Name == "data" {
			require.NotNil(t, v.PersistentVolumeClaim)
			assert.Equal(t, claim, v.PersistentVolumeClaim.ClaimName)
			return
		}
	}
	t.Fatal("no data volume")
}

func TestDefaultsGenerateAuthSecretOnce(t *testing.T) {
	res := renderWith(t, nil)
	s := charttest.Object[*corev1.Secret](t, res, "Secret", "rel-flowise-auth")
	assert.Equal(t, "keep", s.Annotations["helm.sh/resource-policy"], "generated secrets must survive uninstall")
	for _, k := range []string{"FLOWISE_SECRETKEY_OVERWRITE", "JWT_AUTH_TOKEN_SECRET", "JWT_REFRESH_TOKEN_SECRET", "EXPRESS_SESSION_SECRET", "TOKEN_HASH_SECRET"} {
		assert.Len(t, s.Data[k], 40, k)
	}
	assert.NotEqual(t, s.Data["JWT_AUTH_TOKEN_SECRET"], s.Data["JWT_REFRESH_TOKEN_SECRET"], "each key gets its own value")
	d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise")
	env := charttest.Env(charttest.Container(t, d.Spec.Template, "flowise"))
	assert.Equal(t, "secret:rel-flowise-auth/TOKEN_HASH_SECRET", env["TOKEN_HASH_SECRET"])
	assert.NotContains(t, env, "APP_URL", "no URL to derive without ingress")
	assert.Contains(t, res.Notes, "port-forward svc/rel-flowise 3000")
	require.Len(t, res.Hooks, 1, "the helm test pod")
	assert.Equal(t, []string{"test"}, res.Hooks[0].Hook)
}

func TestQueueWithExternalServices(t *testing.T) {
	res := renderWith(t, nil,
		"architecture.mode=queue", "flowise.replicaCount=3", "persistence.enabled=false",
		"storage.type=s3", "storage.s3.bucketName=b", "storage.s3.forcePathStyle=true", "storage.s3.endpointUrl=http://minio:9000",
		"database.mode=external", "database.external.host=pg.example", "database.external.password=pw",
		"database.external.ssl=true", "database.external.sslExistingSecret=pg-ca",
		"redis.external.host=redis.example", "redis.external.port=6380", "redis.external.existingSecret=redis-creds", "redis.external.tls=true",
		"queue.worker.extraEnv[0].name=EXTRA", "queue.worker.extraEnv[0].value=one",
		"httpRoute.enabled=true", "httpRoute.parentRefs[0].name=gw", "httpRoute.hostnames[0]=flow.example.org",
	)
	names := charttest.Names(res)
	assert.NotContains(t, names, "StatefulSet/rel-flowise-redis")
	assert.NotContains(t, names, "StatefulSet/rel-flowise-postgresql")
	assert.Contains(t, names, "HTTPRoute/rel-flowise")
	w := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise-worker")
	env := charttest.Env(charttest.Container(t, w.Spec.Template, "worker"))
	assert.Equal(t, "redis.example", env["REDIS_HOST"])
	assert.Equal(t, "6380", env["REDIS_PORT"])
	assert.Equal(t, "true", env["REDIS_TLS"])
	assert.Equal(t, "secret:redis-creds/redis-password", env["REDIS_PASSWORD"])
	assert.Equal(t, "secret:rel-flowise-external-db/database-password", env["DATABASE_PASSWORD"])
	assert.NotContains(t, env, "DATABASE_SSL_KEY_BASE64", "set in the pod from the mounted PEM, base64-encoded")
	assert.Equal(t, "DATABASE_SSL_KEY_BASE64=/run/flotilla/db-ssl/ca.crt", env["FLOTILLA_BASE64_ENV_FILES"])
	assert.Equal(t, "true", env["DATABASE_REJECT_UNAUTHORIZED"])
	assert.Equal(t, "true", env["DATABASE_SSL"])
	assert.Equal(t, "one", env["EXTRA"])
	assert.Equal(t, "https://flow.example.org", env["APP_URL"], "derived from the HTTPRoute host")
	assert.Equal(t, "pw", secretValue(t, res, "rel-flowise-external-db", "database-password"))
	m := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise")
	assert.NotContains(t, charttest.Env(charttest.Container(t, m.Spec.Template, "flowise")), "EXTRA", "worker extraEnv stays on workers")
}

func TestAppURLFromIngress(t *testing.T) {
	res := renderWith(t, nil, "ingress.enabled=true", "ingress.hosts[0].host=f.example", "ingress.hosts[0].paths[0].path=/", "ingress.hosts[0].paths[0].pathType=Prefix")
	d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise")
	assert.Equal(t, "http://f.example", charttest.Env(charttest.Container(t, d.Spec.Template, "flowise"))["APP_URL"], "no TLS: http")
}

func TestRootPathsAreRefusedWithAReason(t *testing.T) {
	// Both paths wrong: both problems at once, with their field paths (a template-level check:
	// JSON Schema cannot compare one value with another).
	_, err := render.Render(loadChart(t), render.Options{Set: []string{"database.sqlite.path=/root/.flowise/database.sqlite", "storage.local.path=/root/.flowise/storage"}})
	var ve *render.ValidationError
	require.True(t, errors.As(err, &ve), "want a ValidationError, got %v", err)
	require.Len(t, ve.Problems, 2)
	assert.Equal(t, "database.sqlite.path", ve.Problems[0].Path)
	assert.Contains(t, ve.Problems[0].Message, "database.sqlite.path (/root/.flowise/database.sqlite) must lie under flowise.dataPath (/home/node/.flowise)")
	assert.Equal(t, "storage.local.path", ve.Problems[1].Path)
	assert.Contains(t, ve.Problems[1].Message, "storage.local.path (/root/.flowise/storage) must lie under flowise.dataPath")
	_, err = render.Render(loadChart(t), render.Options{Set: []string{"storage.local.path=/root/.flowise/storage"}})
	require.True(t, errors.As(err, &ve), "want a ValidationError, got %v", err)
	assert.Equal(t, []string{"storage.local.path"}, []string{ve.Problems[0].Path})
}

// TestRenderMatchesHelm compares pkg/render with Helm's own `helm template` path for every
// example.
func TestRenderMatchesHelm(t *testing.T) {
	charttest.RequireHelmParity(t, "flowise", example(""))
}

func TestExistingClaimIsMountedNotCreated(t *testing.T) {
	res := renderWith(t, nil, "persistence.existingClaim=flowise-old-data", "persistence.storageClass=fast")
	assert.Empty(t, res.Find("PersistentVolumeClaim", ""))
	d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise")
	mountsData(t, d.Spec.Template, "flowise-old-data")

	res = renderWith(t, nil, "persistence.storageClass=fast", "persistence.size=3Gi")
	pvc := charttest.Object[*corev1.PersistentVolumeClaim](t, res, "PersistentVolumeClaim", "rel-flowise-data")
	assert.Equal(t, "fast", *pvc.Spec.StorageClassName)
	assert.Equal(t, "3Gi", pvc.Spec.Resources.Requests.Storage().String())
}

// Names and labels come from one computation per render, shared by every template file: each
// object must still get its own component and the overrides.
func TestNamesAndLabelsAcrossTemplates(t *testing.T) {
	for _, tc := range []struct {
		name     string
		set      []string
		fullname string
		label    string
	}{
		{"defaults", nil, "rel-flowise", "flowise"},
		{"nameOverride", []string{"nameOverride=ai"}, "rel-ai", "ai"},
		{"fullnameOverride", []string{"fullnameOverride=chat"}, "chat", "flowise"},
		{"release contains the name", []string{"nameOverride=re"}, "rel", "re"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := renderWith(t, []string{example("queue.yaml")}, tc.set...)
			components := map[string]string{
				"Deployment/" + tc.fullname:                      "main",
				"Deployment/" + tc.fullname + "-worker":          "worker",
				"StatefulSet/" + tc.fullname + "-postgresql":     "postgresql",
				"StatefulSet/" + tc.fullname + "-redis":          "redis",
				"Service/" + tc.fullname:                         "main",
				"PodDisruptionBudget/" + tc.fullname + "-worker": "worker",
			}
			charttest.RequireObjects(t, res, keys(components), nil)
			components["Pod/"+tc.fullname+"-test-api"] = "test" // a hook
			require.Len(t, res.Find("Pod", tc.fullname+"-test-api"), 1)
			for _, m := range append(res.Manifests, res.Hooks...) {
				want, ok := components[m.Kind+"/"+m.Name]
				if !ok {
					continue
				}
				obj, err := charttest.Typed(m)
				require.NoError(t, err)
				labels := obj.(interface{ GetLabels() map[string]string }).GetLabels()
				assert.Equal(t, want, labels["app.kubernetes.io/component"], m.Kind+"/"+m.Name)
				assert.Equal(t, tc.label, labels["app.kubernetes.io/name"], m.Kind+"/"+m.Name)
				assert.Equal(t, release, labels["app.kubernetes.io/instance"])
				assert.Equal(t, "flowise-"+flowise.Chart().Version, labels["helm.sh/chart"])
			}
			w := charttest.Object[*appsv1.Deployment](t, res, "Deployment", tc.fullname+"-worker")
			assert.Equal(t, map[string]string{"app.kubernetes.io/name": tc.label, "app.kubernetes.io/instance": release, "app.kubernetes.io/component": "worker"}, w.Spec.Selector.MatchLabels)
			assert.Equal(t, "worker", w.Spec.Template.Labels["app.kubernetes.io/component"])
		})
	}
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
