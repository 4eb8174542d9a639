package flowise_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/flotilla/flotilla/pkg/charttest"
	"github.com/flotilla/flotilla/pkg/render"
)

// crd decodes a custom resource of res (validated against its pinned CRD by charttest.Object).
func crd(t *testing.T, res *render.Result, kind, name string) map[string]any {
	t.Helper()
	return charttest.Object[*unstructured.Unstructured](t, res, kind, name).Object
}

func nested(t *testing.T, obj map[string]any, path ...string) any {
	t.Helper()
	v, found, err := unstructured.NestedFieldNoCopy(obj, path...)
	require.NoError(t, err)
	require.True(t, found, "%v not set", path)
	return v
}

// TestEveryDataServiceCombination renders every combination the schema allows of the bundled
// PostgreSQL's mode, the blob storage and the scaling of main and worker pods, decodes every
// object strictly (Kubernetes types, the CloudNativePG and KEDA CRD schemas pinned in
// pkg/charttest/testdata/crds), checks restricted Pod Security and what each choice renders.
func TestEveryDataServiceCombination(t *testing.T) {
	storage := map[string][]string{
		"local": {"storage.type=local"},
		"s3":    {"storage.type=s3", "storage.s3.bucketName=blobs", "storage.s3.existingSecret=s3-creds"},
		"gcs":   {"storage.type=gcs", "storage.gcs.bucketName=blobs", "storage.gcs.projectId=proj", "storage.gcs.existingSecret=gcs-key"},
		"azure": {"storage.type=azure", "storage.azure.containerName=blobs", "storage.azure.accountName=acct", "storage.azure.existingSecret=az"},
	}
	scaling := map[string][]string{
		"fixed":        nil,
		"hpa":          {"flowise.autoscaling.enabled=true", "flowise.autoscaling.maxReplicas=4", "queue.worker.autoscaling.enabled=true", "queue.worker.autoscaling.maxReplicas=6"},
		"keda":         {"queue.worker.autoscaling.keda.enabled=true", "queue.worker.autoscaling.keda.minReplicaCount=0", "queue.worker.autoscaling.keda.maxReplicaCount=8"},
		"hpa-and-keda": {"flowise.autoscaling.enabled=true", "queue.worker.autoscaling.keda.enabled=true"},
	}
	type combo struct{ arch, pg, storage, scaling string }
	var combos []combo
	for _, pg := range []string{"standalone", "cloudnative-pg"} {
		for _, st := range []string{"local", "s3", "gcs", "azure"} {
			combos = append(combos, combo{"standalone", pg, st, "fixed"})
		}
		for _, st := range []string{"s3", "gcs", "azure"} { // queue mode refuses local storage
			for _, sc := range []string{"fixed", "hpa", "keda", "hpa-and-keda"} {
				combos = append(combos, combo{"queue", pg, st, sc})
			}
		}
	}
	ch := loadChart(t)
	for _, c := range combos {
		t.Run(fmt.Sprintf("%s/%s/%s/%s", c.arch, c.pg, c.storage, c.scaling), func(t *testing.T) {
			set := []string{"postgresql.enabled=true", "postgresql.mode=" + c.pg}
			if c.arch == "queue" {
				set = append(set, "architecture.mode=queue", "persistence.enabled=false", "redis.enabled=true")
			}
			set = append(append(set, storage[c.storage]...), scaling[c.scaling]...)
			res, err := render.Render(ch, render.Options{ReleaseName: release, Namespace: "apps", Set: set})
			require.NoError(t, err)
			charttest.RequireStrict(t, res)
			charttest.RequireRestricted(t, res)
			if c.pg == "cloudnative-pg" {
				charttest.RequireCloudNativePGAdmitted(t, res)
			}

			main := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise")
			env := charttest.Env(charttest.Container(t, main.Spec.Template, "flowise"))
			checkPostgreSQL(t, res, c.pg, env, main)
			checkStorage(t, c.storage, env, main.Spec.Template)
			if c.arch == "queue" {
				worker := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise-worker")
				wenv := charttest.Env(charttest.Container(t, worker.Spec.Template, "worker"))
				for _, k := range []string{"DATABASE_HOST", "DATABASE_PASSWORD", "STORAGE_TYPE", "GOOGLE_CLOUD_STORAGE_CREDENTIAL", "AZURE_BLOB_STORAGE_ACCOUNT_KEY"} {
					assert.Equal(t, env[k], wenv[k], "main and workers agree on %s", k)
				}
				checkStorage(t, c.storage, wenv, worker.Spec.Template)
				checkScaling(t, res, c.scaling, main, worker)
			} else {
				assert.Empty(t, res.Find("HorizontalPodAutoscaler", ""))
				assert.Empty(t, res.Find("ScaledObject", ""))
			}
		})
	}
}

