package flowkit_test

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"

	"helm.sh/helm/v3/pkg/chart"

	"github.com/flotilla/flotilla/pkg/charttest"
	"github.com/flotilla/flotilla/pkg/render"
)

const release = "rel"

func loadChart(t testing.TB) *chart.Chart {
	t.Helper()
	ch, err := render.Load(context.Background(), "flowkit", render.LoadOptions{})
	require.NoError(t, err)
	return ch
}

func example(name string) string { return filepath.Join("..", "..", "..", "examples", "flowkit", name) }

func renderWith(t testing.TB, files []string, set ...string) *render.Result {
	t.Helper()
	res, err := render.Render(loadChart(t), render.Options{ReleaseName: release, Namespace: "apps", ValueFiles: files, Set: set})
	require.NoError(t, err)
	charttest.RequireStrict(t, res)
	charttest.RequireRestricted(t, res)
	return res
}

func container(t testing.TB, pod corev1.PodSpec, name string) corev1.Container {
	t.Helper()
	for _, c := range append(append([]corev1.Container{}, pod.Containers...), pod.InitContainers...) {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no container %q", name)
	return corev1.Container{}
}

func deployment(t testing.TB, res *render.Result, component string) *appsv1.Deployment {
	t.Helper()
	return charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowkit-"+component)
}

func envOf(t testing.TB, res *render.Result, component string) map[string]string {
	t.Helper()
	d := deployment(t, res, component)
	return charttest.Env(container(t, d.Spec.Template.Spec, component))
}

func volume(t testing.TB, pod corev1.PodSpec, name string) corev1.Volume {
	t.Helper()
	for _, v := range pod.Volumes {
		if v.Name == name {
			return v
		}
	}
	t.Fatalf("no volume %q", name)
	return corev1.Volume{}
}

func mount(t testing.TB, c corev1.Container, name string) corev1.VolumeMount {
	t.Helper()
	for _, m := range c.VolumeMounts {
		if m.Name == name {
			return m
		}
	}
	t.Fatalf("container %s has no mount %q", c.Name, name)
	return corev1.VolumeMount{}
}

func cronJob(t testing.TB, res *render.Result) *batchv1.CronJob {
	t.Helper()
	return charttest.Object[*batchv1.CronJob](t, res, "CronJob", "rel-flowkit-cache-prune")
}

func TestExamplesProduceTheirScenario(t *testing.T) {
	core := []string{"StatefulSet/rel-flowkit-flowdb", "Service/rel-flowkit-flowdb", "Deployment/rel-flowkit-flowetl",
		"Service/rel-flowkit-flowetl", "StatefulSet/rel-flowkit-flowetl-postgresql", "Service/rel-flowkit-flowetl-postgresql"}
	fullOnly := []string{"Deployment/rel-flowkit-flowmachine", "Deployment/rel-flowkit-flowapi", "Deployment/rel-flowkit-flowauth",
		"Service/rel-flowkit", "Service/rel-flowkit-flowauth", "Service/rel-flowkit-flowmachine", "StatefulSet/rel-flowkit-flowauth-postgresql"}
	tests := []struct {
		file   string
		want   []string
		absent []string
		check  func(t *testing.T, res *render.Result)
	}{
		{
			file:   "db-etl.yaml",
			want:   core,
			absent: append([]string{"StatefulSet/rel-flowkit-redis", "CronJob/rel-flowkit-cache-prune", "Secret/rel-flowkit-flowdb", "Secret/rel-flowkit-jwt"}, fullOnly...),
			check: func(t *testing.T, res *render.Result) {
				sts := charttest.Object[*appsv1.StatefulSet](t, res, "StatefulSet", "rel-flowkit-flowdb")
				pod := sts.Spec.Template.Spec
				assert.EqualValues(t, 1000, *pod.SecurityContext.RunAsUser, "the guide's user: uid")
				assert.EqualValues(t, 1000, *pod.SecurityContext.RunAsGroup)
				assert.EqualValues(t, 1000, *pod.SecurityContext.FSGroup, "volumes belong to the guide's gid")
				db := container(t, pod, "flowdb")
				assert.Equal(t, "docker.io/flowminder/flowdb:1.18.0", db.Image)
				env := charttest.Env(db)
				for k, v := range map[string]string{
					"CACHE_SIZE": "107374182400", "CACHE_PROTECTED_PERIOD": "172800", "CACHE_HALF_LIFE": "1000", "MAX_CPUS": "7",
					"SHARED_BUFFERS_SIZE": "16GB", "MAX_WORKERS": "4", "MAX_WORKERS_PER_GATHER": "4", "EFFECTIVE_CACHE_SIZE": "24GB",
					"FLOWDB_ENABLE_POSTGRES_DEBUG_MODE": "FALSE", "FLOWMACHINE_FLOWDB_USER": "flowmachine", "FLOWAPI_FLOWDB_USER": "flowapi",
					"POSTGRES_PASSWORD":           "secret:flowdb-passwords/postgres-password",
					"FLOWMACHINE_FLOWDB_PASSWORD": "secret:flowdb-passwords/flowmachine-password",
					"FLOWAPI_FLOWDB_PASSWORD":     "secret:flowdb-passwords/flowapi-password",
					"PGDATA":                      "/var/lib/postgresql/data/pgdata",
					"AUTO_CONFIG_PATH":            "/var/lib/postgresql/data/pgdata/postgresql.configurator.conf",
				} {
					assert.Equal(t, v, env[k], k)
				}
				shm := volume(t, pod, "dshm")
				require.NotNil(t, shm.EmptyDir)
				assert.Equal(t, corev1.StorageMediumMemory, shm.EmptyDir.Medium)
				assert.Equal(t, "2Gi", shm.EmptyDir.SizeLimit.String())
				assert.Equal(t, "/dev/shm", mount(t, db, "dshm").MountPath)
				layout := container(t, pod, "pgdata-layout")
				assert.Contains(t, layout.Command[2], "ln -sfn pgdata/postgresql.conf /var/lib/postgresql/data/postgresql.conf",
					"FlowDB appends its config include to that fixed path")
				assert.Equal(t, "/var/lib/postgresql/data", mount(t, layout, "data").MountPath)
				require.Len(t, sts.Spec.VolumeClaimTemplates, 1)
				assert.Equal(t, "200Gi", sts.Spec.VolumeClaimTemplates[0].Spec.Resources.Requests.Storage().String())

				etl := envOf(t, res, "flowetl")
				assert.Equal(t, "secret:flowetl-secrets/fernet-key", etl["AIRFLOW__CORE__FERNET_KEY"])
				assert.Equal(t, "secret:flowetl-secrets/admin-password", etl["FLOWETL_AIRFLOW_ADMIN_PASSWORD"])
				assert.Equal(t, "admin", etl["FLOWETL_AIRFLOW_ADMIN_USERNAME"])
				assert.Equal(t, "secret:flowetl-db/password", etl["FLOWETL_POSTGRES_PASSWORD"])
				assert.Equal(t, "postgresql://flowetl:$(FLOWETL_POSTGRES_PASSWORD)@rel-flowkit-flowetl-postgresql:5432/flowetl", etl["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
				assert.Equal(t, etl["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"], etl["AIRFLOW__CORE__SQL_ALCHEMY_CONN"])
				assert.Equal(t, "secret:flowdb-passwords/postgres-password", etl["FLOWDB_POSTGRES_PASSWORD"])
				assert.Equal(t, "postgres://flowdb:$(FLOWDB_POSTGRES_PASSWORD)@rel-flowkit-flowdb:5432/flowdb", etl["AIRFLOW_CONN_FLOWDB"])
				etlDB := charttest.Object[*appsv1.StatefulSet](t, res, "StatefulSet", "rel-flowkit-flowetl-postgresql")
				assert.Equal(t, "flowkit-flowetl", etlDB.Spec.Selector.MatchLabels["app.kubernetes.io/name"], "its own selector, apart from other bundled databases")
				assert.Contains(t, res.Notes, "Scenario: db-etl")
			},
		},
		{
			file:   "db-etl-machine.yaml",
			want:   append([]string{"StatefulSet/rel-flowkit-redis", "Service/rel-flowkit-redis", "CronJob/rel-flowkit-cache-prune"}, core...),
			absent: fullOnly,
			check: func(t *testing.T, res *render.Result) {
				cj := cronJob(t, res)
				assert.Equal(t, "*/30 * * * *", cj.Spec.Schedule, "90 minutes: every 30 minutes, pruning every third run")
				assert.EqualValues(t, 960, *cj.Spec.JobTemplate.Spec.ActiveDeadlineSeconds)
				pod := cj.Spec.JobTemplate.Spec.Template.Spec
				c := container(t, pod, "cache-prune")
				assert.Equal(t, []string{"cache", "prune", "--min-interval=4500s", "--timeout=900s", "--password-file=/run/flotilla/db/password", "--log-format=json",
					"--redis-password-file=/run/flotilla/redis/password"}, c.Args)
				env := charttest.Env(c)
				assert.Equal(t, "rel-flowkit-redis", env["REDIS_HOST"], "FlowMachine's query states are kept in step")
				assert.Equal(t, "6379", env["REDIS_PORT"])
				assert.Equal(t, "/run/flotilla/redis", mount(t, c, "flotilla-redis-password").MountPath)
				pw := volume(t, pod, "flotilla-redis-password")
				assert.Equal(t, "flowkit-redis", pw.Secret.SecretName, "the example's Redis Secret")
				assert.Equal(t, "redis-password", pw.Secret.Items[0].Key)
				assert.Contains(t, res.Notes, "Redis:   bundled")
			},
		},
		{
			file: "full.yaml",
			want: append(append([]string{"StatefulSet/rel-flowkit-redis", "Ingress/rel-flowkit", "CronJob/rel-flowkit-cache-prune"}, core...), fullOnly...),
			absent: []string{"Secret/rel-flowkit-jwt", "Secret/rel-flowkit-flowauth", "Secret/rel-flowkit-flowapi",
				"PodDisruptionBudget/rel-flowkit-flowmachine", "Deployment/rel-flowkit-autoflow"},
			check: func(t *testing.T, res *render.Result) {
				m := envOf(t, res, "flowmachine")
				assert.EqualValues(t, 1, *deployment(t, res, "flowmachine").Spec.Replicas, "standalone")
				for k, v := range map[string]string{
					"FLOWMACHINE_PORT": "5555", "FLOWDB_HOST": "rel-flowkit-flowdb", "FLOWDB_PORT": "5432",
					"FLOWMACHINE_FLOWDB_USER": "flowmachine", "FLOWMACHINE_FLOWDB_PASSWORD": "secret:flowdb-passwords/flowmachine-password",
					"REDIS_HOST": "rel-flowkit-redis", "REDIS_PORT": "6379", "REDIS_PASSWORD": "secret:flowkit-redis/redis-password",
					"FLOWMACHINE_CACHE_PRUNING_FREQUENCY": "315360000", "FLOWMACHINE_CACHE_PRUNING_TIMEOUT": "600",
					"DB_CONNECTION_POOL_SIZE": "5", "DB_CONNECTION_POOL_OVERFLOW": "1", "FLOWMACHINE_LOG_LEVEL": "error",
				} {
					assert.Equal(t, v, m[k], k)
				}
				a := envOf(t, res, "flowapi")
				for k, v := range map[string]string{
					"FLOWMACHINE_HOST": "rel-flowkit-flowmachine", "FLOWMACHINE_PORT": "5555", "FLOWDB_HOST": "rel-flowkit-flowdb",
					"FLOWAPI_FLOWDB_USER": "flowapi", "FLOWAPI_FLOWDB_PASSWORD": "secret:flowdb-passwords/flowapi-password",
					"FLOWAPI_IDENTIFIER":     "secret:flowapi-identifier/flowapi-identifier",
					"PUBLIC_JWT_SIGNING_KEY": "secret:flowkit-jwt/public-key",
				} {
					assert.Equal(t, v, a[k], k)
				}
				assert.NotContains(t, a, "PRIVATE_JWT_SIGNING_KEY", "FlowAPI never holds the signing key")
				au := envOf(t, res, "flowauth")
				for k, v := range map[string]string{
					"PRIVATE_JWT_SIGNING_KEY": "secret:flowkit-jwt/private-key",
					"FLOWAUTH_FERNET_KEY":     "secret:flowauth-secrets/fernet-key", "SECRET_KEY": "secret:flowauth-secrets/secret-key",
					"FLOWAUTH_ADMIN_PASSWORD": "secret:flowauth-secrets/admin-password",
					"FLOWAUTH_ADMIN_USER":     "admin",
					"FLOWAUTH_DB_PASSWORD":    "secret:flowauth-db/password",
					"DB_URI":                  "postgresql://flowauth:{}@rel-flowkit-flowauth-postgresql:5432/flowauth",
					"FLOWAUTH_CACHE_BACKEND":  "FILE", "FLOWAUTH_CACHE_FILE": "/dev/shm/flowauth_last_used_cache",
				} {
					assert.Equal(t, v, au[k], k)
				}
				assert.NotContains(t, au, "PUBLIC_JWT_SIGNING_KEY")
				authPod := deployment(t, res, "flowauth").Spec.Template.Spec
				require.Len(t, authPod.SecurityContext.Sysctls, 1, "port 80 as non-root")
				assert.Equal(t, "net.ipv4.ip_unprivileged_port_start", authPod.SecurityContext.Sysctls[0].Name)
				svc := charttest.Object[*corev1.Service](t, res, "Service", "rel-flowkit")
				assert.Equal(t, "flowapi", svc.Spec.Selector["app.kubernetes.io/component"], "the release's Service is FlowAPI's")
				assert.EqualValues(t, 9090, svc.Spec.Ports[0].Port)
				ing := charttest.Object[*networkingv1.Ingress](t, res, "Ingress", "rel-flowkit")
				assert.Equal(t, "api.flowkit.example.com", ing.Spec.Rules[0].Host)
				for _, c := range []string{"flowmachine", "flowapi", "flowetl"} {
					wait := container(t, deployment(t, res, c).Spec.Template.Spec, "wait-for-flowdb")
					assert.Equal(t, "rel-flowkit-flowdb", charttest.Env(wait)["PGHOST"], c)
				}
				assert.Contains(t, res.Notes, "FlowMachine: 1 × deployment/rel-flowkit-flowmachine (standalone)")
			},
		},
		{
			file:   "full-autoflow.yaml",
			want:   append([]string{"Deployment/rel-flowkit-autoflow", "StatefulSet/rel-flowkit-autoflow-postgresql"}, fullOnly[:6]...),
			absent: []string{"StatefulSet/rel-flowkit-flowauth-postgresql"},
			check: func(t *testing.T, res *render.Result) {
				d := deployment(t, res, "autoflow")
				pod := d.Spec.Template.Spec
				env := charttest.Env(container(t, pod, "autoflow"))
				for k, v := range map[string]string{
					"FLOWAPI_URL": "https://rel-flowkit:9090", "FLOWAPI_TOKEN": "secret:autoflow-flowapi-token/flowapi-token",
					"AUTOFLOW_DB_URI":      "postgresql://autoflow:{}@rel-flowkit-autoflow-postgresql:5432/autoflow",
					"AUTOFLOW_DB_PASSWORD": "secret:autoflow-db/password", "AUTOFLOW_LOG_LEVEL": "INFO",
					"AUTOFLOW_INPUTS_DIR": "/mounts/inputs", "AUTOFLOW_OUTPUTS_DIR": "/mounts/outputs",
				} {
					assert.Equal(t, v, env[k], k)
				}
				in := volume(t, pod, "inputs")
				require.NotNil(t, in.ConfigMap)
				assert.Equal(t, "autoflow-inputs", in.ConfigMap.Name)
				assert.True(t, mount(t, container(t, pod, "autoflow"), "inputs").ReadOnly)
				assert.NotNil(t, volume(t, pod, "outputs").EmptyDir)
				assert.Equal(t, "flowapi-tls", volume(t, pod, "flowapi-cert").Secret.SecretName)
				au := envOf(t, res, "flowauth")
				assert.NotContains(t, au, "DB_URI", "FlowAuth's SQLite fallback")
				assert.Contains(t, res.Notes, "AutoFlow:    deployment/rel-flowkit-autoflow")
			},
		},
		{
			file: "full-queue.yaml",
			want: append([]string{"PodDisruptionBudget/rel-flowkit-flowmachine", "PodDisruptionBudget/rel-flowkit-flowapi",
				"PodDisruptionBudget/rel-flowkit-flowauth"}, fullOnly...),
			check: func(t *testing.T, res *render.Result) {
				assert.EqualValues(t, 3, *deployment(t, res, "flowmachine").Spec.Replicas)
				assert.EqualValues(t, 2, *deployment(t, res, "flowapi").Spec.Replicas)
				assert.Equal(t, "10", envOf(t, res, "flowmachine")["DB_CONNECTION_POOL_SIZE"])
				au := envOf(t, res, "flowauth")
				assert.Equal(t, "REDIS", au["FLOWAUTH_CACHE_BACKEND"])
				assert.Equal(t, "rel-flowkit-redis", au["FLOWAUTH_REDIS_HOST"])
				assert.Equal(t, "secret:flowkit-redis/redis-password", au["FLOWAUTH_REDIS_PASSWORD"])
				assert.Equal(t, "1", au["FLOWAUTH_REDIS_DB"], "apart from FlowMachine's database 0")
				pdb := charttest.Object[*policyv1.PodDisruptionBudget](t, res, "PodDisruptionBudget", "rel-flowkit-flowmachine")
				assert.Equal(t, "flowmachine", pdb.Spec.Selector.MatchLabels["app.kubernetes.io/component"])
				cj := cronJob(t, res)
				assert.Equal(t, "0 * * * *", cj.Spec.Schedule)
				assert.Contains(t, container(t, cj.Spec.JobTemplate.Spec.Template.Spec, "cache-prune").Args, "--cascade")
				assert.Contains(t, res.Notes, "queue: the servers coordinate through Redis")
			},
		},
		{
			file:   "backup.yaml",
			want:   append([]string{"CronJob/rel-flowkit-backup-flowdb", "CronJob/rel-flowkit-backup-flowetl", "CronJob/rel-flowkit-backup-flowauth"}, fullOnly...),
			absent: []string{"CronJob/rel-flowkit-backup-autoflow"},
			check: func(t *testing.T, res *render.Result) {
				for db, want := range map[string]struct{ host, user, image string }{
					"flowdb":   {"rel-flowkit-flowdb", "flowdb", "docker.io/library/postgres:17"},
					"flowetl":  {"rel-flowkit-flowetl-postgresql", "flowetl", "docker.io/library/postgres:17.6"},
					"flowauth": {"rel-flowkit-flowauth-postgresql", "flowauth", "docker.io/library/postgres:17.6"},
				} {
					cj, flags := charttest.BackupCronJob(t, res, "rel-flowkit-backup-"+db)
					c := charttest.Container(t, cj.Spec.JobTemplate.Spec.Template, "backup")
					assert.Equal(t, want.image, c.Image, db)
					env := charttest.Env(c)
					assert.Equal(t, want.host, env["PGHOST"], db)
					assert.Equal(t, want.user, env["PGUSER"], db)
					assert.Equal(t, "7", flags["keep-last"])
				}
				assert.EqualValues(t, 1, *deployment(t, res, "flowetl").Spec.Replicas)
			},
		},
		{
			file:   "restore.yaml",
			want:   fullOnly,
			absent: []string{"CronJob/rel-flowkit-backup-flowdb"},
			check: func(t *testing.T, res *render.Result) {
				for _, db := range []string{"flowdb", "flowetl", "flowauth"} {
					_, flags := charttest.RestoreJob(t, res, "rel-flowkit-restore-"+db+"-")
					assert.Equal(t, "flowkit", flags["from-release"])
					assert.Contains(t, flags, "clean")
				}
				for _, c := range []string{"flowetl", "flowmachine", "flowapi", "flowauth"} {
					assert.EqualValues(t, 0, *deployment(t, res, c).Spec.Replicas, c)
				}
				assert.EqualValues(t, 1, *charttest.Object[*appsv1.StatefulSet](t, res, "StatefulSet", "rel-flowkit-flowdb").Spec.Replicas, "databases keep running")
			},
		},
		{
			file:   "high-availability.yaml",
			want:   []string{"Deployment/rel-flowkit-flowauth", "PodDisruptionBudget/rel-flowkit-flowauth", "NetworkPolicy/rel-flowkit-flowdb"},
			absent: []string{"StatefulSet/rel-flowkit-redis", "StatefulSet/rel-flowkit-flowauth-postgresql"},
			check: func(t *testing.T, res *render.Result) {
				charttest.RequireHighAvailability(t, res, 3, "rel-flowkit-flowmachine", "rel-flowkit-flowapi", "rel-flowkit-flowauth")
			},
		},
	}
	entries, err := os.ReadDir(example(""))
	require.NoError(t, err)
	require.Len(t, entries, len(tests), "every example needs a case here")
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			res := renderWith(t, []string{example(tc.file)})
			charttest.RequireObjects(t, res, tc.want, tc.absent)
			tc.check(t, res)
		})
	}
}

