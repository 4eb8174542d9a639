package flowise_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/flotilla/flotilla/pkg/charttest"
)

// external is an external PostgreSQL the cases vary.
var external = []string{"database.mode=external", "database.external.host=pg.example", "database.external.existingSecret=db"}

// queueExternal is queue mode on an external PostgreSQL and Redis.
var queueExternal = append([]string{"architecture.mode=queue", "persistence.enabled=false", "storage.type=s3", "storage.s3.bucketName=b",
	"redis.external.host=redis.example", "redis.external.port=6380", "redis.external.tls=true"}, external...)

func volume(t *testing.T, pod corev1.PodSpec, name string) corev1.Volume {
	t.Helper()
	for _, v := range pod.Volumes {
		if v.Name == name {
			return v
		}
	}
	t.Fatalf("no volume %s", name)
	return corev1.Volume{}
}

func mounts(c corev1.Container) map[string]string {
	out := map[string]string{}
	for _, m := range c.VolumeMounts {
		out[m.Name] = m.MountPath
	}
	return out
}

// Regression: DATABASE_SSL_KEY_BASE64 got the Secret's raw PEM, which Flowise base64-decodes.
// The PEM is now mounted and encoded in the pod; verification is on unless turned off.
func TestDatabaseCAIsMountedAndEncodedInThePod(t *testing.T) {
	tests := []struct {
		name       string
		set        []string
		reject     string
		hookMode   string
		hookCAFile string
	}{
		{"verified by default", []string{"database.external.ssl=true", "database.external.sslExistingSecret=pg-ca"}, "true", "verify-full", "/run/flotilla/db-ca/ca.crt"},
		{"verification turned off", []string{"database.external.ssl=true", "database.external.sslExistingSecret=pg-ca", "database.external.sslRejectUnauthorized=false"}, "false", "require", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := renderWith(t, nil, append(append([]string{}, external...), tc.set...)...)
			d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise")
			c := charttest.Container(t, d.Spec.Template, "flowise")
			env := charttest.Env(c)
			assert.NotContains(t, env, "DATABASE_SSL_KEY_BASE64")
			assert.Equal(t, "DATABASE_SSL_KEY_BASE64=/run/flotilla/db-ssl/ca.crt", env["FLOTILLA_BASE64_ENV_FILES"])
			assert.Equal(t, "--require /opt/flotilla/preload.js", env["NODE_OPTIONS"])
			assert.Equal(t, tc.reject, env["DATABASE_REJECT_UNAUTHORIZED"])
			assert.Equal(t, "/run/flotilla/db-ssl", mounts(c)["db-ssl"])
			v := volume(t, d.Spec.Template.Spec, "db-ssl")
			require.NotNil(t, v.Secret)
			assert.Equal(t, "pg-ca", v.Secret.SecretName)
			assert.Equal(t, []corev1.KeyToPath{{Key: "ca.crt", Path: "ca.crt"}}, v.Secret.Items)
			cm := charttest.Object[*corev1.ConfigMap](t, res, "ConfigMap", "rel-flowise-runtime")
			assert.Contains(t, cm.Data["preload.js"], "toString('base64')")

			job := hookJob(t, res)
			hookEnv := charttest.Env(job.Spec.Template.Spec.Containers[0])
			assert.Equal(t, tc.hookMode, hookEnv["PGSSLMODE"], "the hook verifies exactly when Flowise does")
			assert.Equal(t, tc.hookCAFile, hookEnv["PGSSLROOTCERT"])
		})
	}
}

// Regression: redis.external.tls had no way to pass REDIS_CA / REDIS_CERT / REDIS_KEY.
func TestRedisTLSMaterial(t *testing.T) {
	res := renderWith(t, nil, append(append([]string{}, queueExternal...),
		"tls.redis.existingSecret=redis-tls", "tls.redis.certKey=tls.crt", "tls.redis.keyKey=tls.key")...)
	for _, name := range []string{"rel-flowise", "rel-flowise-worker"} {
		d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", name)
		c := d.Spec.Template.Spec.Containers[0]
		env := charttest.Env(c)
		assert.Equal(t, "REDIS_CA=/run/flotilla/redis-tls/ca.crt,REDIS_CERT=/run/flotilla/redis-tls/tls.crt,REDIS_KEY=/run/flotilla/redis-tls/tls.key", env["FLOTILLA_BASE64_ENV_FILES"], name)
		assert.Equal(t, "true", env["REDIS_TLS"])
		assert.Equal(t, "/run/flotilla/redis-tls", mounts(c)["redis-tls"])
		v := volume(t, d.Spec.Template.Spec, "redis-tls")
		assert.Equal(t, []corev1.KeyToPath{{Key: "ca.crt", Path: "ca.crt"}, {Key: "tls.crt", Path: "tls.crt"}, {Key: "tls.key", Path: "tls.key"}}, v.Secret.Items)
	}
}