func checkPostgreSQL(t *testing.T, res *render.Result, mode string, env map[string]string, main *appsv1.Deployment) {
	t.Helper()
	// The app's wiring is the same in both modes: the chart's Secret, key password.
	assert.Equal(t, "secret:rel-flowise-postgresql/password", env["DATABASE_PASSWORD"])
	assert.Equal(t, "flowise", env["DATABASE_USER"])
	waitHost := charttest.Env(main.Spec.Template.Spec.InitContainers[0])["PGHOST"]
	if mode == "standalone" {
		charttest.RequireObjects(t, res, []string{"StatefulSet/rel-flowise-postgresql", "Service/rel-flowise-postgresql"}, []string{"Cluster/rel-flowise-postgresql"})
		assert.Equal(t, "rel-flowise-postgresql", env["DATABASE_HOST"])
		assert.Equal(t, "rel-flowise-postgresql", waitHost)
		s := charttest.Object[*corev1.Secret](t, res, "Secret", "rel-flowise-postgresql")
		assert.NotContains(t, s.Data, "username")
		return
	}
	charttest.RequireObjects(t, res, []string{"Cluster/rel-flowise-postgresql", "Secret/rel-flowise-postgresql"},
		[]string{"StatefulSet/rel-flowise-postgresql", "Service/rel-flowise-postgresql", "ConfigMap/rel-flowise-postgresql-init"})
	assert.Equal(t, "rel-flowise-postgresql-rw", env["DATABASE_HOST"], "the Cluster's read-write Service follows the primary")
	assert.Equal(t, "rel-flowise-postgresql-rw", waitHost)
	// CloudNativePG reads username and password from the Secret initdb names.
	s := charttest.Object[*corev1.Secret](t, res, "Secret", "rel-flowise-postgresql")
	assert.Equal(t, corev1.SecretTypeOpaque, s.Type, "the type stays Opaque: a Secret's type cannot change on upgrade")
	assert.Equal(t, "flowise", string(s.Data["username"]))
	assert.NotEmpty(t, s.Data["password"])
	cl := crd(t, res, "Cluster", "rel-flowise-postgresql")
	assert.EqualValues(t, 3, nested(t, cl, "spec", "instances"))
	assert.Equal(t, "8Gi", nested(t, cl, "spec", "storage", "size"))
	initdb := nested(t, cl, "spec", "bootstrap", "initdb").(map[string]any)
	assert.Equal(t, "flowise", initdb["database"])
	assert.Equal(t, "flowise", initdb["owner"])
	assert.Equal(t, map[string]any{"name": "rel-flowise-postgresql"}, initdb["secret"])
	assert.Equal(t, []any{`CREATE EXTENSION IF NOT EXISTS "uuid-ossp";`}, initdb["postInitApplicationSQL"])
}