// TestJWTKeyPairMatches: without jwt.existingSecret the chart generates a key pair whose public
// half, derived in the template, belongs to the private half.
func TestJWTKeyPairMatches(t *testing.T) {
	res := renderWith(t, nil)
	s := charttest.Object[*corev1.Secret](t, res, "Secret", "rel-flowkit-jwt")
	assert.Equal(t, "keep", s.Annotations["helm.sh/resource-policy"])

	block, _ := pem.Decode(s.Data["private-key"])
	require.NotNil(t, block, "private key is PEM")
	priv, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	require.NoError(t, err)
	block, rest := pem.Decode(s.Data["public-key"])
	require.NotNil(t, block, "public key is PEM")
	assert.Equal(t, "PUBLIC KEY", block.Type, "FlowAPI loads it with load_pem_public_key")
	assert.Empty(t, strings.TrimSpace(string(rest)))
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	require.NoError(t, err)
	rsaPub, ok := pub.(*rsa.PublicKey)
	require.True(t, ok, "public key is %T", pub)
	assert.True(t, priv.PublicKey.Equal(rsaPub), "public key must be the private key's")
	for _, line := range strings.Split(strings.TrimSpace(string(s.Data["public-key"])), "\n") {
		assert.LessOrEqual(t, len(line), 64, "PEM lines are wrapped at 64")
	}
}

