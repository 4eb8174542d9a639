package hookcli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/cachepruner/flowdbtest"
	"github.com/flotilla/flotilla/pkg/pgtest"
)

func TestCacheCommands(t *testing.T) {
	s := pgtest.Require(t)
	db := s.NewDatabase(t)
	ctx := context.Background()
	conn := s.Connect(t, db)
	_, err := conn.Exec(ctx, flowdbtest.Schema)
	require.NoError(t, err)
	for i, id := range []string{"q0", "q1", "q2", "q3"} {
		require.NoError(t, flowdbtest.AddEntry(ctx, conn, id, 100, 1000, 48*time.Hour, i))
	}
	_, err = conn.Exec(ctx, "UPDATE cache.cache_config SET value = '1' WHERE key = 'cache_size'")
	require.NoError(t, err)
	setPGEnv(t, s, db, s.User)

	count := func() int {
		var n int
		require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM cache.cached").Scan(&n))
		return n
	}

	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, Run(ctx, []string{"cache", "status", "--json"}, &stdout, &stderr), stderr.String())
	var st struct {
		Entries int
		Size    int64 `json:"size_bytes"`
		Limit   int64 `json:"limit_bytes"`
		Lowest  []struct {
			QueryID string `json:"query_id"`
		}
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &st))
	assert.Equal(t, 4, st.Entries)
	assert.Equal(t, int64(1), st.Limit)
	require.Len(t, st.Lowest, 4)
	assert.Equal(t, "q0", strings.TrimSpace(st.Lowest[0].QueryID))

	stdout.Reset()
	stderr.Reset()
	require.Equal(t, 0, Run(ctx, []string{"cache", "prune", "--dry-run", "--max-size", "0"}, &stdout, &stderr), stderr.String())
	assert.Contains(t, stdout.String(), "q0")
	assert.Contains(t, stderr.String(), "would remove 4 entries")
	assert.Equal(t, 4, count(), "dry run changed nothing")

	stdout.Reset()
	stderr.Reset()
	require.Equal(t, 0, Run(ctx, []string{"cache", "invalidate", "q3", "--json"}, &stdout, &stderr), stderr.String())
	assert.Contains(t, stderr.String(), "removed 1 entries")
	assert.Contains(t, stderr.String(), "resync_redis_with_cache")
	assert.Equal(t, 3, count())

	stdout.Reset()
	stderr.Reset()
	assert.Equal(t, 1, Run(ctx, []string{"cache", "invalidate", "q3"}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "no such cache entry")

	stdout.Reset()
	stderr.Reset()
	require.Equal(t, 0, Run(ctx, []string{"cache", "prune", "--log-format", "json"}, &stdout, &stderr), stderr.String())
	logs := jsonLogs(t, stderr.String())
	assert.Contains(t, logs[len(logs)-1]["msg"], "removed 3 entries")
	assert.Zero(t, count())

	assert.Equal(t, 2, Run(ctx, []string{"cache", "prune", "--max-size", "lots"}, &stdout, &stderr))
	assert.Equal(t, 2, Run(ctx, []string{"cache", "invalidate"}, &stdout, &stderr))
}
