package charttest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/flotilla/flotilla/pkg/render"
)

// BackupCronJob returns the backup CronJob name of res after checking what every backup needs:
// no overlapping runs, deadlines, history limits and the pod BackupPod checks. It returns the
// container's flags as name → value ("" for a bare flag).
func BackupCronJob(t testing.TB, res *render.Result, name string) (*batchv1.CronJob, map[string]string) {
	t.Helper()
	cj := Object[*batchv1.CronJob](t, res, "CronJob", name)
	assert.Equal(t, batchv1.ForbidConcurrent, cj.Spec.ConcurrencyPolicy)
	require.NotNil(t, cj.Spec.StartingDeadlineSeconds)
	require.NotNil(t, cj.Spec.JobTemplate.Spec.ActiveDeadlineSeconds)
	require.NotNil(t, cj.Spec.SuccessfulJobsHistoryLimit)
	require.NotNil(t, cj.Spec.FailedJobsHistoryLimit)
	flags := BackupPod(t, cj.Spec.JobTemplate.Spec.Template, "backup")
	assert.Equal(t, "create", flags["command"])
	return cj, flags
}

// RestoreJob returns the one restore Job of res whose name starts with prefix, and its flags.
func RestoreJob(t testing.TB, res *render.Result, prefix string) (*batchv1.Job, map[string]string) {
	t.Helper()
	var found []render.Manifest
	for _, m := range res.Manifests {
		if m.Kind == "Job" && strings.HasPrefix(m.Name, prefix) {
			found = append(found, m)
		}
	}
	require.Len(t, found, 1, "want one restore Job named %s<hash>", prefix)
	job := Object[*batchv1.Job](t, res, "Job", found[0].Name)
	require.NotNil(t, job.Spec.ActiveDeadlineSeconds)
	flags := BackupPod(t, job.Spec.Template, "restore")
	assert.Equal(t, "restore", flags["command"])
	return job, flags
}

// BackupPod checks a backup or restore pod: an init container of the flotilla-hook image stages
// the binary into the emptyDir that the postgres container runs it from, with the database
// password as a file. It returns the container's flags ("command" → the backup subcommand).
func BackupPod(t testing.TB, pod corev1.PodTemplateSpec, container string) map[string]string {
	t.Helper()
	require.Len(t, pod.Spec.InitContainers, 1)
	stage := pod.Spec.InitContainers[0]
	assert.Contains(t, stage.Image, "flotilla-hook")
	assert.Equal(t, []string{"backup", "stage", "/flotilla", "--log-format=json"}, stage.Args)
	c := Container(t, pod, container)
	assert.Contains(t, c.Image, "postgres")
	assert.Equal(t, []string{"/flotilla/flotilla-hook"}, c.Command)
	mounts := map[string]string{}
	for _, m := range c.VolumeMounts {
		mounts[m.Name] = m.MountPath
	}
	assert.Equal(t, "/flotilla", mounts["flotilla"])
	assert.Equal(t, "/run/flotilla/db", mounts["flotilla-db-password"])
	flags := map[string]string{}
	require.GreaterOrEqual(t, len(c.Args), 2)
	flags["command"] = c.Args[1]
	for _, a := range c.Args[2:] {
		k, v, _ := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		flags[k] = v
	}
	assert.Equal(t, "/run/flotilla/db/password", flags["password-file"])
	assert.NotEmpty(t, flags["s3-bucket"])
	assert.NotEmpty(t, flags["release"])
	assert.NotEmpty(t, Env(c)["PGHOST"])
	return flags
}