func TestDefaultsGenerateEverySecretOnce(t *testing.T) {
	res := renderWith(t, nil)
	for name, keys := range map[string][]string{
		"rel-flowkit-flowdb":              {"postgres-password", "flowmachine-password", "flowapi-password"},
		"rel-flowkit-flowetl":             {"fernet-key", "admin-password"},
		"rel-flowkit-flowetl-postgresql":  {"password"},
		"rel-flowkit-flowapi":             {"flowapi-identifier"},
		"rel-flowkit-flowauth":            {"fernet-key", "secret-key", "admin-password"},
		"rel-flowkit-flowauth-postgresql": {"password"},
		"rel-flowkit-redis":               {"redis-password"},
		"rel-flowkit-jwt":                 {"private-key", "public-key"},
	} {
		s := charttest.Object[*corev1.Secret](t, res, "Secret", name)
		assert.Equal(t, "keep", s.Annotations["helm.sh/resource-policy"], "%s must survive uninstall", name)
		for _, k := range keys {
			assert.NotEmpty(t, s.Data[k], "%s/%s", name, k)
		}
	}
	for _, name := range []string{"rel-flowkit-flowetl", "rel-flowkit-flowauth"} {
		key := charttest.Object[*corev1.Secret](t, res, "Secret", name).Data["fernet-key"]
		raw, err := base64.URLEncoding.DecodeString(string(key))
		require.NoError(t, err, "%s: Fernet keys are url-safe base64", name)
		assert.Len(t, raw, 32, "%s: Fernet keys are 32 bytes", name)
	}
	db := charttest.Object[*corev1.Secret](t, res, "Secret", "rel-flowkit-flowdb")
	assert.NotEqual(t, db.Data["flowmachine-password"], db.Data["flowapi-password"], "each key gets its own value")
	require.Len(t, res.Hooks, 1, "the helm test pod")
	assert.Equal(t, []string{"test"}, res.Hooks[0].Hook)
	test := charttest.Object[*corev1.Pod](t, res, "Pod", "rel-flowkit-test-flowdb")
	env := charttest.Env(test.Spec.Containers[0])
	assert.Equal(t, "flowapi", env["PGUSER"])
	assert.Equal(t, []string{"db", "wait"}, test.Spec.Containers[0].Args[:2])
}