// A CA bundle for everything else (S3, plain DATABASE_SSL=true, LLM APIs): NODE_EXTRA_CA_CERTS;
// the hook verifies plain ssl against it.
func TestCABundle(t *testing.T) {
	for _, src := range []string{"existingSecret", "existingConfigMap"} {
		t.Run(src, func(t *testing.T) {
			res := renderWith(t, nil, append(append([]string{}, external...), "database.external.ssl=true", "tls.caBundle."+src+"=corp-ca", "tls.caBundle.key=bundle.pem")...)
			d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise")
			c := charttest.Container(t, d.Spec.Template, "flowise")
			assert.Equal(t, "/run/flotilla/ca/ca.crt", charttest.Env(c)["NODE_EXTRA_CA_CERTS"])
			assert.Equal(t, "/run/flotilla/ca", mounts(c)["ca-bundle"])
			v := volume(t, d.Spec.Template.Spec, "ca-bundle")
			items := []corev1.KeyToPath{{Key: "bundle.pem", Path: "ca.crt"}}
			if src == "existingSecret" {
				assert.Equal(t, items, v.Secret.Items)
			} else {
				assert.Equal(t, items, v.ConfigMap.Items)
			}
			assert.Empty(t, res.Find("ConfigMap", "rel-flowise-runtime"), "nothing to preload")
			job := hookJob(t, res)
			hookEnv := charttest.Env(job.Spec.Template.Spec.Containers[0])
			assert.Equal(t, "verify-full", hookEnv["PGSSLMODE"])
			assert.Equal(t, "/run/flotilla/db-ca/ca.crt", hookEnv["PGSSLROOTCERT"])
			hv := volume(t, job.Spec.Template.Spec, "flotilla-db-ca")
			if src == "existingSecret" {
				assert.Equal(t, "corp-ca", hv.Secret.SecretName)
			} else {
				assert.Equal(t, "corp-ca", hv.ConfigMap.Name)
			}
		})
	}
}

// A NODE_OPTIONS of the user's own keeps the preload instead of replacing it.
func TestUserNodeOptionsKeepThePreload(t *testing.T) {
	res := renderWith(t, nil, append(append([]string{}, queueExternal...),
		"queue.worker.extraEnv[0].name=NODE_OPTIONS", "queue.worker.extraEnv[0].value=--max-old-space-size=2048")...)
	w := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise-worker")
	c := charttest.Container(t, w.Spec.Template, "worker")
	var values []string
	for _, e := range c.Env {
		if e.Name == "NODE_OPTIONS" {
			values = append(values, e.Value)
		}
	}
	assert.Equal(t, []string{"--max-old-space-size=2048 --require /opt/flotilla/preload.js"}, values)
}

// Regression: DISABLE_FLOWISE_TELEMETRY is not read by Flowise 3.1.1; POSTHOG_PUBLIC_API_KEY is.
func TestTelemetry(t *testing.T) {
	for _, tc := range []struct {
		set   string
		key   string
		isSet bool
	}{{"flowise.disableTelemetry=true", "", true}, {"flowise.disableTelemetry=false", "", false}} {
		res := renderWith(t, nil, tc.set)
		env := charttest.Env(charttest.Container(t, charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise").Spec.Template, "flowise"))
		v, ok := env["POSTHOG_PUBLIC_API_KEY"]
		assert.Equal(t, tc.isSet, ok, tc.set)
		assert.Equal(t, tc.key, v)
		assert.NotContains(t, env, "DISABLE_FLOWISE_TELEMETRY", "Flowise 3.1.1 does not read it")
	}
}

// Regression: the worker's probes were a bare TCP connect to Redis.
func TestWorkerProbes(t *testing.T) {
	res := renderWith(t, []string{example("queue.yaml")})
	w := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise-worker")
	c := charttest.Container(t, w.Spec.Template, "worker")
	assert.Equal(t, []string{"node", "/opt/flotilla/probe.js", "ready"}, c.ReadinessProbe.Exec.Command)
	assert.Equal(t, []string{"node", "/opt/flotilla/probe.js", "live"}, c.LivenessProbe.Exec.Command)
	assert.Equal(t, []string{"node", "/opt/flotilla/probe.js", "live"}, c.StartupProbe.Exec.Command)
	assert.Equal(t, "/tmp/flotilla-worker-heartbeat", charttest.Env(c)["FLOTILLA_HEARTBEAT_FILE"])
	m := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise")
	assert.Equal(t, "/api/v1/ping", charttest.Container(t, m.Spec.Template, "flowise").ReadinessProbe.HTTPGet.Path)
}

// The admin credential is for the bootstrap Job only: never in a Flowise pod.
func TestHookAdminCredential(t *testing.T) {
	res := renderWith(t, []string{example("external-postgresql.yaml")},
		"database.external.adminExistingSecret=pg-admin", "database.external.adminExistingSecretUsernameKey=user")
	job := hookJob(t, res)
	c := job.Spec.Template.Spec.Containers[0]
	for _, e := range c.Env {
		if e.Name == "PGUSER" {
			require.NotNil(t, e.ValueFrom)
			assert.Equal(t, "pg-admin", e.ValueFrom.SecretKeyRef.Name)
			assert.Equal(t, "user", e.ValueFrom.SecretKeyRef.Key)
		}
	}
	assert.Equal(t, "pg-admin/password", passwordVolume(t, job.Spec.Template.Spec))
	for _, m := range res.Manifests {
		assert.NotContains(t, m.YAML, "pg-admin", "%s %s must not reference the admin credential", m.Kind, m.Name)
	}
	d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise")
	assert.Equal(t, "flowise", charttest.Env(charttest.Container(t, d.Spec.Template, "flowise"))["DATABASE_USER"])
}

// Standalone SQLite has nothing to preload: no ConfigMap, no NODE_OPTIONS.
func TestNoPreloadWhenNothingNeedsIt(t *testing.T) {
	res := renderWith(t, []string{example("standalone-sqlite.yaml")})
	assert.Empty(t, res.Find("ConfigMap", "rel-flowise-runtime"))
	d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise")
	assert.False(t, strings.Contains(d.Spec.Template.String(), "NODE_OPTIONS"))
}
