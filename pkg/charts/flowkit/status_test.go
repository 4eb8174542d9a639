package flowkit_test

import (
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/flotilla/flotilla/pkg/charttest"
)

// TestStatusEndpoint renders status.enabled in every scenario: the checks follow the components
// the scenario runs, each reads the Secret its component uses, and the pod passes restricted Pod
// Security (renderWith).
func TestStatusEndpoint(t *testing.T) {
	base := []string{"http/flowetl", "postgres/flowdb", "postgres/flowetl-db"}
	full := append(append([]string{}, base...), "http/flowapi", "http/flowauth", "postgres/flowauth-db", "redis/redis", "tcp/flowmachine")
	tests := []struct {
		file   string
		checks []string
		spec   map[string]string
		files  map[string]map[string]string
	}{
		{file: "db-etl.yaml", checks: base,
			spec:  map[string]string{"http/flowetl": "http://rel-flowkit-flowetl:8080/health"},
			files: map[string]map[string]string{"postgres/flowdb": {"/run/flotilla/status/flowdb/password": "secret:flowdb-passwords/flowapi-password"}}},
		{file: "db-etl-machine.yaml", checks: append(append([]string{}, base...), "redis/redis"),
			files: map[string]map[string]string{"redis/redis": {"/run/flotilla/status/redis/password": "secret:flowkit-redis/redis-password"}}},
		{file: "full.yaml", checks: full,
			spec: map[string]string{"tcp/flowmachine": "rel-flowkit-flowmachine:5555", "http/flowapi": "http://rel-flowkit:9090/api/0/spec/openapi.json",
				"postgres/flowdb": "host=rel-flowkit-flowdb,port=5432,dbname=flowdb,user=flowapi,sslmode=disable,password-file=/run/flotilla/status/flowdb/password"}},
		{file: "full-autoflow.yaml", checks: []string{"http/flowauth", "http/flowetl", "postgres/autoflow-db", "postgres/flowdb", "postgres/flowetl-db", "redis/redis", "tcp/flowapi", "tcp/flowmachine"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			res := renderWith(t, []string{example(tc.file)}, "status.enabled=true")
			checks, keys := charttest.StatusChecks(t, res, "rel-flowkit-status")
			var names []string
			for k := range checks {
				names = append(names, k)
			}
			sort.Strings(names)
			want := append([]string{}, tc.checks...)
			sort.Strings(want)
			assert.Equal(t, want, names)
			assert.Equal(t, "secret:rel-flowkit-status/status-keys", keys)
			for name, spec := range tc.spec {
				assert.Equal(t, spec, checks[name].Spec, name)
			}
			for name, files := range tc.files {
				assert.Equal(t, files, checks[name].Files, name)
			}
		})
	}
	t.Run("off by default", func(t *testing.T) {
		res := renderWith(t, []string{example("full.yaml")})
		charttest.RequireObjects(t, res, nil, []string{"Deployment/rel-flowkit-status", "Service/rel-flowkit-status", "Secret/rel-flowkit-status"})
	})
}