// pruneSchedule is the schedule rule of cache.pruning.frequency, restated as the oracle of the
// template: the longest period cron repeats exactly, not over f, whose multiple k·p is within
// 10% above f (else a minute); a run prunes when the last prune is at least k·p − p/2 old.
func pruneSchedule(f int64) (cron string, minInterval int64) {
	periods := []struct {
		p    int64
		cron string
	}{{604800, "0 0 * * 0"}, {86400, "0 0 * * *"}, {43200, "0 */12 * * *"}, {28800, "0 */8 * * *"}, {21600, "0 */6 * * *"},
		{14400, "0 */4 * * *"}, {10800, "0 */3 * * *"}, {7200, "0 */2 * * *"}, {3600, "0 * * * *"}, {1800, "*/30 * * * *"},
		{1200, "*/20 * * * *"}, {900, "*/15 * * * *"}, {720, "*/12 * * * *"}, {600, "*/10 * * * *"}, {360, "*/6 * * * *"},
		{300, "*/5 * * * *"}, {240, "*/4 * * * *"}, {180, "*/3 * * * *"}, {120, "*/2 * * * *"}, {60, "* * * * *"}}
	pick := periods[len(periods)-1]
	for _, c := range periods {
		if k := (f + c.p - 1) / c.p; c.p <= f && k*c.p*10 <= f*11 {
			pick = c
			break
		}
	}
	if k := (f + pick.p - 1) / pick.p; k > 1 {
		minInterval = k*pick.p - pick.p/2
	}
	return pick.cron, minInterval
}

