package cachepruner_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/cachepruner"
	"github.com/flotilla/flotilla/pkg/pgtest"
	"github.com/flotilla/flotilla/pkg/redistest"
)

func TestDBID(t *testing.T) {
	// md5("flowdb" + "9000" + "flowdb"): FlowMachine's defaults with the stack files' host.
	assert.Equal(t, "22e7bbf8461c7f5086221b60a770eb6f", cachepruner.DBID("flowdb", 9000, "flowdb"))
}

// TestPruneKeepsRedisInStep: states written as FlowMachine writes them; after a prune every
// removed query is known, every kept one unchanged, and queries FlowMachine is using (queued,
// executing, resetting) are neither removed nor touched, and are reported.
func TestPruneKeepsRedisInStep(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		cascade bool
		states  map[string]string
		deps    [][2]string // (query, depends on)
		want    []string    // removed
		inUse   []string
	}{
		{
			name: "every idle state becomes known; busy ones stay, and more entries go instead",
			states: map[string]string{"a": "completed", "b": "executing", "c": "errored", "d": "queued",
				"e": "cancelled", "f": "resetting", "g": "reset_failed", "h": "known", "k": "completed"},
			want:  []string{"a", "c", "e", "g", "h", "i"},
			inUse: []string{"b", "d", "f"},
		},
		{
			name:    "a cascade group with a busy member is left whole",
			cascade: true,
			states:  map[string]string{"a": "completed", "b": "completed", "c": "executing", "d": "completed"},
			deps:    [][2]string{{"c", "b"}},
			want:    []string{"a", "d", "e", "f", "g", "h"},
			inUse:   []string{"b", "c"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newCache(t)
			ids := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "k"}
			for i, id := range ids { // ascending scores: a is the lowest
				c.add(entry{id: id, rows: 100, touches: i})
			}
			for _, d := range tc.deps {
				c.depends(d[0], d[1])
			}
			// Keep the four most valuable entries' worth of space.
			c.setConfig("cache_size", formatInt(c.size("a")*4))
			fm, states := c.flowmachine()
			setStates(t, fm, tc.states)
			before := statesOf(t, fm, ids...)

			res, err := cachepruner.Prune(ctx, c.prunerConn(c.s.User), cachepruner.PruneOptions{MaxSize: -1, Cascade: tc.cascade, States: states, BatchSize: 2})
			require.NoError(t, err)
			assert.ElementsMatch(t, tc.want, removedIDs(res))
			var busy []string
			for _, b := range res.InUse {
				busy = append(busy, b.QueryID)
			}
			assert.ElementsMatch(t, tc.inUse, trim(busy))
			assert.True(t, res.Redis)
			after := statesOf(t, fm, ids...)
			removed := map[string]bool{}
			for _, id := range tc.want {
				removed[id] = true
			}
			for _, id := range ids {
				switch {
				case removed[id] && before[id] == "":
					assert.Empty(t, after[id], "%s: a missing state stays missing (FlowMachine creates it as known)", id)
				case removed[id]:
					assert.Equal(t, cachepruner.StateKnown, after[id], id)
				default:
					assert.Equal(t, before[id], after[id], "%s unchanged", id)
				}
			}
			// FlowMachine can run a removed query again from known.
			require.NoError(t, fm.Drive(ctx, tc.want[0], "QUEUE", "EXECUTE", "FINISH"))
			c.checkConsistent()
		})
	}
}

// TestTableMissingStateReset: a row whose table is gone, still completed in Redis (FlowAPI would
// call it ready), is removed and its state set to known.
func TestTableMissingStateReset(t *testing.T) {
	c := newCache(t)
	c.add(entry{id: "gone", rows: 10})
	c.exec("DROP TABLE cache.xgone")
	c.setConfig("cache_size", "999999999")
	fm, states := c.flowmachine()
	setStates(t, fm, map[string]string{"gone": "completed"})
	res, err := cachepruner.Prune(context.Background(), c.prunerConn(c.s.User), cachepruner.PruneOptions{MaxSize: -1, States: states})
	require.NoError(t, err)
	assert.Equal(t, []string{"gone"}, removedIDs(res))
	assert.Equal(t, 1, res.StatesReset)
	assert.Equal(t, map[string]string{"gone": "known"}, statesOf(t, fm, "gone"))
}

func TestInvalidateInUse(t *testing.T) {
	ctx := context.Background()
	c := newCache(t)
	c.add(entry{id: "b", rows: 10})
	c.add(entry{id: "a", rows: 10})
	c.depends("a", "b")
	fm, states := c.flowmachine()
	setStates(t, fm, map[string]string{"a": "executing", "b": "completed"})

	_, err := cachepruner.Invalidate(ctx, c.prunerConn(c.s.User), "b", cachepruner.PruneOptions{Cascade: true, States: states})
	require.ErrorIs(t, err, cachepruner.ErrInUse)
	assert.Contains(t, err.Error(), "is executing")
	assert.Equal(t, []string{"a", "b"}, c.ids())
	assert.Equal(t, map[string]string{"a": "executing", "b": "completed"}, statesOf(t, fm, "a", "b"))

	res, err := cachepruner.Invalidate(ctx, c.prunerConn(c.s.User), "b", cachepruner.PruneOptions{States: states})
	require.NoError(t, err)
	assert.Equal(t, []string{"b"}, removedIDs(res))
	assert.Equal(t, map[string]string{"a": "executing", "b": "known"}, statesOf(t, fm, "a", "b"))
}

