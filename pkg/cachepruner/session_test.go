package cachepruner_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/cachepruner"
)

// TestTimeoutStopsWork: a context deadline cancels the statement on the server too.
func TestTimeoutStopsWork(t *testing.T) {
	c := newCache(t)
	ids := seed(c, 6)
	release := blockOn(t, c, "e01")
	defer release()

	cfg, err := pgx.ParseConfig(c.s.URLFor(c.db, c.s.User, ""))
	require.NoError(t, err)
	cfg.RuntimeParams["application_name"] = "prune-timeout"
	conn, err := pgx.ConnectConfig(context.Background(), cachepruner.ConnConfig(cfg))
	require.NoError(t, err)
	defer conn.Close(context.Background())

	ctx, cancel := context.WithTimeout(context.Background(), 800*time.Millisecond)
	defer cancel()
	neg := -time.Second
	start := time.Now()
	_, err = cachepruner.Prune(ctx, conn, cachepruner.PruneOptions{MaxSize: 0, ProtectedPeriod: &neg, BatchSize: 3})
	require.Error(t, err)
	assert.Less(t, time.Since(start), 5*time.Second)

	var waiting int
	require.NoError(t, c.conn.QueryRow(context.Background(), "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'prune-timeout' AND state = 'active'").Scan(&waiting))
	assert.Zero(t, waiting, "the server stopped working on it")
	release()
	assert.Equal(t, ids, c.ids(), "the cancelled batch rolled back")
	c.checkConsistent()
}

func TestConcurrentPrunes(t *testing.T) {
	t.Run("the second waits, then finds nothing left to do", func(t *testing.T) {
		c := newCache(t)
		seed(c, 12)
		c.setConfig("cache_size", formatInt(c.size("e00")*6))
		var wg sync.WaitGroup
		results := make([]cachepruner.Result, 3)
		errs := make([]error, 3)
		for i := range results {
			conn := c.prunerConn(c.s.User)
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = cachepruner.Prune(context.Background(), conn, cachepruner.PruneOptions{MaxSize: -1, BatchSize: 2})
			}()
		}
		wg.Wait()
		seen := map[string]int{}
		for i := range results {
			require.NoError(t, errs[i])
			for _, id := range removedIDs(results[i]) {
				seen[id]++
			}
		}
		assert.Len(t, seen, 6, "six entries removed in all")
		for id, n := range seen {
			assert.Equal(t, 1, n, "%s removed twice", id)
		}
		assert.Len(t, c.ids(), 6)
		c.checkConsistent()
	})
	t.Run("skip when locked", func(t *testing.T) {
		c := newCache(t)
		seed(c, 2)
		c.setConfig("cache_size", "0")
		holder := c.s.Connect(t, c.db)
		_, err := holder.Exec(context.Background(), "SELECT pg_advisory_lock($1)", cachepruner.LockKey)
		require.NoError(t, err)
		res, err := cachepruner.Prune(context.Background(), c.prunerConn(c.s.User), cachepruner.PruneOptions{MaxSize: -1, SkipIfLocked: true})
		require.NoError(t, err)
		assert.True(t, res.Skipped)
		assert.Len(t, c.ids(), 2)
	})
}