func TestPruneCronJob(t *testing.T) {
	tests := []struct {
		frequency, timeout string
		schedule           string
		minInterval        string // --min-interval; "" when every run prunes
		deadline           int64
	}{
		{"86400", "600", "0 0 * * *", "", 660},
		{"3600", "600", "0 * * * *", "", 660},
		{"21600", "1800", "0 */6 * * *", "", 1860},
		{"43200", "600", "0 */12 * * *", "", 660},
		{"900", "300", "*/15 * * * *", "", 360},
		{"300", "120", "*/5 * * * *", "", 180},
		{"60", "30", "* * * * *", "", 90},
		{"604800", "3600", "0 0 * * 0", "", 3660},
		// Not a period cron repeats: a shorter schedule, and runs skipped in between.
		{"5400", "600", "*/30 * * * *", "4500s", 660},    // 3 × 30 min = 90 min
		{"7000", "600", "0 * * * *", "5400s", 660},       // 2 × 1 h = 7200 s, 3% over
		{"100000", "600", "0 */6 * * *", "97200s", 660},  // 5 × 6 h = 30 h, 8% over (2 days with 0 0 * * *)
		{"1000000", "600", "0 0 * * *", "993600s", 660},  // 12 days, 3.7% over
		{"90", "30", "* * * * *", "90s", 90},             // nothing closer than 2 min: every other run
		{"150", "30", "* * * * *", "150s", 90},           // every third minute
		{"2592000", "600", "0 0 * * *", "2548800s", 660}, // 30 days
	}
	for _, tc := range tests {
		t.Run(tc.frequency, func(t *testing.T) {
			res := renderWith(t, nil, "cache.pruning.frequency="+tc.frequency, "cache.pruning.timeout="+tc.timeout, "jwt.existingSecret=jwt")
			cj := cronJob(t, res)
			assert.Equal(t, tc.schedule, cj.Spec.Schedule)
			assert.Nil(t, cj.Spec.Suspend)
			assert.Equal(t, batchv1.ForbidConcurrent, cj.Spec.ConcurrencyPolicy)
			assert.Equal(t, tc.deadline, *cj.Spec.JobTemplate.Spec.ActiveDeadlineSeconds)
			pod := cj.Spec.JobTemplate.Spec.Template.Spec
			c := container(t, pod, "cache-prune")
			want := []string{"cache", "prune"}
			if tc.minInterval != "" {
				want = append(want, "--min-interval="+tc.minInterval)
			}
			assert.Equal(t, append(want, "--timeout="+tc.timeout+"s"), c.Args[:len(want)+1])
			assert.NotContains(t, c.Args, "--cascade", "FlowMachine's own pruner does not cascade")
			env := charttest.Env(c)
			assert.Equal(t, "flowmachine", env["PGUSER"], "the cache owner prunes")
			assert.Equal(t, "rel-flowkit-flowdb", env["PGHOST"])
			assert.Equal(t, "flowdb", env["PGDATABASE"])
			pw := volume(t, pod, "flotilla-db-password")
			assert.Equal(t, "rel-flowkit-flowdb", pw.Secret.SecretName)
			assert.Equal(t, "flowmachine-password", pw.Secret.Items[0].Key)
			assert.Equal(t, "315360000", envOf(t, res, "flowmachine")["FLOWMACHINE_CACHE_PRUNING_FREQUENCY"], "the CronJob replaces FlowMachine's own pruner")
		})
	}
	res := renderWith(t, nil, "cache.pruning.enabled=false", "cache.pruning.frequency=5400", "jwt.existingSecret=jwt")
	assert.Empty(t, res.Find("CronJob", "rel-flowkit-cache-prune"))
	assert.Equal(t, "5400", envOf(t, res, "flowmachine")["FLOWMACHINE_CACHE_PRUNING_FREQUENCY"], "without the CronJob FlowMachine prunes itself, at any frequency")
}

// TestPruneScheduleMatchesItsRule renders the schedule of many frequencies against the Go
// statement of the rule, and checks what the rule promises: runs no further apart than the
// frequency, prunes at most 10% later than it (unless even a minute is too coarse), margins of
// half a period on both sides of the skip decision.
func TestPruneScheduleMatchesItsRule(t *testing.T) {
	ch := loadChart(t)
	periodOf := map[string]int64{}
	for _, f := range []int64{60, 61, 119, 120, 121, 299, 301, 599, 601, 1000, 1799, 1801, 2500, 3599, 3601, 4000, 5000, 5400, 7199, 7201,
		9000, 10000, 12345, 20000, 30000, 40000, 50000, 86399, 86401, 90000, 100000, 172800, 200000, 400000, 604799, 604801, 700000, 1209600} {
		res, err := render.Render(ch, render.Options{ReleaseName: release, Namespace: "apps",
			Set: []string{"cache.pruning.frequency=" + strconv.FormatInt(f, 10), "jwt.existingSecret=jwt"}})
		require.NoError(t, err)
		cj := cronJob(t, res)
		cron, minInterval := pruneSchedule(f)
		assert.Equal(t, cron, cj.Spec.Schedule, "frequency %d", f)
		args := container(t, cj.Spec.JobTemplate.Spec.Template.Spec, "cache-prune").Args
		if minInterval == 0 {
			assert.NotContains(t, strings.Join(args, " "), "--min-interval", "frequency %d", f)
			continue
		}
		assert.Contains(t, args, fmt.Sprintf("--min-interval=%ds", minInterval), "frequency %d", f)
		if periodOf[cron] == 0 {
			periodOf[cron] = int64(map[string]int{"* * * * *": 60, "*/2 * * * *": 120, "*/3 * * * *": 180, "*/5 * * * *": 300,
				"*/10 * * * *": 600, "*/15 * * * *": 900, "*/20 * * * *": 1200, "*/30 * * * *": 1800, "0 * * * *": 3600,
				"0 */2 * * *": 7200, "0 */3 * * *": 10800, "0 */4 * * *": 14400, "0 */6 * * *": 21600, "0 */8 * * *": 28800,
				"0 */12 * * *": 43200, "0 0 * * *": 86400, "0 0 * * 0": 604800, "*/4 * * * *": 240, "*/6 * * * *": 360, "*/12 * * * *": 720}[cron])
		}
		p := periodOf[cron]
		require.NotZero(t, p, cron)
		k := (minInterval + p/2) / p
		assert.LessOrEqual(t, p, f, "runs no further apart than the frequency")
		assert.GreaterOrEqual(t, k*p, f, "prunes no more often than the frequency")
		if p > 60 {
			assert.LessOrEqual(t, k*p*10, f*11, "prunes at most 10%% late (frequency %d)", f)
		}
		assert.Equal(t, minInterval, k*p-p/2, "the skip threshold sits half a period from both neighbouring runs")
	}
}