// TestRedisDown: with FlowMachine's Redis unreachable or refusing the password, nothing is
// removed and the error says so.
func TestRedisDown(t *testing.T) {
	closed, err := pgtest.ClosedPort()
	require.NoError(t, err)
	wrong := *redistest.Require(t).Options()
	wrong.Password = "wrong"
	tests := []struct {
		name     string
		opts     *redis.Options
		want     string
		rejected bool
	}{
		{name: "unreachable", opts: &redis.Options{Addr: "127.0.0.1:" + formatInt(int64(closed)), MaxRetries: -1, DialTimeout: time.Second}, want: "connection refused"},
		{name: "wrong password", opts: &wrong, want: "WRONGPASS", rejected: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newCache(t)
			seed(c, 3)
			c.setConfig("cache_size", "0")
			rdb := redis.NewClient(tc.opts)
			defer rdb.Close()
			states := &cachepruner.QueryStates{Client: rdb, DBID: "x"}
			for _, run := range []func() error{
				func() error {
					_, err := cachepruner.Prune(context.Background(), c.prunerConn(c.s.User), cachepruner.PruneOptions{MaxSize: -1, States: states})
					return err
				},
				func() error {
					_, err := cachepruner.Invalidate(context.Background(), c.prunerConn(c.s.User), "e00", cachepruner.PruneOptions{States: states})
					return err
				},
			} {
				err := run()
				var re *cachepruner.RedisError
				require.ErrorAs(t, err, &re)
				assert.Contains(t, err.Error(), "FlowMachine's Redis")
				assert.Contains(t, err.Error(), tc.want)
				assert.Equal(t, tc.rejected, re.Rejected())
				assert.Len(t, c.ids(), 3, "nothing removed")
			}
		})
	}
}

func TestResyncRedis(t *testing.T) {
	ctx := context.Background()
	setup := func(t *testing.T) (*cacheDB, *cachepruner.QueryStates, func(...string) map[string]string) {
		c := newCache(t)
		for _, id := range []string{"cached", "errored", "nostate"} {
			c.add(entry{id: id, rows: 10})
		}
		c.add(entry{id: "t", rows: 10, class: "Table"})
		fm, states := c.flowmachine()
		setStates(t, fm, map[string]string{"cached": "completed", "errored": "errored", "stale": "completed", "known": "known"})
		return c, states, func(ids ...string) map[string]string { return statesOf(t, fm, ids...) }
	}
	all := []string{"cached", "errored", "nostate", "t", "stale", "known", "busy"}

	t.Run("rebuilds from cache.cached", func(t *testing.T) {
		c, states, get := setup(t)
		// Another FlowDB's states in the same Redis are left alone.
		other := &cachepruner.QueryStates{Client: states.Client, DBID: "other"}
		require.NoError(t, states.Client.Set(ctx, other.StateKey("stale"), "completed", 0).Err())

		res, err := cachepruner.ResyncRedis(ctx, c.prunerConn(c.s.User), states, cachepruner.ResyncOptions{})
		require.NoError(t, err)
		assert.Equal(t, 4, res.Completed)
		assert.Equal(t, 2, res.Removed)
		assert.Equal(t, map[string]string{"cached": "completed", "errored": "completed", "nostate": "completed", "t": "completed",
			"stale": "", "known": "", "busy": ""}, get(all...))
		assert.Equal(t, "completed", states.Client.Get(ctx, other.StateKey("stale")).Val())
		keys, err := states.Client.Keys(ctx, states.StateKey("stale")+"*").Result()
		require.NoError(t, err)
		assert.Empty(t, keys, "the removed query's transitions are gone too")

		// The rebuilt machines work for FlowMachine, including one it never saw before.
		fm, _ := c.flowmachine()
		require.NoError(t, fm.Drive(ctx, "nostate", "RESET", "FINISH_RESET", "QUEUE"))
	})
	t.Run("refuses while a query executes, unless forced", func(t *testing.T) {
		c, states, get := setup(t)
		fm, _ := c.flowmachine()
		setStates(t, fm, map[string]string{"busy": "executing"})
		before := get(all...)
		res, err := cachepruner.ResyncRedis(ctx, c.prunerConn(c.s.User), states, cachepruner.ResyncOptions{})
		require.ErrorIs(t, err, cachepruner.ErrInUse)
		assert.Contains(t, err.Error(), "busy")
		assert.Len(t, res.InUse, 1)
		assert.Equal(t, before, get(all...), "nothing changed")

		res, err = cachepruner.ResyncRedis(ctx, c.prunerConn(c.s.User), states, cachepruner.ResyncOptions{Force: true})
		require.NoError(t, err)
		assert.True(t, res.Forced)
		assert.Equal(t, "", get("busy")["busy"])
	})
}

func trim(ids []string) []string {
	for i := range ids {
		ids[i] = strings.TrimSpace(ids[i])
	}
	return ids
}
