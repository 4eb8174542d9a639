package hookcli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/flotilla/flotilla/pkg/cachepruner/flowdbtest"
	"github.com/flotilla/flotilla/pkg/charttest"
	"github.com/flotilla/flotilla/pkg/pgtest"
	"github.com/flotilla/flotilla/pkg/redistest"
	"github.com/flotilla/flotilla/pkg/render"
)

// TestFlowKitChartJobs runs the flowkit chart's own cache CronJob containers, as rendered, against
// a real PostgreSQL and redis-server: their args with $(VAR) expanded from their env, as the
// kubelet does, their PG*/REDIS_* env (host and port pointed at the test servers, role and
// database as rendered) and their password files (the mounted Secret keys). It shows that the
// one-off Jobs made with kubectl create job --from (env QUERY_ID, CASCADE, FORCE set on the copy)
// and the pruning CronJob work with the FlowDB role and the Redis password the chart gives them.
func TestFlowKitChartJobs(t *testing.T) {
	ctx := context.Background()
	ch, err := render.Load(ctx, "flowkit", render.LoadOptions{})
	require.NoError(t, err)
	res, err := render.Render(ch, render.Options{ReleaseName: "rel", Namespace: "apps",
		Set: []string{"jwt.existingSecret=jwt", "cache.pruning.frequency=5400"}})
	require.NoError(t, err)
	jobs := map[string]corev1.Container{}
	for _, name := range []string{"cache-prune", "cache-invalidate", "cache-resync-redis"} {
		cj := charttest.Object[*batchv1.CronJob](t, res, "CronJob", "rel-flowkit-"+name)
		jobs[name] = cj.Spec.JobTemplate.Spec.Template.Spec.Containers[0]
	}

	// FlowDB as the chart reaches it: database flowdb, the FlowMachine role owning the cache.
	s := pgtest.Require(t)
	r := redistest.Require(t)
	pgEnv := charttest.Env(jobs["cache-prune"])
	role, db := pgEnv["PGUSER"], pgEnv["PGDATABASE"]
	require.Equal(t, "flowmachine", role)
	require.Equal(t, "flowdb", db)
	admin := s.Connect(t, "postgres")
	_, err = admin.Exec(ctx, "CREATE DATABASE "+db)
	require.NoError(t, err)
	_, err = admin.Exec(ctx, "CREATE ROLE "+role+" LOGIN PASSWORD 'fm-secret' IN ROLE "+pgtest.PasswordGroup)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = admin.Exec(context.Background(), "DROP DATABASE "+db+" WITH (FORCE)")
		_, _ = admin.Exec(context.Background(), "DROP ROLE "+role)
	})
	_, err = s.Connect(t, db).Exec(ctx, "GRANT CREATE ON DATABASE "+db+" TO "+role+"; GRANT CREATE ON SCHEMA public TO "+role)
	require.NoError(t, err)
	fmConn, err := pgx.Connect(ctx, s.URLFor(db, role, "fm-secret"))
	require.NoError(t, err)
	defer fmConn.Close(ctx)
	_, err = fmConn.Exec(ctx, flowdbtest.Schema)
	require.NoError(t, err)
	ids := []string{"q0", "q1", "q2", "q3"}
	for i, id := range ids {
		require.NoError(t, flowdbtest.AddEntry(ctx, fmConn, id, 100, 1000, 48*time.Hour, i))
	}
	_, err = fmConn.Exec(ctx, "INSERT INTO cache.dependencies VALUES ($1, $2)", "q2", "q1")
	require.NoError(t, err)
	_, err = fmConn.Exec(ctx, "UPDATE cache.cache_config SET value = $1 WHERE key = 'cache_size'", "0")
	require.NoError(t, err)

	// FlowMachine's states, written as FlowMachine writes them for the host/port/db it uses.
	fm := flowdbtest.NewFlowMachine(r.Client(t), s.Host, s.Port, db)
	for _, id := range ids {
		require.NoError(t, fm.Drive(ctx, id, flowdbtest.Paths["completed"]...))
	}
	// The mounted Secrets.
	dir := t.TempDir()
	files := map[string]string{"/run/flotilla/db/password": "fm-secret\n", "/run/flotilla/redis/password": r.Password + "\n"}

	run := func(t *testing.T, name string, set map[string]string) (int, string) {
		c := jobs[name]
		env := charttest.Env(c)
		for k, v := range set { // kubectl set env on the copy
			env[k] = v
		}
		// The test servers stand in for the Services; everything else as rendered.
		env["PGHOST"], env["PGPORT"] = s.Host, strconv.Itoa(s.Port)
		env["REDIS_HOST"], env["REDIS_PORT"] = r.Host, strconv.Itoa(r.Port)
		clearPGEnv(t)
		for k, v := range env {
			if strings.HasPrefix(k, "PG") || strings.HasPrefix(k, "REDIS_") {
				t.Setenv(k, v)
			}
		}
		t.Setenv("REDIS_PASSWORD", "")
		var args []string
		for _, a := range c.Args {
			a = expandK8s(a, env)
			for path, content := range files {
				if strings.HasSuffix(a, "="+path) {
					local := filepath.Join(dir, strings.ReplaceAll(path, "/", "_"))
					require.NoError(t, os.WriteFile(local, []byte(content), 0o600))
					a = strings.TrimSuffix(a, path) + local
				}
			}
			args = append(args, a)
		}
		var stdout, stderr bytes.Buffer
		code := Run(ctx, args, &stdout, &stderr)
		return code, stderr.String()
	}

	code, log := run(t, "cache-invalidate", nil)
	assert.Equal(t, 2, code, "the template itself, without QUERY_ID, is a usage error: %s", log)

	code, log = run(t, "cache-invalidate", map[string]string{"QUERY_ID": "q1", "CASCADE": "true"})
	require.Equal(t, 0, code, log)
	assert.Contains(t, log, "removed 2 entries")
	for _, id := range []string{"q1", "q2"} {
		st, err := fm.State(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, "known", st, id)
	}

	code, log = run(t, "cache-resync-redis", nil)
	require.Equal(t, 0, code, log)
	assert.Contains(t, log, "2 states set to completed (rows of cache.cached), 2 removed (no row)")

	require.NoError(t, fm.Drive(ctx, "q3", "RESET")) // FlowMachine resetting q3 right now
	code, log = run(t, "cache-resync-redis", nil)
	assert.Equal(t, 1, code, "refused while a query is in use: %s", log)
	code, log = run(t, "cache-resync-redis", map[string]string{"FORCE": "true"})
	require.Equal(t, 0, code, log)

	code, log = run(t, "cache-prune", nil)
	require.Equal(t, 0, code, log)
	assert.Contains(t, log, "removed 2 entries")
	assert.Contains(t, log, "2 states set to known")
	code, log = run(t, "cache-prune", nil)
	require.Equal(t, 0, code, log)
	assert.Contains(t, log, "skipped: the last successful prune started", "--min-interval from the 5400 s frequency")
}

var k8sVar = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)

// expandK8s expands $(VAR) from the container's env, as Kubernetes does for args.
func expandK8s(s string, env map[string]string) string {
	return k8sVar.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := env[m[2:len(m)-1]]; ok {
			return v
		}
		return m
	})
}
