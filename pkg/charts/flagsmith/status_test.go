package flagsmith_test

import (
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/flotilla/flotilla/pkg/charttest"
)

// TestStatusEndpoint renders status.enabled on every topology: the checks follow the
// components the release runs, each reads the Secret its component uses, and the pod passes
// restricted Pod Security (renderWith).
func TestStatusEndpoint(t *testing.T) {
	tests := []struct {
		file   string
		set    []string
		checks []string
		spec   map[string]string
		files  map[string]map[string]string
	}{
		{file: "standalone.yaml", checks: []string{"http/api", "http/frontend", "postgres/postgresql"},
			spec:  map[string]string{"http/api": "http://rel-flagsmith:8000/health/liveness/"},
			files: map[string]map[string]string{"postgres/postgresql": {"/run/flotilla/status/postgresql/password": "secret:rel-flagsmith-postgresql/password"}}},
		{file: "queue.yaml", checks: []string{"http/api", "http/frontend", "postgres/postgresql", "redis/redis", "tcp/pgbouncer"}},
		{file: "influxdb.yaml", checks: []string{"http/api", "http/frontend", "http/influxdb", "postgres/postgresql"},
			spec: map[string]string{"http/influxdb": "http://rel-flagsmith-influxdb:8086/health"}},
		{file: "external-postgresql.yaml", checks: []string{"http/api", "http/frontend", "postgres/postgresql"}},
		{file: "external-postgresql.yaml", set: []string{"database.external.urlExistingSecret=db-url", "database.external.host="},
			checks: []string{"http/api", "http/frontend", "postgres/postgresql"},
			files:  map[string]map[string]string{"postgres/postgresql": {"/run/flotilla/status/postgresql/url": "secret:db-url/database-url"}}},
		{file: "standalone.yaml", set: []string{"staticFiles.s3.enabled=true", "staticFiles.s3.bucketName=static", "staticFiles.s3.existingSecret=aws"},
			checks: []string{"http/api", "http/frontend", "postgres/postgresql", "s3/static-files"},
			files: map[string]map[string]string{"s3/static-files": {"/run/flotilla/status/static-files/access-key-id": "secret:aws/access-key-id",
				"/run/flotilla/status/static-files/secret-access-key": "secret:aws/secret-access-key"}}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			res := renderWith(t, []string{example(tc.file)}, append([]string{"status.enabled=true"}, tc.set...)...)
			checks, keys := charttest.StatusChecks(t, res, "rel-flagsmith-status")
			var names []string
			for k := range checks {
				names = append(names, k)
			}
			sort.Strings(names)
			assert.Equal(t, tc.checks, names)
			assert.Equal(t, "secret:rel-flagsmith-status/status-keys", keys)
			for name, spec := range tc.spec {
				assert.Equal(t, spec, checks[name].Spec, name)
			}
			for name, files := range tc.files {
				assert.Equal(t, files, checks[name].Files, name)
			}
		})
	}
	t.Run("off by default", func(t *testing.T) {
		res := renderWith(t, []string{example("queue.yaml")})
		charttest.RequireObjects(t, res, nil, []string{"Deployment/rel-flagsmith-status", "Service/rel-flagsmith-status", "Secret/rel-flagsmith-status"})
	})
}
