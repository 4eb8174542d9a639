package flagsmith_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
	"sigs.k8s.io/yaml"

	"helm.sh/helm/v3/pkg/chart"

	"github.com/flotilla/flotilla/pkg/charttest"
	"github.com/flotilla/flotilla/pkg/render"
)

const release = "rel"

func loadChart(t testing.TB) *chart.Chart {
	t.Helper()
	ch, err := render.Load(context.Background(), "flagsmith", render.LoadOptions{})
	require.NoError(t, err)
	return ch
}

func example(name string) string {
	return filepath.Join("..", "..", "..", "examples", "flagsmith", name)
}

func renderWith(t testing.TB, files []string, set ...string) *render.Result {
	t.Helper()
	res, err := render.Render(loadChart(t), render.Options{ReleaseName: release, Namespace: "apps", ValueFiles: files, Set: set})
	require.NoError(t, err)
	charttest.RequireStrict(t, res)
	charttest.RequireRestricted(t, res)
	return res
}

func initNames(pod corev1.PodTemplateSpec) []string {
	var out []string
	for _, c := range pod.Spec.InitContainers {
		out = append(out, c.Name)
	}
	return out
}

func secretValue(t testing.TB, res *render.Result, name, key string) string {
	t.Helper()
	s := charttest.Object[*corev1.Secret](t, res, "Secret", name)
	v, ok := s.Data[key]
	require.True(t, ok, "secret %s has no key %s", name, key)
	return string(v)
}