func TestFlowDBVolumesAndDefaults(t *testing.T) {
	res := renderWith(t, nil, "scenario=db-etl", "flowdb.etl.existingClaim=cdr-drop", "flowdb.persistence.enabled=false")
	sts := charttest.Object[*appsv1.StatefulSet](t, res, "StatefulSet", "rel-flowkit-flowdb")
	pod := sts.Spec.Template.Spec
	etl := volume(t, pod, "etl")
	require.NotNil(t, etl.PersistentVolumeClaim)
	assert.Equal(t, "cdr-drop", etl.PersistentVolumeClaim.ClaimName)
	assert.True(t, etl.PersistentVolumeClaim.ReadOnly)
	m := mount(t, container(t, pod, "flowdb"), "etl")
	assert.Equal(t, "/etl", m.MountPath)
	assert.True(t, m.ReadOnly, "the guide mounts /etl read-only")
	assert.NotNil(t, volume(t, pod, "data").EmptyDir, "persistence off: emptyDir")
	assert.Empty(t, sts.Spec.VolumeClaimTemplates)
	env := charttest.Env(container(t, pod, "flowdb"))
	for _, k := range []string{"CACHE_SIZE", "CACHE_PROTECTED_PERIOD", "CACHE_HALF_LIFE", "MAX_CPUS", "SHARED_BUFFERS_SIZE", "MAX_WORKERS", "MAX_WORKERS_PER_GATHER", "EFFECTIVE_CACHE_SIZE"} {
		assert.NotContains(t, env, k, "unset values keep FlowDB's own default")
	}
	assert.EqualValues(t, 999, *pod.SecurityContext.RunAsUser, "postgres in the image by default")
	assert.Equal(t, "1Gi", volume(t, pod, "dshm").EmptyDir.SizeLimit.String())
}

func TestFlowETLDags(t *testing.T) {
	res := renderWith(t, nil, "scenario=db-etl", "flowetl.dagsClaim=dags")
	pod := deployment(t, res, "flowetl").Spec.Template.Spec
	assert.Equal(t, "dags", volume(t, pod, "dags").PersistentVolumeClaim.ClaimName)
	assert.Equal(t, "/opt/airflow/dags", mount(t, container(t, pod, "flowetl"), "dags").MountPath, "the image's DAGs folder")
	assert.EqualValues(t, 50000, *pod.SecurityContext.RunAsUser, "airflow in the image")
}

func TestFlowAPIServesTLSFromASecret(t *testing.T) {
	res := renderWith(t, nil, "flowapi.tls.existingSecret=flowapi-cert", "jwt.existingSecret=jwt")
	pod := deployment(t, res, "flowapi").Spec.Template.Spec
	v := volume(t, pod, "tls")
	require.NotNil(t, v.Secret)
	assert.Equal(t, "flowapi-cert", v.Secret.SecretName)
	assert.Equal(t, []corev1.KeyToPath{{Key: "tls.crt", Path: "cert-flowkit.pem"}, {Key: "tls.key", Path: "key-flowkit.pem"}}, v.Secret.Items)
	assert.Equal(t, "/run/secrets", mount(t, container(t, pod, "flowapi"), "tls").MountPath, "FlowAPI's start script looks there")
}

func TestFlowAuthSQLiteFallback(t *testing.T) {
	res := renderWith(t, nil, "flowauth.postgresql.enabled=false", "flowauth.cacheBackend=memory", "jwt.existingSecret=jwt")
	assert.NotContains(t, charttest.Names(res), "StatefulSet/rel-flowkit-flowauth-postgresql")
	d := deployment(t, res, "flowauth")
	assert.Equal(t, appsv1.RecreateDeploymentStrategyType, d.Spec.Strategy.Type, "one pod owns the SQLite file")
	assert.Empty(t, d.Spec.Template.Spec.InitContainers, "no database to wait for")
	env := envOf(t, res, "flowauth")
	assert.NotContains(t, env, "DB_URI", "no DB_URI: FlowAuth's SQLite fallback")
	assert.Equal(t, "MEMORY", env["FLOWAUTH_CACHE_BACKEND"])
}

