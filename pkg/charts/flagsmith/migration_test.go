package flagsmith_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/flotilla/flotilla/pkg/charttest"
	"github.com/flotilla/flotilla/pkg/render"
)

func migrationJob(t *testing.T, res *render.Result) *batchv1.Job {
	t.Helper()
	jobs := res.Find("Job", "rel-flagsmith-migrate")
	require.Len(t, jobs, 1)
	job, err := charttest.Typed(jobs[0])
	require.NoError(t, err)
	return job.(*batchv1.Job)
}

func TestExternalDatabaseIsMigratedByAPreInstallJob(t *testing.T) {
	res := renderWith(t, []string{example("external-postgresql.yaml")}, "pgbouncer.enabled=true")
	jobs := res.Find("Job", "rel-flagsmith-migrate")
	require.Len(t, jobs, 1)
	assert.Equal(t, []string{"pre-install", "pre-upgrade"}, jobs[0].Hook, "the schema is migrated before any new pod starts")
	job := migrationJob(t, res)
	assert.Equal(t, "0", job.Annotations["helm.sh/hook-weight"])
	assert.Equal(t, "before-hook-creation,hook-succeeded", job.Annotations["helm.sh/hook-delete-policy"])
	assert.EqualValues(t, 3, *job.Spec.BackoffLimit)
	assert.Empty(t, job.Spec.Template.Spec.ServiceAccountName, "the release's ServiceAccount does not exist yet at pre-install")
	c := job.Spec.Template.Spec.Containers[0]
	assert.Equal(t, []string{"/app/scripts/run-docker.sh"}, c.Command)
	assert.Equal(t, []string{"migrate"}, c.Args)
	env := charttest.Env(c)
	assert.Equal(t, "postgres.database.svc.cluster.local", env["DJANGO_DB_HOST"], "migrations bypass PgBouncer")
	assert.Equal(t, "secret:flagsmith-db-credentials/password", env["DJANGO_DB_PASSWORD"])
	assert.NotContains(t, env, "DJANGO_SECRET_KEY", "migrate needs no secret key, so the generated one need not be a hook")
	d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flagsmith")
	assert.Empty(t, d.Spec.Template.Spec.InitContainers, "external database: neither wait nor migrate in the pods")
	assert.Equal(t, "rel-flagsmith-pgbouncer", charttest.Env(charttest.Container(t, d.Spec.Template, "api"))["DJANGO_DB_HOST"])
	pgb := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flagsmith-pgbouncer")
	assert.Equal(t, "postgres.database.svc.cluster.local", charttest.Env(charttest.Container(t, pgb.Spec.Template, "pgbouncer"))["DB_HOST"])
}

func TestInlineExternalPasswordIsAnEarlierHook(t *testing.T) {
	res := renderWith(t, []string{example("external-postgresql.yaml")}, "database.external.existingSecret=", "database.external.password=pw")
	secrets := res.Find("Secret", "rel-flagsmith-external-db")
	require.Len(t, secrets, 1)
	assert.Equal(t, []string{"pre-install", "pre-upgrade"}, secrets[0].Hook, "the Job's Secret must exist before the Job")
	s := charttest.Object[*corev1.Secret](t, res, "Secret", "rel-flagsmith-external-db")
	assert.Equal(t, "-5", s.Annotations["helm.sh/hook-weight"])
	assert.Equal(t, "before-hook-creation", s.Annotations["helm.sh/hook-delete-policy"], "kept after the hook: the pods read it too")
	assert.Equal(t, "pw", secretValue(t, res, "rel-flagsmith-external-db", "password"))
	assert.Equal(t, "secret:rel-flagsmith-external-db/password", charttest.Env(migrationJob(t, res).Spec.Template.Spec.Containers[0])["DJANGO_DB_PASSWORD"])

	// In init container mode nothing runs before the release's objects: a plain Secret.
	res = renderWith(t, []string{example("external-postgresql.yaml")}, "database.external.existingSecret=", "database.external.password=pw", "migration.mode=initContainer")
	secrets = res.Find("Secret", "rel-flagsmith-external-db")
	require.Len(t, secrets, 1)
	assert.Empty(t, secrets[0].Hook)
}

func TestMigrationModes(t *testing.T) {
	tests := []struct {
		name     string
		files    []string
		set      []string
		wantJob  bool
		wantInit []string // init containers of the API pods
	}{
		{"bundled database, auto", []string{example("standalone.yaml")}, nil, false, []string{"db-wait", "migrate"}},
		{"bundled database, initContainer", []string{example("standalone.yaml")}, []string{"migration.mode=initContainer"}, false, []string{"db-wait", "migrate"}},
		{"bundled database, hook off", []string{example("standalone.yaml")}, []string{"hook.enabled=false"}, false, []string{"migrate"}},
		{"external database, auto", []string{example("external-postgresql.yaml")}, nil, true, nil},
		{"external database, initContainer for GitOps", []string{example("external-postgresql.yaml")}, []string{"migration.mode=initContainer"}, false, []string{"migrate"}},
		{"external database, job", []string{example("external-postgresql.yaml")}, []string{"migration.mode=job"}, true, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := renderWith(t, tc.files, tc.set...)
			assert.Equal(t, tc.wantJob, len(res.Find("Job", "rel-flagsmith-migrate")) == 1)
			d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flagsmith")
			assert.Equal(t, tc.wantInit, initNames(d.Spec.Template))
		})
	}
}

func TestPodsWaitForTheBundledDatabase(t *testing.T) {
	res := renderWith(t, []string{example("queue.yaml")})
	for _, name := range []string{"rel-flagsmith", "rel-flagsmith-task-processor"} {
		d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", name)
		ic := d.Spec.Template.Spec.InitContainers[0]
		assert.Equal(t, "db-wait", ic.Name, name)
		assert.Equal(t, "ghcr.io/flotilla/flotilla-hook:0.1.0", ic.Image)
		assert.Equal(t, []string{"db", "wait", "--retry-missing-database", "--timeout=5m"}, ic.Args[:4])
		env := charttest.Env(ic)
		assert.Equal(t, "rel-flagsmith-postgresql", env["PGHOST"], "the database itself, not PgBouncer")
		assert.Equal(t, "flagsmith", env["PGDATABASE"])
		var volume string
		for _, v := range d.Spec.Template.Spec.Volumes {
			if v.Name == "flotilla-db-password" {
				volume = v.Secret.SecretName + "/" + v.Secret.Items[0].Key
			}
		}
		assert.Equal(t, "rel-flagsmith-postgresql/password", volume, name)
	}
}