func TestExamplesProduceTheirTopology(t *testing.T) {
	api, tp, fe := "Deployment/rel-flagsmith", "Deployment/rel-flagsmith-task-processor", "Deployment/rel-flagsmith-frontend"
	tests := []struct {
		file   string
		want   []string // Kind/name that must exist
		absent []string // Kind/name that must not
		check  func(t *testing.T, res *render.Result)
	}{
		{
			file: "standalone.yaml",
			want: []string{api, fe, "StatefulSet/rel-flagsmith-postgresql", "Service/rel-flagsmith", "Service/rel-flagsmith-frontend",
				"Ingress/rel-flagsmith", "Ingress/rel-flagsmith-frontend"},
			absent: []string{tp, "StatefulSet/rel-flagsmith-redis", "StatefulSet/rel-flagsmith-influxdb", "Deployment/rel-flagsmith-pgbouncer",
				"Secret/rel-flagsmith-auth", "HorizontalPodAutoscaler/rel-flagsmith", "PodDisruptionBudget/rel-flagsmith-api"},
			check: func(t *testing.T, res *render.Result) {
				d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flagsmith")
				assert.EqualValues(t, 1, *d.Spec.Replicas)
				c := charttest.Container(t, d.Spec.Template, "api")
				assert.Equal(t, []string{"/app/scripts/run-docker.sh"}, c.Command)
				assert.Equal(t, []string{"serve"}, c.Args)
				assert.Equal(t, "docker.io/flagsmith/flagsmith-api:2.223.0", c.Image)
				env := charttest.Env(c)
				assert.Equal(t, "SEPARATE_THREAD", env["TASK_RUN_METHOD"], "standalone runs tasks in-process")
				assert.Equal(t, "secret:flagsmith-auth/django-secret-key", env["DJANGO_SECRET_KEY"])
				assert.Equal(t, "rel-flagsmith-postgresql", env["DJANGO_DB_HOST"])
				assert.Equal(t, "5432", env["DJANGO_DB_PORT"])
				assert.Equal(t, "flagsmith", env["DJANGO_DB_NAME"])
				assert.Equal(t, "secret:rel-flagsmith-postgresql/password", env["DJANGO_DB_PASSWORD"])
				assert.Equal(t, "false", env["ENABLE_TELEMETRY"], "telemetry is opt-in")
				assert.Equal(t, "true", env["TELEMETRY_DISABLED"])
				assert.Equal(t, "https://flagsmith.example.com", env["DJANGO_CSRF_TRUSTED_ORIGINS"], "derived from the frontend Ingress")
				assert.Equal(t, "flagsmith.example.com", env["FLAGSMITH_DOMAIN"])
				assert.Equal(t, "django.core.mail.backends.console.EmailBackend", env["EMAIL_BACKEND"])
				assert.NotContains(t, env, "INFLUXDB_URL")
				assert.NotContains(t, env, "ENVIRONMENT_CACHE_BACKEND", "no Redis: in-process caches")
				assert.Equal(t, "/health/readiness/", c.ReadinessProbe.HTTPGet.Path)
				assert.Equal(t, "/health/liveness/", c.LivenessProbe.HTTPGet.Path, "liveness must not depend on the database")
				assert.Equal(t, []string{"db-wait", "migrate"}, initNames(d.Spec.Template), "bundled database: wait for it, then migrate, before serving")
				assert.Equal(t, []string{"migrate"}, d.Spec.Template.Spec.InitContainers[1].Args)
				assert.Equal(t, "strong-db-password", secretValue(t, res, "rel-flagsmith-postgresql", "password"))

				f := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flagsmith-frontend")
				fc := charttest.Container(t, f.Spec.Template, "frontend")
				assert.Equal(t, "docker.io/flagsmith/flagsmith-frontend:2.223.0", fc.Image)
				fenv := charttest.Env(fc)
				assert.Equal(t, "http://rel-flagsmith:8000/", fenv["FLAGSMITH_PROXY_API_URL"])
				assert.Equal(t, "false", fenv["ENABLE_INFLUXDB_FEATURES"])
				assert.NotContains(t, fenv, "FLAGSMITH_ON_FLAGSMITH_API_KEY")
				assert.Equal(t, "/health", fc.ReadinessProbe.HTTPGet.Path)

				ing := charttest.Object[*networkingv1.Ingress](t, res, "Ingress", "rel-flagsmith-frontend")
				assert.Equal(t, "rel-flagsmith-frontend", ing.Spec.Rules[0].HTTP.Paths[0].Backend.Service.Name)
				assert.Equal(t, "letsencrypt-prod", ing.Annotations["cert-manager.io/cluster-issuer"])
				apiIng := charttest.Object[*networkingv1.Ingress](t, res, "Ingress", "rel-flagsmith")
				assert.Equal(t, "api.flagsmith.example.com", apiIng.Spec.Rules[0].Host)
				assert.Equal(t, "rel-flagsmith", apiIng.Spec.Rules[0].HTTP.Paths[0].Backend.Service.Name)
				assert.Empty(t, res.Find("Job", ""), "no migration Job with the bundled database")
				assert.Contains(t, res.Notes, "Topology: standalone")
				assert.Contains(t, res.Notes, "Open the dashboard at https://flagsmith.example.com")
				assert.Contains(t, res.Notes, `the "migrate" init container`)
			},
		},
		{
			file: "queue.yaml",
			want: []string{api, tp, fe, "Service/rel-flagsmith-task-processor", "StatefulSet/rel-flagsmith-redis", "Deployment/rel-flagsmith-pgbouncer",
				"Service/rel-flagsmith-pgbouncer", "HorizontalPodAutoscaler/rel-flagsmith", "HorizontalPodAutoscaler/rel-flagsmith-task-processor",
				"PodDisruptionBudget/rel-flagsmith-api", "PodDisruptionBudget/rel-flagsmith-task-processor", "PodDisruptionBudget/rel-flagsmith-frontend",
				"PodDisruptionBudget/rel-flagsmith-pgbouncer"},
			absent: []string{"StatefulSet/rel-flagsmith-influxdb", "Ingress/rel-flagsmith"},
			check: func(t *testing.T, res *render.Result) {
				d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flagsmith")
				w := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flagsmith-task-processor")
				assert.Nil(t, d.Spec.Replicas, "the HPA owns the API's replica count")
				assert.Nil(t, w.Spec.Replicas, "the HPA owns the task processor's replica count")
				ac, wc := charttest.Container(t, d.Spec.Template, "api"), charttest.Container(t, w.Spec.Template, "task-processor")
				assert.Equal(t, []string{"run-task-processor"}, wc.Args)
				aenv, wenv := charttest.Env(ac), charttest.Env(wc)
				for _, k := range []string{"DJANGO_SECRET_KEY", "DJANGO_DB_HOST", "DJANGO_DB_PASSWORD", "TASK_RUN_METHOD", "ENVIRONMENT_CACHE_LOCATION", "REDIS_PASSWORD"} {
					assert.Equal(t, aenv[k], wenv[k], "API and task processor must agree on %s", k)
				}
				assert.Equal(t, "TASK_PROCESSOR", wenv["TASK_RUN_METHOD"])
				assert.Equal(t, "10", wenv["TASK_PROCESSOR_NUM_THREADS"])
				assert.NotContains(t, aenv, "TASK_PROCESSOR_NUM_THREADS", "task processor settings stay on its pods")
				assert.Equal(t, "rel-flagsmith-pgbouncer", aenv["DJANGO_DB_HOST"], "pods go through PgBouncer")
				assert.Equal(t, "django_redis.cache.RedisCache", aenv["ENVIRONMENT_CACHE_BACKEND"])
				assert.Equal(t, "redis://:$(REDIS_PASSWORD)@rel-flagsmith-redis:6379/0", aenv["ENVIRONMENT_CACHE_LOCATION"])
				assert.Equal(t, "secret:rel-flagsmith-redis/redis-password", aenv["REDIS_PASSWORD"])
				assert.Equal(t, "strong-redis-password", secretValue(t, res, "rel-flagsmith-redis", "redis-password"))
				assert.Equal(t, "/health/readiness/", wc.ReadinessProbe.HTTPGet.Path, "the task processor has its own probes")
				assert.NotNil(t, wc.LivenessProbe)
				assert.Equal(t, []string{"db-wait"}, initNames(w.Spec.Template), "run-task-processor waits for the migrations itself")
				mig := d.Spec.Template.Spec.InitContainers[1]
				assert.Equal(t, "rel-flagsmith-postgresql", charttest.Env(mig)["DJANGO_DB_HOST"], "migrations bypass PgBouncer")

				hpa := charttest.Object[*autoscalingv2.HorizontalPodAutoscaler](t, res, "HorizontalPodAutoscaler", "rel-flagsmith-task-processor")
				assert.EqualValues(t, 2, *hpa.Spec.MinReplicas)
				assert.EqualValues(t, 4, hpa.Spec.MaxReplicas)
				assert.Equal(t, "rel-flagsmith-task-processor", hpa.Spec.ScaleTargetRef.Name)
				apiHPA := charttest.Object[*autoscalingv2.HorizontalPodAutoscaler](t, res, "HorizontalPodAutoscaler", "rel-flagsmith")
				require.Len(t, apiHPA.Spec.Metrics, 1)
				assert.EqualValues(t, 75, *apiHPA.Spec.Metrics[0].Resource.Target.AverageUtilization)

				pgb := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flagsmith-pgbouncer")
				pc := charttest.Container(t, pgb.Spec.Template, "pgbouncer")
				assert.Equal(t, "docker.io/edoburu/pgbouncer:v1.25.1-p0", pc.Image)
				var mounts []string
				for _, m := range pc.VolumeMounts {
					mounts = append(mounts, m.MountPath)
				}
				assert.Subset(t, mounts, []string{"/etc/pgbouncer", "/var/run/pgbouncer"}, "the entrypoint writes its config and socket there; the root filesystem is read-only")
				penv := charttest.Env(pc)
				assert.Equal(t, "rel-flagsmith-postgresql", penv["DB_HOST"])
				assert.Equal(t, "secret:rel-flagsmith-postgresql/password", penv["DB_PASSWORD"])
				assert.Equal(t, "session", penv["POOL_MODE"])
				pdb := charttest.Object[*policyv1.PodDisruptionBudget](t, res, "PodDisruptionBudget", "rel-flagsmith-task-processor")
				assert.Equal(t, "task-processor", pdb.Spec.Selector.MatchLabels["app.kubernetes.io/component"])
				assert.Contains(t, res.Notes, "task processor: 2-4 (HPA)")
			},
		},
		{
			file:   "external-postgresql.yaml",
			want:   []string{api, fe},
			absent: []string{tp, "StatefulSet/rel-flagsmith-postgresql", "Secret/rel-flagsmith-postgresql", "Secret/rel-flagsmith-external-db"},
			check: func(t *testing.T, res *render.Result) {
				d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flagsmith")
				assert.Empty(t, d.Spec.Template.Spec.InitContainers, "external database: the hook Job migrates")
				env := charttest.Env(charttest.Container(t, d.Spec.Template, "api"))
				assert.Equal(t, "postgres.database.svc.cluster.local", env["DJANGO_DB_HOST"])
				assert.Equal(t, "secret:flagsmith-db-credentials/password", env["DJANGO_DB_PASSWORD"])
				assert.Equal(t, "sgbackend.SendGridBackend", env["EMAIL_BACKEND"])
				assert.Equal(t, "secret:flagsmith-sendgrid/sendgrid-api-key", env["SENDGRID_API_KEY"])
				assert.Equal(t, "flagsmith@example.com", env["SENDER_EMAIL"])
				assert.Equal(t, "Iv1.0123456789abcdef", env["GITHUB_CLIENT_ID"])
				assert.Equal(t, "secret:flagsmith-github-oauth/client-secret", env["GITHUB_CLIENT_SECRET"])
				assert.Equal(t, "flagsmith.example.com", env["FLAGSMITH_DOMAIN"])
				assert.Contains(t, res.Notes, "external PostgreSQL at postgres.database.svc.cluster.local:5432")
				assert.Contains(t, res.Notes, "job/rel-flagsmith-migrate")
			},
		},
		{
			file:   "influxdb.yaml",
			want:   []string{api, fe, "StatefulSet/rel-flagsmith-influxdb", "Service/rel-flagsmith-influxdb", "ConfigMap/rel-flagsmith-influxdb-init"},
			absent: []string{tp, "Secret/rel-flagsmith-influxdb"},
			check: func(t *testing.T, res *render.Result) {
				d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flagsmith")
				env := charttest.Env(charttest.Container(t, d.Spec.Template, "api"))
				assert.Equal(t, "http://rel-flagsmith-influxdb:8086", env["INFLUXDB_URL"])
				assert.Equal(t, "flagsmith", env["INFLUXDB_ORG"])
				assert.Equal(t, "flagsmith_api", env["INFLUXDB_BUCKET"])
				assert.Equal(t, "secret:flagsmith-influxdb/admin-token", env["INFLUXDB_TOKEN"])
				sts := charttest.Object[*appsv1.StatefulSet](t, res, "StatefulSet", "rel-flagsmith-influxdb")
				ic := sts.Spec.Template.Spec.Containers[0]
				assert.Equal(t, "docker.io/library/influxdb:2.7", ic.Image)
				ienv := charttest.Env(ic)
				assert.Equal(t, "setup", ienv["DOCKER_INFLUXDB_INIT_MODE"])
				assert.Equal(t, "flagsmith_api", ienv["DOCKER_INFLUXDB_INIT_BUCKET"])
				assert.Equal(t, "secret:flagsmith-influxdb/admin-token", ienv["DOCKER_INFLUXDB_INIT_ADMIN_TOKEN"], "the API's token is the admin token set up")
				assert.Equal(t, "secret:flagsmith-influxdb/admin-password", ienv["DOCKER_INFLUXDB_INIT_PASSWORD"])
				assert.Equal(t, "20Gi", sts.Spec.VolumeClaimTemplates[0].Spec.Resources.Requests.Storage().String())
				assert.NotContains(t, ienv, "DOCKER_INFLUXDB_INIT_RETENTION", "empty retention: keep forever")
				cm := charttest.Object[*corev1.ConfigMap](t, res, "ConfigMap", "rel-flagsmith-influxdb-init")
				assert.Contains(t, cm.Data["10-flagsmith.sh"], `--name "flagsmith_api_downsampled_15m"`)
				assert.Contains(t, cm.Data["downsample.flux"], `from(bucket: "flagsmith_api")`)
				assert.Contains(t, cm.Data["downsample.flux"], `to(bucket: "flagsmith_api_downsampled_15m")`)
				assert.Contains(t, cm.Data["downsample.flux"], "every: 15m")
				fenv := charttest.Env(charttest.Container(t, charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flagsmith-frontend").Spec.Template, "frontend"))
				assert.Equal(t, "true", fenv["ENABLE_INFLUXDB_FEATURES"])
				assert.Equal(t, "ABCdefGHIjklMNOpqrSTU", fenv["FLAGSMITH_ON_FLAGSMITH_API_KEY"])
				assert.Equal(t, "ABCdefGHIjklMNOpqrSTU", fenv["FLAGSMITH"], "the seed's variable name")
				assert.Equal(t, "https://flagsmith.example.com/api/v1/", fenv["FLAGSMITH_ON_FLAGSMITH_API_URL"])
				assert.Equal(t, "https://flagsmith.example.com/api/v1/", fenv["FLAGSMITH_CLIENT_API"], "the seed's variable name")
				assert.Contains(t, res.Notes, "buckets flagsmith_api and flagsmith_api_downsampled_15m")
			},
		},
		{
			file: "backup.yaml",
			want: []string{api, "CronJob/rel-flagsmith-backup"},
			check: func(t *testing.T, res *render.Result) {
				cj, flags := charttest.BackupCronJob(t, res, "rel-flagsmith-backup")
				assert.Equal(t, "0 */6 * * *", cj.Spec.Schedule)
				assert.Equal(t, "eu-west-1", flags["s3-region"])
				assert.Equal(t, "7d", flags["keep-within"])
				assert.Equal(t, "0", flags["keep-last"])
				assert.NotContains(t, flags, "s3-endpoint", "AWS S3")
				env := charttest.Env(charttest.Container(t, cj.Spec.JobTemplate.Spec.Template, "backup"))
				assert.Equal(t, "rel-flagsmith-postgresql", env["PGHOST"], "never through PgBouncer")
				assert.Equal(t, "flagsmith", env["PGDATABASE"])
				assert.Equal(t, "disable", env["PGSSLMODE"])
			},
		},
		{
			file:   "restore.yaml",
			want:   []string{api},
			absent: []string{"CronJob/rel-flagsmith-backup"},
			check: func(t *testing.T, res *render.Result) {
				_, flags := charttest.RestoreJob(t, res, "rel-flagsmith-restore-")
				assert.Equal(t, "flagsmith", flags["from-release"])
				assert.Equal(t, "latest", flags["backup"])
				d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flagsmith")
				assert.EqualValues(t, 0, *d.Spec.Replicas, "restore mode stops the API")
			},
		},
		{
			file:   "high-availability.yaml",
			want:   []string{api, tp, fe, "Deployment/rel-flagsmith-pgbouncer", "PodDisruptionBudget/rel-flagsmith-api", "NetworkPolicy/rel-flagsmith-pgbouncer"},
			absent: []string{"StatefulSet/rel-flagsmith-postgresql", "StatefulSet/rel-flagsmith-redis", "NetworkPolicy/rel-flagsmith-postgresql"},
			check: func(t *testing.T, res *render.Result) {
				charttest.RequireHighAvailability(t, res, 3, "rel-flagsmith", "rel-flagsmith-task-processor", "rel-flagsmith-frontend", "rel-flagsmith-pgbouncer")
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

func TestEveryExampleHasATest(t *testing.T) {
	entries, err := os.ReadDir(example(""))
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.ElementsMatch(t, []string{"standalone.yaml", "queue.yaml", "external-postgresql.yaml", "influxdb.yaml", "backup.yaml", "restore.yaml", "high-availability.yaml"}, names,
		"a new example needs a case in TestExamplesProduceTheirTopology")
}

func TestDefaultsGenerateSecretsOnce(t *testing.T) {
	res := renderWith(t, nil, "influxdb.enabled=true", "influxdb.retention=30d")
	for name, keys := range map[string][]string{
		"rel-flagsmith-auth":       {"django-secret-key"},
		"rel-flagsmith-postgresql": {"password"},
		"rel-flagsmith-influxdb":   {"admin-password", "admin-token"},
	} {
		s := charttest.Object[*corev1.Secret](t, res, "Secret", name)
		assert.Equal(t, "keep", s.Annotations["helm.sh/resource-policy"], "%s must survive uninstall", name)
		for _, k := range keys {
			assert.NotEmpty(t, s.Data[k], "%s/%s", name, k)
		}
	}
	assert.Len(t, secretValue(t, res, "rel-flagsmith-auth", "django-secret-key"), 50)
	sts := charttest.Object[*appsv1.StatefulSet](t, res, "StatefulSet", "rel-flagsmith-influxdb")
	ienv := charttest.Env(sts.Spec.Template.Spec.Containers[0])
	assert.Equal(t, "secret:rel-flagsmith-influxdb/admin-token", ienv["DOCKER_INFLUXDB_INIT_ADMIN_TOKEN"])
	assert.Equal(t, "30d", ienv["DOCKER_INFLUXDB_INIT_RETENTION"])
	d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flagsmith")
	env := charttest.Env(charttest.Container(t, d.Spec.Template, "api"))
	assert.Equal(t, "secret:rel-flagsmith-auth/django-secret-key", env["DJANGO_SECRET_KEY"])
	assert.Equal(t, "secret:rel-flagsmith-influxdb/admin-token", env["INFLUXDB_TOKEN"])
	assert.NotContains(t, env, "DJANGO_CSRF_TRUSTED_ORIGINS", "nothing to derive without an Ingress")
	assert.Contains(t, res.Notes, "port-forward svc/rel-flagsmith-frontend 8080")
	require.Len(t, res.Hooks, 1, "the helm test pod")
	assert.Equal(t, []string{"test"}, res.Hooks[0].Hook)
	pod := charttest.Object[*corev1.Pod](t, res, "Pod", "rel-flagsmith-test-api")
	assert.Equal(t, "python", pod.Spec.Containers[0].Command[0])
	assert.Equal(t, "http://rel-flagsmith:8000/health/readiness/", charttest.Env(pod.Spec.Containers[0])["URL"])
}

func TestExternalServicesAndOptions(t *testing.T) {
	res := renderWith(t, []string{example("external-postgresql.yaml")},
		"architecture.mode=queue",
		"redis.external.host=redis.example", "redis.external.existingSecret=redis-creds", "redis.external.tls=true",
		"influxdb.external.url=https://influx.example", "influxdb.external.existingSecret=influx-token",
		"email.backend=smtp", "email.smtp.host=smtp.example", "email.smtp.existingSecret=smtp-creds", "email.smtp.username=fs",
		"staticFiles.s3.enabled=true", "staticFiles.s3.bucketName=static", "staticFiles.s3.existingSecret=aws",
		"api.extraEnv[0].name=EXTRA", "api.extraEnv[0].value=one",
		"taskProcessor.extraEnv[0].name=TP_ONLY", "taskProcessor.extraEnv[0].value=two",
		"frontend.enabled=false", "frontend.replicaCount=2", "telemetry.enabled=true",
	)
	names := charttest.Names(res)
	assert.NotContains(t, names, "StatefulSet/rel-flagsmith-redis")
	assert.NotContains(t, names, "StatefulSet/rel-flagsmith-influxdb")
	assert.NotContains(t, names, "Deployment/rel-flagsmith-frontend")
	assert.NotContains(t, names, "PodDisruptionBudget/rel-flagsmith-frontend")
	w := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flagsmith-task-processor")
	env := charttest.Env(charttest.Container(t, w.Spec.Template, "task-processor"))
	assert.Equal(t, "rediss://:$(REDIS_PASSWORD)@redis.example:6379/2", env["USER_THROTTLE_CACHE_LOCATION"])
	assert.Equal(t, "secret:redis-creds/redis-password", env["REDIS_PASSWORD"])
	assert.Equal(t, "https://influx.example", env["INFLUXDB_URL"])
	assert.Equal(t, "secret:influx-token/admin-token", env["INFLUXDB_TOKEN"])
	assert.Equal(t, "smtp.example", env["EMAIL_HOST"])
	assert.Equal(t, "secret:smtp-creds/password", env["EMAIL_HOST_PASSWORD"])
	assert.Equal(t, "true", env["USE_S3_STORAGE"])
	assert.Equal(t, "static", env["AWS_STORAGE_BUCKET_NAME"])
	assert.Equal(t, "secret:aws/access-key-id", env["AWS_ACCESS_KEY_ID"])
	assert.Equal(t, "true", env["ENABLE_TELEMETRY"])
	assert.NotContains(t, env, "TELEMETRY_DISABLED")
	assert.NotContains(t, env, "USE_X_FORWARDED_HOST", "no dashboard proxying the API")
	assert.Equal(t, "one", env["EXTRA"], "api.extraEnv reaches the task processor too")
	assert.Equal(t, "two", env["TP_ONLY"])
	a := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flagsmith")
	assert.NotContains(t, charttest.Env(charttest.Container(t, a.Spec.Template, "api")), "TP_ONLY")
}

func TestHTTPRoutes(t *testing.T) {
	res := renderWith(t, nil,
		"httpRoute.enabled=true", "httpRoute.parentRefs[0].name=gw", "httpRoute.hostnames[0]=api.example.org",
		"frontend.httpRoute.enabled=true", "frontend.httpRoute.parentRefs[0].name=gw", "frontend.httpRoute.hostnames[0]=flags.example.org")
	api := charttest.Object[*gatewayv1.HTTPRoute](t, res, "HTTPRoute", "rel-flagsmith")
	assert.Equal(t, gatewayv1.ObjectName("rel-flagsmith"), api.Spec.Rules[0].BackendRefs[0].Name)
	assert.EqualValues(t, 8000, *api.Spec.Rules[0].BackendRefs[0].Port)
	fe := charttest.Object[*gatewayv1.HTTPRoute](t, res, "HTTPRoute", "rel-flagsmith-frontend")
	assert.Equal(t, gatewayv1.ObjectName("rel-flagsmith-frontend"), fe.Spec.Rules[0].BackendRefs[0].Name)
	assert.EqualValues(t, 8080, *fe.Spec.Rules[0].BackendRefs[0].Port)
	d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flagsmith")
	env := charttest.Env(charttest.Container(t, d.Spec.Template, "api"))
	assert.Equal(t, "https://flags.example.org", env["DJANGO_CSRF_TRUSTED_ORIGINS"], "derived from the frontend HTTPRoute")
	assert.Equal(t, "flags.example.org", env["FLAGSMITH_DOMAIN"])
	assert.Equal(t, "true", env["USE_X_FORWARDED_HOST"], "the dashboard proxies the API")
}

func TestUnifiedImageWithoutFrontend(t *testing.T) {
	res := renderWith(t, nil, "frontend.enabled=false", "api.image.repository=docker.io/flagsmith/flagsmith",
		"frontend.flagsmithOnFlagsmith.apiKey=key", "frontend.flagsmithOnFlagsmith.apiUrl=https://f.example/api/v1/")
	assert.Empty(t, res.Find("Deployment", "rel-flagsmith-frontend"))
	d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flagsmith")
	c := charttest.Container(t, d.Spec.Template, "api")
	assert.Equal(t, "docker.io/flagsmith/flagsmith:2.223.0", c.Image)
	env := charttest.Env(c)
	assert.Equal(t, "key", env["FLAGSMITH_ON_FLAGSMITH_API_KEY"], "the unified image serves the dashboard config from the API")
	assert.Equal(t, "https://f.example/api/v1/", env["FLAGSMITH_ON_FLAGSMITH_API_URL"])
	assert.Equal(t, "true", env["DISABLE_ANALYTICS_FEATURES"], "no InfluxDB")

	res = renderWith(t, []string{example("influxdb.yaml")})
	d = charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flagsmith")
	assert.NotContains(t, charttest.Env(charttest.Container(t, d.Spec.Template, "api")), "FLAGSMITH_ON_FLAGSMITH_API_KEY", "the dashboard pods get it")
}

func TestDatabaseURLFromASecret(t *testing.T) {
	res := renderWith(t, []string{example("external-postgresql.yaml")},
		"database.external.host=", "database.external.existingSecret=", "database.external.urlExistingSecret=flagsmith-db-url")
	d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flagsmith")
	env := charttest.Env(charttest.Container(t, d.Spec.Template, "api"))
	assert.Equal(t, "secret:flagsmith-db-url/database-url", env["DATABASE_URL"])
	assert.NotContains(t, env, "DJANGO_DB_HOST")
	job := migrationJob(t, res)
	assert.Equal(t, "secret:flagsmith-db-url/database-url", charttest.Env(job.Spec.Template.Spec.Containers[0])["DATABASE_URL"])
}

func TestAutoscalingBoundsAreChecked(t *testing.T) {
	// Both HPAs wrong: both problems at once, with their field paths.
	_, err := render.Render(loadChart(t), render.Options{Set: []string{"architecture.mode=queue",
		"api.autoscaling.enabled=true", "api.autoscaling.minReplicas=5", "api.autoscaling.maxReplicas=2",
		"taskProcessor.autoscaling.enabled=true", "taskProcessor.autoscaling.minReplicas=4", "taskProcessor.autoscaling.maxReplicas=3"}})
	var ve *render.ValidationError
	require.True(t, errors.As(err, &ve), "want a ValidationError, got %v", err)
	assert.Equal(t, []render.Problem{
		{Path: "api.autoscaling.minReplicas", Message: "api.autoscaling.minReplicas (5) must not exceed api.autoscaling.maxReplicas (2)"},
		{Path: "taskProcessor.autoscaling.minReplicas", Message: "taskProcessor.autoscaling.minReplicas (4) must not exceed taskProcessor.autoscaling.maxReplicas (3)"},
	}, ve.Problems)
	_, helmErr := charttest.HelmTemplate(loadChart(t), charttest.Doc(t, "architecture: {mode: queue}\napi: {autoscaling: {enabled: true, minReplicas: 5, maxReplicas: 2}}"), "rel", "apps")
	require.Error(t, helmErr)
	assert.Contains(t, helmErr.Error(), "- api.autoscaling.minReplicas: api.autoscaling.minReplicas (5) must not exceed", "helm prints the same problem")
	_, err = render.Render(loadChart(t), render.Options{Set: []string{"api.autoscaling.enabled=true", "api.autoscaling.minReplicas=2", "api.autoscaling.maxReplicas=2"}})
	require.NoError(t, err)
}

// The ServiceMonitor has no Go type here (no Prometheus Operator dependency), so it is checked
// as YAML: it must select the API and task processor Services by their http port.
func TestServiceMonitor(t *testing.T) {
	res, err := render.Render(loadChart(t), render.Options{ReleaseName: release, ValueFiles: []string{example("queue.yaml")},
		Set: []string{"serviceMonitor.enabled=true", "serviceMonitor.interval=30s", "serviceMonitor.labels.release=prom"}})
	require.NoError(t, err)
	sms := res.Find("ServiceMonitor", "rel-flagsmith")
	require.Len(t, sms, 1)
	assert.Equal(t, "monitoring.coreos.com/v1", sms[0].APIVersion)
	var sm struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name   string            `json:"name"`
			Labels map[string]string `json:"labels"`
		} `json:"metadata"`
		Spec struct {
			Selector struct {
				MatchLabels      map[string]string `json:"matchLabels"`
				MatchExpressions []struct {
					Key      string   `json:"key"`
					Operator string   `json:"operator"`
					Values   []string `json:"values"`
				} `json:"matchExpressions"`
			} `json:"selector"`
			NamespaceSelector struct {
				MatchNames []string `json:"matchNames"`
			} `json:"namespaceSelector"`
			Endpoints []struct {
				Port          string `json:"port"`
				Path          string `json:"path"`
				Interval      string `json:"interval"`
				ScrapeTimeout string `json:"scrapeTimeout"`
			} `json:"endpoints"`
		} `json:"spec"`
	}
	require.NoError(t, yaml.UnmarshalStrict([]byte(sms[0].YAML), &sm, yaml.DisallowUnknownFields), "unexpected fields")
	assert.Equal(t, "prom", sm.Metadata.Labels["release"])
	assert.Equal(t, []string{"api", "task-processor"}, sm.Spec.Selector.MatchExpressions[0].Values)
	require.Len(t, sm.Spec.Endpoints, 1)
	assert.Equal(t, "http", sm.Spec.Endpoints[0].Port)
	assert.Equal(t, "/metrics", sm.Spec.Endpoints[0].Path)
	assert.Equal(t, "30s", sm.Spec.Endpoints[0].Interval)
	for _, svc := range []string{"rel-flagsmith", "rel-flagsmith-task-processor"} {
		s := charttest.Object[*corev1.Service](t, res, "Service", svc)
		assert.Equal(t, "http", s.Spec.Ports[0].Name, "%s: the ServiceMonitor scrapes the http port", svc)
	}
	assert.Empty(t, renderWith(t, nil).Find("ServiceMonitor", ""), "off by default: it needs the Prometheus Operator's CRDs")
}

// TestRenderMatchesHelm compares pkg/render with Helm's own `helm template` path for every
// example.
func TestRenderMatchesHelm(t *testing.T) {
	charttest.RequireHelmParity(t, "flagsmith", example(""))
}
