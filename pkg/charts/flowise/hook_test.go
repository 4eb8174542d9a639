package flowise_test

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/flotilla/flotilla/pkg/charttest"
	"github.com/flotilla/flotilla/pkg/render"
)

func hookJob(t *testing.T, res *render.Result) *batchv1.Job {
	t.Helper()
	jobs := res.Find("Job", "rel-flowise-db-bootstrap")
	require.Len(t, jobs, 1)
	job, err := charttest.Typed(jobs[0])
	require.NoError(t, err)
	return job.(*batchv1.Job)
}

func passwordVolume(t *testing.T, pod corev1.PodSpec) string {
	t.Helper()
	for _, v := range pod.Volumes {
		if v.Name == "flotilla-db-password" {
			require.NotNil(t, v.Secret)
			require.Len(t, v.Secret.Items, 1)
			return v.Secret.SecretName + "/" + v.Secret.Items[0].Key
		}
	}
	t.Fatal("no flotilla-db-password volume")
	return ""
}

func TestExternalPostgresIsBootstrappedByAHookJob(t *testing.T) {
	res := renderWith(t, []string{example("external-postgresql.yaml")})
	var hook render.Manifest
	for _, h := range res.Hooks {
		if h.Kind == "Job" {
			hook = h
		}
	}
	assert.Equal(t, []string{"pre-install", "pre-upgrade"}, hook.Hook)
	job := hookJob(t, res)
	assert.Equal(t, "before-hook-creation,hook-succeeded", job.Annotations["helm.sh/hook-delete-policy"])
	assert.EqualValues(t, 3, *job.Spec.BackoffLimit)
	assert.EqualValues(t, 600, *job.Spec.ActiveDeadlineSeconds)
	assert.Empty(t, job.Spec.Template.Spec.ServiceAccountName, "the release's ServiceAccount does not exist yet at pre-install")
	c := job.Spec.Template.Spec.Containers[0]
	assert.Equal(t, "ghcr.io/flotilla/flotilla-hook:0.1.0", c.Image)
	assert.Equal(t, []string{"db", "bootstrap", "--extension=uuid-ossp", "--timeout=5m", "--password-file=/run/flotilla/db/password", "--log-format=json"}, c.Args)
	env := charttest.Env(c)
	assert.Equal(t, map[string]string{"PGHOST": "postgres.database.svc.cluster.local", "PGPORT": "5432", "PGDATABASE": "flowise", "PGUSER": "flowise", "PGSSLMODE": "prefer"}, env)
	assert.Equal(t, "flowise-db-credentials/database-password", passwordVolume(t, job.Spec.Template.Spec))
	d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise")
	assert.Empty(t, d.Spec.Template.Spec.InitContainers, "with the Job, pods don't bootstrap")
}

func TestInlineExternalPasswordIsAnEarlierHook(t *testing.T) {
	res := renderWith(t, []string{example("external-postgresql.yaml")},
		"database.external.existingSecret=", "database.external.password=pw", "database.external.ssl=true")
	secrets := res.Find("Secret", "rel-flowise-external-db")
	require.Len(t, secrets, 1)
	assert.Equal(t, []string{"pre-install", "pre-upgrade"}, secrets[0].Hook, "the Job's Secret must exist before the Job")
	s := charttest.Object[*corev1.Secret](t, res, "Secret", "rel-flowise-external-db")
	assert.Equal(t, "-5", s.Annotations["helm.sh/hook-weight"])
	assert.Equal(t, "before-hook-creation", s.Annotations["helm.sh/hook-delete-policy"], "kept after the hook: the pods read it too")
	job := hookJob(t, res)
	assert.Equal(t, "0", job.Annotations["helm.sh/hook-weight"])
	assert.Equal(t, "rel-flowise-external-db/database-password", passwordVolume(t, job.Spec.Template.Spec))
	hookEnv := charttest.Env(job.Spec.Template.Spec.Containers[0])
	assert.Equal(t, "verify-full", hookEnv["PGSSLMODE"], "Flowise verifies plain ssl against the system CAs: so does the hook")
	assert.Equal(t, "system", hookEnv["PGSSLROOTCERT"])
}

func TestInitContainerModeForGitOps(t *testing.T) {
	res := renderWith(t, []string{example("external-postgresql.yaml")}, "hook.mode=initContainer")
	assert.Empty(t, res.Find("Job", ""), "no hook Job in initContainer mode")
	d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise")
	require.Len(t, d.Spec.Template.Spec.InitContainers, 1)
	ic := d.Spec.Template.Spec.InitContainers[0]
	assert.Equal(t, "db-bootstrap", ic.Name)
	assert.Equal(t, "bootstrap", ic.Args[1])
	assert.Equal(t, "flowise-db-credentials/database-password", passwordVolume(t, d.Spec.Template.Spec))
}

func TestBundledPostgresPodsWaitForIt(t *testing.T) {
	res := renderWith(t, []string{example("queue.yaml")})
	assert.Empty(t, res.Find("Job", ""), "the bundled database creates uuid-ossp at first init")
	for _, name := range []string{"rel-flowise", "rel-flowise-worker"} {
		d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", name)
		require.Len(t, d.Spec.Template.Spec.InitContainers, 1, name)
		ic := d.Spec.Template.Spec.InitContainers[0]
		assert.Equal(t, "db-wait", ic.Name)
		assert.Equal(t, []string{"db", "wait", "--retry-missing-database"}, ic.Args[:3])
		assert.Equal(t, "rel-flowise-postgresql", charttest.Env(ic)["PGHOST"])
		assert.Equal(t, "disable", charttest.Env(ic)["PGSSLMODE"])
		assert.Equal(t, "rel-flowise-postgresql/password", passwordVolume(t, d.Spec.Template.Spec))
	}
}

func TestHookOffAndNonPostgres(t *testing.T) {
	for name, set := range map[string][]string{
		"disabled": {"hook.enabled=false"},
		"mysql":    {"database.external.vendor=mysql"},
	} {
		t.Run(name, func(t *testing.T) {
			res := renderWith(t, []string{example("external-postgresql.yaml")}, set...)
			assert.Empty(t, res.Find("Job", ""))
			d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise")
			assert.Empty(t, d.Spec.Template.Spec.InitContainers)
		})
	}
	res := renderWith(t, nil)
	assert.Empty(t, res.Find("Job", ""), "SQLite needs no hook")
}

// TestUpgradeRecreatesRedisWithANewGoverningService: the bundled Redis moved from its ClusterIP
// Service to a headless governing one; an upgrade over 0.1.0's StatefulSet deletes it
// (orphaning its pod and claim) in a pre-upgrade hook.
func TestUpgradeRecreatesRedisWithANewGoverningService(t *testing.T) {
	data, err := os.ReadFile(example("queue.yaml"))
	require.NoError(t, err)
	charttest.RequireStatefulSetMigration(t, "flowise", charttest.Doc(t, string(data)), []string{"rel-flowise-redis"})
}