func checkStorage(t *testing.T, storage string, env map[string]string, pod corev1.PodTemplateSpec) {
	t.Helper()
	assert.Equal(t, storage, env["STORAGE_TYPE"])
	c := pod.Spec.Containers[0]
	switch storage {
	case "s3":
		assert.Equal(t, "blobs", env["S3_STORAGE_BUCKET_NAME"])
		assert.Equal(t, "secret:s3-creds/access-key-id", env["S3_STORAGE_ACCESS_KEY_ID"])
	case "gcs":
		assert.Equal(t, "blobs", env["GOOGLE_CLOUD_STORAGE_BUCKET_NAME"])
		assert.Equal(t, "proj", env["GOOGLE_CLOUD_STORAGE_PROJ_ID"])
		assert.Equal(t, "true", env["GOOGLE_CLOUD_UNIFORM_BUCKET_ACCESS"])
		assert.Equal(t, "/run/flotilla/gcs/key.json", env["GOOGLE_CLOUD_STORAGE_CREDENTIAL"])
		v := volume(t, pod.Spec, "gcs-key")
		require.NotNil(t, v.Secret)
		assert.Equal(t, "gcs-key", v.Secret.SecretName)
		assert.Equal(t, []corev1.KeyToPath{{Key: "key.json", Path: "key.json"}}, v.Secret.Items)
		assert.Equal(t, "/run/flotilla/gcs", mounts(c)["gcs-key"])
		for _, m := range c.VolumeMounts {
			if m.Name == "gcs-key" {
				assert.True(t, m.ReadOnly, "the key file is mounted read-only")
			}
		}
	case "azure":
		assert.Equal(t, "blobs", env["AZURE_BLOB_STORAGE_CONTAINER_NAME"])
		assert.Equal(t, "acct", env["AZURE_BLOB_STORAGE_ACCOUNT_NAME"])
		assert.Equal(t, "secret:az/account-key", env["AZURE_BLOB_STORAGE_ACCOUNT_KEY"])
		assert.NotContains(t, env, "AZURE_BLOB_STORAGE_CONNECTION_STRING")
	}
	if storage != "gcs" {
		assert.NotContains(t, mounts(c), "gcs-key")
		assert.NotContains(t, env, "GOOGLE_CLOUD_STORAGE_BUCKET_NAME")
	}
	if storage != "azure" {
		assert.NotContains(t, env, "AZURE_BLOB_STORAGE_CONTAINER_NAME")
	}
	if storage != "s3" {
		assert.NotContains(t, env, "S3_STORAGE_BUCKET_NAME")
	}
}

func checkScaling(t *testing.T, res *render.Result, scaling string, main, worker *appsv1.Deployment) {
	t.Helper()
	mainHPA := scaling == "hpa" || scaling == "hpa-and-keda"
	workerHPA := scaling == "hpa"
	keda := scaling == "keda" || scaling == "hpa-and-keda"
	// An autoscaler owns the replica count: the Deployment leaves it unset.
	assert.Equal(t, mainHPA, main.Spec.Replicas == nil, "main replicas")
	assert.Equal(t, workerHPA || keda, worker.Spec.Replicas == nil, "worker replicas")
	if mainHPA {
		h := charttest.Object[*autoscalingv2.HorizontalPodAutoscaler](t, res, "HorizontalPodAutoscaler", "rel-flowise")
		assert.Equal(t, "rel-flowise", h.Spec.ScaleTargetRef.Name)
		pdb := charttest.Object[*policyv1.PodDisruptionBudget](t, res, "PodDisruptionBudget", "rel-flowise-main")
		assert.Equal(t, 1, pdb.Spec.MaxUnavailable.IntValue())
	} else {
		assert.Empty(t, res.Find("HorizontalPodAutoscaler", "rel-flowise"))
	}
	if workerHPA {
		h := charttest.Object[*autoscalingv2.HorizontalPodAutoscaler](t, res, "HorizontalPodAutoscaler", "rel-flowise-worker")
		assert.Equal(t, "rel-flowise-worker", h.Spec.ScaleTargetRef.Name)
		assert.EqualValues(t, 6, h.Spec.MaxReplicas)
	} else {
		assert.Empty(t, res.Find("HorizontalPodAutoscaler", "rel-flowise-worker"), "KEDA owns the workers' HPA")
	}
	if !keda {
		assert.Empty(t, res.Find("ScaledObject", ""))
		assert.Empty(t, res.Find("TriggerAuthentication", ""))
		return
	}
	so := crd(t, res, "ScaledObject", "rel-flowise-worker")
	assert.Equal(t, "rel-flowise-worker", nested(t, so, "spec", "scaleTargetRef", "name"))
	var lists []string
	for _, tr := range nested(t, so, "spec", "triggers").([]any) {
		tr := tr.(map[string]any)
		md := tr["metadata"].(map[string]any)
		assert.Equal(t, "redis", tr["type"])
		assert.Equal(t, "rel-flowise-redis:6379", md["address"])
		assert.Equal(t, map[string]any{"name": "rel-flowise-worker"}, tr["authenticationRef"])
		lists = append(lists, md["listName"].(string))
	}
	// Flowise 3.1.1: queues <QUEUE_NAME>-prediction and -upsertion, BullMQ's default prefix "bull".
	assert.Equal(t, []string{
		"bull:flowise-queue-prediction:wait", "bull:flowise-queue-prediction:active",
		"bull:flowise-queue-upsertion:wait", "bull:flowise-queue-upsertion:active",
	}, lists)
	ta := crd(t, res, "TriggerAuthentication", "rel-flowise-worker")
	assert.Equal(t, []any{map[string]any{"parameter": "password", "name": "rel-flowise-redis", "key": "redis-password"}},
		nested(t, ta, "spec", "secretTargetRef"), "the password of the Redis the workers use")
}

