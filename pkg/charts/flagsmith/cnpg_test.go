package flagsmith_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/flotilla/flotilla/pkg/charttest"
)

// postgresql.mode cloudnative-pg replaces the StatefulSet with a CloudNativePG Cluster (valid
// against the pinned CRD) and points every PostgreSQL client at its -rw Service, with the same
// Secret reference as the bundled StatefulSet.
func TestCloudNativePGCluster(t *testing.T) {
	for _, pgbouncer := range []bool{false, true} {
		set := []string{"postgresql.mode=cloudnative-pg", "postgresql.cloudnativePG.instances=5", "postgresql.standalone.persistence.storageClass=fast",
			"postgresql.cloudnativePG.imageName=ghcr.io/cloudnative-pg/postgresql:17.6", "backup.enabled=true", "backup.s3.bucket=b"}
		if pgbouncer {
			set = append(set, "pgbouncer.enabled=true")
		}
		res := renderWith(t, nil, set...)
		charttest.RequireCloudNativePGAdmitted(t, res)
		charttest.RequireObjects(t, res, []string{"Cluster/rel-flagsmith-postgresql", "Secret/rel-flagsmith-postgresql"},
			[]string{"StatefulSet/rel-flagsmith-postgresql", "Service/rel-flagsmith-postgresql"})
		cl := charttest.Object[*unstructured.Unstructured](t, res, "Cluster", "rel-flagsmith-postgresql").Object
		spec := cl["spec"].(map[string]any)
		assert.EqualValues(t, 5, spec["instances"])
		assert.Equal(t, "ghcr.io/cloudnative-pg/postgresql:17.6", spec["imageName"])
		assert.Equal(t, map[string]any{"size": "8Gi", "storageClass": "fast"}, spec["storage"])
		initdb := spec["bootstrap"].(map[string]any)["initdb"].(map[string]any)
		assert.Equal(t, map[string]any{"database": "flagsmith", "owner": "flagsmith", "secret": map[string]any{"name": "rel-flagsmith-postgresql"},
			"postInitApplicationSQL": []any{}}, initdb, "Flagsmith needs no extension")
		s := charttest.Object[*corev1.Secret](t, res, "Secret", "rel-flagsmith-postgresql")
		assert.Equal(t, "flagsmith", string(s.Data["username"]))

		migrate := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flagsmith")
		env := charttest.Env(charttest.Container(t, migrate.Spec.Template, "api"))
		assert.Equal(t, "secret:rel-flagsmith-postgresql/password", env["DJANGO_DB_PASSWORD"])
		if pgbouncer {
			pb := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flagsmith-pgbouncer")
			assert.Contains(t, pb.Spec.Template.Spec.Containers[0].String(), "rel-flagsmith-postgresql-rw", "PgBouncer forwards to the primary")
		} else {
			assert.Equal(t, "rel-flagsmith-postgresql-rw", env["DJANGO_DB_HOST"])
		}
		cron := res.Find("CronJob", "")
		require.NotEmpty(t, cron)
		assert.Contains(t, cron[0].YAML, "rel-flagsmith-postgresql-rw", "backups dump the primary")
	}
}