func TestExternalDatabasesAndRedis(t *testing.T) {
	res := renderWith(t, nil, "jwt.existingSecret=jwt",
		"flowauth.postgresql.enabled=false", "flowauth.externalDatabase.host=pg.example", "flowauth.externalDatabase.existingSecret=auth-db",
		"flowetl.postgresql.enabled=false", "flowetl.externalDatabase.host=pg.example", "flowetl.externalDatabase.port=6432",
		"flowetl.externalDatabase.existingSecret=etl-db", "flowetl.externalDatabase.existingSecretPasswordKey=pw",
		"redis.enabled=false", "redis.external.host=redis.example", "redis.external.existingSecret=redis-creds")
	names := charttest.Names(res)
	for _, n := range []string{"StatefulSet/rel-flowkit-flowauth-postgresql", "StatefulSet/rel-flowkit-flowetl-postgresql", "StatefulSet/rel-flowkit-redis"} {
		assert.NotContains(t, names, n)
	}
	au := envOf(t, res, "flowauth")
	assert.Equal(t, "postgresql://flowauth:{}@pg.example:5432/flowauth", au["DB_URI"])
	assert.Equal(t, "secret:auth-db/password", au["FLOWAUTH_DB_PASSWORD"])
	etl := envOf(t, res, "flowetl")
	assert.Equal(t, "postgresql://flowetl:$(FLOWETL_POSTGRES_PASSWORD)@pg.example:6432/flowetl", etl["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
	assert.Equal(t, "secret:etl-db/pw", etl["FLOWETL_POSTGRES_PASSWORD"])
	m := envOf(t, res, "flowmachine")
	assert.Equal(t, "redis.example", m["REDIS_HOST"])
	assert.Equal(t, "secret:redis-creds/redis-password", m["REDIS_PASSWORD"])
}

// TestRenderMatchesHelm compares pkg/render with Helm's own `helm template` path for every
// example.
func TestRenderMatchesHelm(t *testing.T) {
	charttest.RequireHelmParity(t, "flowkit", example(""))
}

// TestSelectorsNeverOverlap: FlowDB, the bundled PostgreSQL instances (FlowETL's, FlowAuth's,
// AutoFlow's), Redis and the Deployments each select only their own pods.
func TestSelectorsNeverOverlap(t *testing.T) {
	res := renderWith(t, []string{example("full-queue.yaml")}, "autoflow.enabled=true", "autoflow.existingSecret=t", "autoflow.inputsClaim=in")
	type workload struct {
		name   string
		labels map[string]string
		sel    map[string]string
	}
	var all []workload
	for _, m := range res.Manifests {
		switch m.Kind {
		case "Deployment":
			d := charttest.Object[*appsv1.Deployment](t, res, m.Kind, m.Name)
			all = append(all, workload{m.Name, d.Spec.Template.Labels, d.Spec.Selector.MatchLabels})
		case "StatefulSet":
			s := charttest.Object[*appsv1.StatefulSet](t, res, m.Kind, m.Name)
			all = append(all, workload{m.Name, s.Spec.Template.Labels, s.Spec.Selector.MatchLabels})
		}
	}
	require.Len(t, all, 10, "flowdb, redis, 3 bundled databases, flowetl, flowmachine, flowapi, flowauth, autoflow")
	for _, a := range all {
		for _, b := range all {
			if a.name == b.name {
				continue
			}
			matches := true
			for k, v := range a.sel {
				if b.labels[k] != v {
					matches = false
				}
			}
			assert.False(t, matches, "%s's selector matches %s's pods", a.name, b.name)
		}
	}
}

func TestHookOffDropsTheWaits(t *testing.T) {
	res := renderWith(t, nil, "hook.enabled=false", "jwt.existingSecret=jwt")
	for _, c := range []string{"flowmachine", "flowapi", "flowauth", "flowetl"} {
		pod := deployment(t, res, c).Spec.Template.Spec
		assert.Empty(t, pod.InitContainers, c)
		for _, v := range pod.Volumes {
			assert.NotEqual(t, "flotilla-db-password", v.Name, "%s mounts a password it no longer uses", c)
		}
	}
	assert.NotEmpty(t, res.Find("CronJob", "rel-flowkit-cache-prune"), "the CronJob follows cache.pruning.enabled")
}

func TestHTTPRoutePublishesFlowAPI(t *testing.T) {
	res := renderWith(t, nil, "httpRoute.enabled=true", "httpRoute.parentRefs[0].name=gw", "httpRoute.hostnames[0]=api.example.org", "jwt.existingSecret=jwt")
	require.Len(t, res.Find("HTTPRoute", "rel-flowkit"), 1)
	assert.Contains(t, res.Find("HTTPRoute", "rel-flowkit")[0].YAML, "name: \"rel-flowkit\"\n          port: 9090")
}

// TestCacheJobs: the one-off Job templates are suspended CronJobs with the pruner's FlowDB role
// and Redis; QUERY_ID, CASCADE and FORCE come from their environment, which
// kubectl set env fills in on the copy.
func TestCacheJobs(t *testing.T) {
	tests := []struct {
		name     string
		set      []string
		noRedis  bool
		noJobs   bool
		redisSec string
	}{
		{name: "full", set: []string{"jwt.existingSecret=jwt"}, redisSec: "rel-flowkit-redis"},
		{name: "db-etl has no Redis", set: []string{"scenario=db-etl"}, noRedis: true},
		{name: "off", set: []string{"jwt.existingSecret=jwt", "cache.jobs.enabled=false"}, noJobs: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := renderWith(t, nil, tc.set...)
			if tc.noJobs {
				assert.Empty(t, res.Find("CronJob", "rel-flowkit-cache-invalidate"))
				assert.Empty(t, res.Find("CronJob", "rel-flowkit-cache-resync-redis"))
				return
			}
			inv := charttest.Object[*batchv1.CronJob](t, res, "CronJob", "rel-flowkit-cache-invalidate")
			require.NotNil(t, inv.Spec.Suspend)
			assert.True(t, *inv.Spec.Suspend, "a template: never runs on its own")
			c := container(t, inv.Spec.JobTemplate.Spec.Template.Spec, "cache-invalidate")
			assert.Equal(t, []string{"cache", "invalidate", "$(QUERY_ID)", "--cascade=$(CASCADE)"}, c.Args[:4])
			env := charttest.Env(c)
			assert.Equal(t, "", env["QUERY_ID"])
			assert.Equal(t, "false", env["CASCADE"])
			assert.Equal(t, "flowmachine", env["PGUSER"], "the cache tables' owner")
			assert.Equal(t, "rel-flowkit-flowdb", env["PGHOST"])
			resync := res.Find("CronJob", "rel-flowkit-cache-resync-redis")
			if tc.noRedis {
				assert.Contains(t, c.Args, "--no-redis", "no FlowMachine without Redis")
				assert.NotContains(t, env, "REDIS_HOST")
				assert.Empty(t, resync, "nothing to resync")
				return
			}
			assert.NotContains(t, c.Args, "--no-redis")
			assert.Contains(t, c.Args, "--redis-password-file=/run/flotilla/redis/password")
			assert.Equal(t, "rel-flowkit-redis", env["REDIS_HOST"])
			assert.Equal(t, tc.redisSec, volume(t, inv.Spec.JobTemplate.Spec.Template.Spec, "flotilla-redis-password").Secret.SecretName)
			rs := charttest.Object[*batchv1.CronJob](t, res, "CronJob", "rel-flowkit-cache-resync-redis")
			assert.True(t, *rs.Spec.Suspend)
			rc := container(t, rs.Spec.JobTemplate.Spec.Template.Spec, "cache-resync-redis")
			assert.Equal(t, []string{"cache", "resync-redis", "--force=$(FORCE)"}, rc.Args[:3])
			assert.Equal(t, "false", charttest.Env(rc)["FORCE"])
			// The Redis keys match only if flotilla-hook reaches FlowDB as FlowMachine does.
			fm := envOf(t, res, "flowmachine")
			assert.Equal(t, fm["FLOWDB_HOST"], env["PGHOST"])
			assert.Equal(t, fm["FLOWDB_PORT"], env["PGPORT"])
			assert.Equal(t, fm["REDIS_HOST"], env["REDIS_HOST"])
			assert.Equal(t, fm["REDIS_PORT"], env["REDIS_PORT"])
		})
	}
}

// TestWebInterfacesPublished: FlowAuth (outside the firewall, as the guide allows) and FlowETL's
// Airflow interface each get an Ingress and an HTTPRoute to their own Service when asked.
func TestWebInterfacesPublished(t *testing.T) {
	res := renderWith(t, nil, "jwt.existingSecret=jwt",
		"flowauth.ingress.enabled=true", "flowauth.ingress.hosts[0].host=auth.example.org", "flowauth.ingress.hosts[0].paths[0].path=/",
		"flowauth.ingress.hosts[0].paths[0].pathType=Prefix", "flowauth.ingress.tls[0].secretName=auth-tls", "flowauth.ingress.tls[0].hosts[0]=auth.example.org",
		"flowauth.httpRoute.enabled=true", "flowauth.httpRoute.parentRefs[0].name=gw", "flowauth.httpRoute.hostnames[0]=auth.example.org",
		"flowetl.ingress.enabled=true", "flowetl.ingress.hosts[0].host=etl.internal", "flowetl.ingress.hosts[0].paths[0].path=/",
		"flowetl.ingress.hosts[0].paths[0].pathType=Prefix",
		"flowetl.httpRoute.enabled=true", "flowetl.httpRoute.parentRefs[0].name=gw")
	for _, tc := range []struct{ component, host string }{{"flowauth", "auth.example.org"}, {"flowetl", "etl.internal"}} {
		ing := charttest.Object[*networkingv1.Ingress](t, res, "Ingress", "rel-flowkit-"+tc.component)
		assert.Equal(t, tc.host, ing.Spec.Rules[0].Host)
		backend := ing.Spec.Rules[0].HTTP.Paths[0].Backend.Service
		assert.Equal(t, "rel-flowkit-"+tc.component, backend.Name)
		assert.Equal(t, "http", backend.Port.Name)
		require.Len(t, res.Find("HTTPRoute", "rel-flowkit-"+tc.component), 1)
	}
	assert.Contains(t, res.Find("HTTPRoute", "rel-flowkit-flowauth")[0].YAML, "name: \"rel-flowkit-flowauth\"\n          port: 80")
	assert.Contains(t, res.Find("HTTPRoute", "rel-flowkit-flowetl")[0].YAML, "name: \"rel-flowkit-flowetl\"\n          port: 8080")
	assert.Empty(t, res.Find("Ingress", "rel-flowkit"), "FlowAPI's own Ingress stays off")

	off := renderWith(t, nil, "jwt.existingSecret=jwt")
	for _, kind := range []string{"Ingress", "HTTPRoute"} {
		for _, c := range []string{"flowauth", "flowetl"} {
			assert.Empty(t, off.Find(kind, "rel-flowkit-"+c), "off by default")
		}
	}
}

func TestFlowAuthCacheFileAndReset(t *testing.T) {
	env := envOf(t, renderWith(t, nil, "jwt.existingSecret=jwt"), "flowauth")
	assert.Equal(t, "/dev/shm/flowauth_last_used_cache", env["FLOWAUTH_CACHE_FILE"], "the guide's default")
	assert.NotContains(t, env, "RESET_FLOWAUTH_DB", "FlowAuth resets whenever the variable exists")

	env = envOf(t, renderWith(t, nil, "jwt.existingSecret=jwt", "flowauth.cacheFile=/tmp/2fa-cache", "flowauth.resetDb=true"), "flowauth")
	assert.Equal(t, "/tmp/2fa-cache", env["FLOWAUTH_CACHE_FILE"])
	assert.Equal(t, "true", env["RESET_FLOWAUTH_DB"])
}

// TestBackupNamesStayDistinctAndValid: with a long release name the release part of the
// backup objects' names is cut, never the database's, and every name fits Kubernetes' limits.
func TestBackupNamesStayDistinctAndValid(t *testing.T) {
	res, err := render.Render(loadChart(t), render.Options{ReleaseName: strings.Repeat("long-release-", 5), Namespace: "apps",
		Set: []string{"backup.enabled=true", "backup.s3.bucket=b", "backup.restore.enabled=true", "jwt.existingSecret=jwt"}})
	require.NoError(t, err)
	charttest.RequireStrict(t, res)
	seen := map[string]bool{}
	for _, m := range res.Manifests {
		limit := map[string]int{"CronJob": 52, "Job": 63}[m.Kind]
		if limit == 0 || !strings.Contains(m.Name, "-backup-") && !strings.Contains(m.Name, "-restore-") {
			continue
		}
		assert.LessOrEqual(t, len(m.Name), limit, m.Name)
		assert.False(t, seen[m.Name], "duplicate %s", m.Name)
		seen[m.Name] = true
	}
	for _, db := range []string{"flowdb", "flowetl", "flowauth"} {
		found := false
		for name := range seen {
			found = found || strings.Contains(name, "-backup-"+db) || strings.Contains(name, "-restore-"+db+"-")
		}
		assert.True(t, found, db)
	}
	assert.Len(t, seen, 6, "a CronJob and a restore Job per database of the full scenario (AutoFlow is off)")
}

// TestCacheCronJobNamesKeepTheirComponent: with a long release name the hook CronJobs' names are
// cut in the release part, so each keeps its component and none collides with another.
func TestCacheCronJobNamesKeepTheirComponent(t *testing.T) {
	res, err := render.Render(loadChart(t), render.Options{ReleaseName: strings.Repeat("long-release-", 5), Namespace: "apps",
		Set: []string{"jwt.existingSecret=jwt"}})
	require.NoError(t, err)
	for _, component := range []string{"cache-prune", "cache-invalidate", "cache-resync-redis"} {
		found := 0
		for _, m := range res.Manifests {
			if m.Kind == "CronJob" && strings.HasSuffix(m.Name, "-"+component) {
				found++
				assert.LessOrEqual(t, len(m.Name), 52, m.Name)
			}
		}
		assert.Equal(t, 1, found, component)
	}
}