// KEDA reaches Redis as the workers do: the external Redis's address, user, TLS and the same
// certificates (tls.redis, else tls.caBundle) through the TriggerAuthentication.
func TestKEDAUsesTheWorkersRedisCredentials(t *testing.T) {
	queue := []string{"architecture.mode=queue", "persistence.enabled=false", "postgresql.enabled=true", "storage.type=s3",
		"storage.s3.bucketName=b", "queue.worker.autoscaling.keda.enabled=true", "queue.name=jobs"}
	external := append(append([]string{}, queue...), "redis.external.host=redis.example", "redis.external.port=6380",
		"redis.external.username=flowise", "redis.external.tls=true", "redis.external.existingSecret=redis")
	ref := func(param, name, key string) any { return map[string]any{"parameter": param, "name": name, "key": key} }
	tests := []struct {
		name       string
		set        []string
		secretRefs []any // nil: no TriggerAuthentication
		cmRefs     []any
		tls        string
	}{
		{name: "bundled Redis without a password", set: append(append([]string{}, queue...), "redis.enabled=true", "redis.auth.enabled=false"), tls: "false"},
		{name: "external Redis with a client certificate", set: append(append([]string{}, external...), "tls.redis.existingSecret=redis-tls",
			"tls.redis.certKey=tls.crt", "tls.redis.keyKey=tls.key"),
			secretRefs: []any{ref("password", "redis", "redis-password"), ref("ca", "redis-tls", "ca.crt"), ref("cert", "redis-tls", "tls.crt"), ref("key", "redis-tls", "tls.key")}, tls: "true"},
		{name: "external Redis trusting the CA bundle Secret", set: append(append([]string{}, external...), "tls.caBundle.existingSecret=ca", "tls.caBundle.key=bundle.pem"),
			secretRefs: []any{ref("password", "redis", "redis-password"), ref("ca", "ca", "bundle.pem")}, tls: "true"},
		{name: "external Redis trusting the CA bundle ConfigMap", set: append(append([]string{}, external...), "tls.caBundle.existingConfigMap=ca"),
			secretRefs: []any{ref("password", "redis", "redis-password")}, cmRefs: []any{ref("ca", "ca", "ca.crt")}, tls: "true"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := renderWith(t, nil, tc.set...)
			so := crd(t, res, "ScaledObject", "rel-flowise-worker")
			triggers := nested(t, so, "spec", "triggers").([]any)
			require.Len(t, triggers, 4)
			for _, tr := range triggers {
				md := tr.(map[string]any)["metadata"].(map[string]any)
				assert.Equal(t, tc.tls, md["enableTLS"])
				assert.Regexp(t, `^bull:jobs-(prediction|upsertion):(wait|active)$`, md["listName"], "QUEUE_NAME is queue.name")
				if tc.tls == "true" {
					assert.Equal(t, "redis.example:6380", md["address"])
					assert.Equal(t, "flowise", md["username"])
				}
				_, hasAuth := tr.(map[string]any)["authenticationRef"]
				assert.Equal(t, tc.secretRefs != nil, hasAuth)
			}
			if tc.secretRefs == nil {
				assert.Empty(t, res.Find("TriggerAuthentication", ""))
				return
			}
			ta := crd(t, res, "TriggerAuthentication", "rel-flowise-worker")
			assert.Equal(t, tc.secretRefs, nested(t, ta, "spec", "secretTargetRef"))
			if tc.cmRefs != nil {
				assert.Equal(t, tc.cmRefs, nested(t, ta, "spec", "configMapTargetRef"))
			}
		})
	}
}

// The bounds of the KEDA block are compared at render time (a JSON schema cannot compare two values).
func TestKEDABoundsAreChecked(t *testing.T) {
	_, err := render.Render(loadChart(t), render.Options{Set: []string{"architecture.mode=queue", "persistence.enabled=false", "postgresql.enabled=true",
		"redis.enabled=true", "storage.type=s3", "storage.s3.bucketName=b", "queue.worker.autoscaling.keda.enabled=true",
		"queue.worker.autoscaling.keda.minReplicaCount=5", "queue.worker.autoscaling.keda.maxReplicaCount=2"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "queue.worker.autoscaling.keda: minReplicaCount (5) must not exceed maxReplicaCount (2)")
}
