package cachepruner_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/cachepruner"
)

const childEnv = "FLOTILLA_PRUNER_CHILD_URL"

// childMain runs a prune of everything in a subprocess (this test binary re-executed), so the
// kill test can SIGKILL a real process in the middle of its work.
func childMain() bool {
	url := os.Getenv(childEnv)
	if url == "" {
		return false
	}
	cfg, err := pgx.ParseConfig(url)
	if err == nil {
		cfg.RuntimeParams["application_name"] = "prune-child"
		var conn *pgx.Conn
		conn, err = pgx.ConnectConfig(context.Background(), cachepruner.ConnConfig(cfg))
		if err == nil {
			neg := -time.Second
			_, err = cachepruner.Prune(context.Background(), conn, cachepruner.PruneOptions{MaxSize: 0, ProtectedPeriod: &neg, BatchSize: 3})
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
	return true
}

// blockOn holds ACCESS SHARE on a cache table in an open transaction, so a DROP of it waits.
func blockOn(t *testing.T, c *cacheDB, id string) (release func()) {
	conn := c.s.Connect(t, c.db)
	tx, err := conn.Begin(context.Background())
	require.NoError(t, err)
	_, err = tx.Exec(context.Background(), "LOCK TABLE cache.x"+id+" IN ACCESS SHARE MODE")
	require.NoError(t, err)
	return func() { _ = tx.Rollback(context.Background()) }
}

// waitForLockWait waits until a backend with the application name waits on a lock.
func waitForLockWait(t *testing.T, c *cacheDB, app string) int {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var pid int
		err := c.conn.QueryRow(context.Background(), "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", app).Scan(&pid)
		if err == nil {
			return pid
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no backend of %s waits on a lock", app)
	return 0
}

func seed(c *cacheDB, n int) []string {
	var ids []string
	for i := range n {
		id := fmt.Sprintf("e%02d", i)
		c.add(entry{id: id, rows: 10})
		ids = append(ids, id)
	}
	return ids
}

// TestKillMidPrune kills the pruner process while a removal batch is inside its transaction:
// that batch must leave all its rows and tables, earlier batches none.
func TestKillMidPrune(t *testing.T) {
	c := newCache(t)
	ids := seed(c, 10)
	// Entries are removed oldest first (lowest score): e00..e02, e03..e05, ... Block batch two.
	release := blockOn(t, c, "e04")
	defer release()

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+c.s.URLFor(c.db, c.s.User, ""))
	require.NoError(t, cmd.Start())
	pid := waitForLockWait(t, c, "prune-child")

	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
	// The pod is gone; PostgreSQL notices the dead client and ends its session.
	_, err := c.conn.Exec(context.Background(), "SELECT pg_terminate_backend($1)", pid)
	require.NoError(t, err)
	release()

	assert.Equal(t, ids[3:], c.ids(), "batch one committed, batch two (blocked) rolled back entirely")
	c.checkConsistent()
}

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

// TestSizesFromCatalog: a table that grew since the last look is measured anew.
func TestSizesFromCatalog(t *testing.T) {
	c := newCache(t)
	c.add(entry{id: "a", rows: 10})
	c.add(entry{id: "b", rows: 10, touches: 1})
	c.setConfig("cache_size", "0")
	before, err := cachepruner.Prune(context.Background(), c.prunerConn(c.s.User), cachepruner.PruneOptions{MaxSize: -1, DryRun: true})
	require.NoError(t, err)
	c.exec("INSERT INTO cache.xb SELECT g, md5(g::text) FROM generate_series(1, 20000) g")
	after, err := cachepruner.Prune(context.Background(), c.prunerConn(c.s.User), cachepruner.PruneOptions{MaxSize: -1, DryRun: true})
	require.NoError(t, err)
	assert.Greater(t, after.SizeBefore, before.SizeBefore)
	assert.Equal(t, c.size("a")+c.size("b"), after.SizeBefore)
	// b is now larger, so its score dropped below a's.
	assert.Equal(t, []string{"b", "a"}, removedIDs(after))
}
