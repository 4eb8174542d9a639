package cachepruner_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/cachepruner"
	"github.com/flotilla/flotilla/pkg/cachepruner/flowdbtest"
)

// scoreAt evaluates the pruner's log score of a row with a given size (the worked example uses
// conceptual sizes of 10 and 100 bytes, which no real table has).
func scoreAt(t *testing.T, c *cacheDB, id string, size float64) float64 {
	t.Helper()
	var ln float64
	require.NoError(t, c.conn.QueryRow(context.Background(), `SELECT `+cachepruner.LnScoreSQLForTest+`
		FROM cache.cached c CROSS JOIN (SELECT $2::float8 AS size) s WHERE c.query_id = $1`, id32(id), size).Scan(&ln))
	return math.Exp(ln)
}

// TestWorkedExample is the note's oracle: 100 s compute for both, 10 and 100 bytes.
func TestWorkedExample(t *testing.T) {
	tests := []struct {
		halfLife    string
		retrievals  int
		wantBig     float64
		bigWinsFrom int // first retrieval count at which big_query outscores small_query
	}{
		{halfLife: "2.0", retrievals: 0, wantBig: 1.346574},
		{halfLife: "2.0", retrievals: 3, wantBig: 8.889},
		{halfLife: "2.0", retrievals: 4, wantBig: 13.316853},
		{halfLife: "10.0", retrievals: 6, wantBig: 9.2345},
		{halfLife: "10.0", retrievals: 7, wantBig: 10.9439},
	}
	for _, tc := range tests {
		t.Run(tc.halfLife+"/"+string(rune('0'+tc.retrievals)), func(t *testing.T) {
			c := newCache(t)
			c.setConfig("half_life", tc.halfLife)
			c.add(entry{id: "small", rows: 1, computeMS: 100000})
			c.add(entry{id: "big", rows: 1, computeMS: 100000, touches: tc.retrievals})
			small := scoreAt(t, c, "small", 10)
			big := scoreAt(t, c, "big", 100)
			assert.InDelta(t, 10.0, small, 5e-7)
			assert.InDelta(t, tc.wantBig, big, 5e-4)
			// Retrievals of big_query beat small_query exactly when the oracle says so.
			assert.Equal(t, tc.wantBig > 10, big > small)
		})
	}
	t.Run("half_life 10 needs seven retrievals", func(t *testing.T) {
		c := newCache(t)
		c.setConfig("half_life", "10.0")
		c.add(entry{id: "small", rows: 1, computeMS: 100000})
		c.add(entry{id: "big", rows: 1, computeMS: 100000})
		n := 0
		for ; scoreAt(t, c, "big", 100) <= scoreAt(t, c, "small", 10); n++ {
			c.touch("big", false)
		}
		assert.Equal(t, 7, n)
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

// TestOverflowScale: after millions of touches FlowDB's float8 POWER overflows; multipliers
// held at numeric precision still order correctly in log space.
func TestOverflowScale(t *testing.T) {
	ctx := context.Background()
	c := newCache(t)
	c.setConfig("half_life", "1000")
	c.setConfig("cache_size", "0")
	c.add(entry{id: "old", rows: 100, computeMS: 1e6, numericMath: true})
	c.exec("SELECT setval('cache.cache_touches', 3000000)")
	c.add(entry{id: "mid", rows: 100, computeMS: 1000, numericMath: true})
	c.exec("SELECT setval('cache.cache_touches', 5000000)")
	c.add(entry{id: "new", rows: 100, computeMS: 1e6, numericMath: true})
	c.exec("SELECT setval('cache.cache_touches', 5020000)")
	c.add(entry{id: "newer", rows: 100, computeMS: 10, numericMath: true})

	// FlowDB's own touch fails at this scale, and so does a float8 score.
	_, err := c.conn.Exec(ctx, "SELECT POWER(1 + ln(2) / 1000, nextval('cache.cache_touches') - 2)")
	require.ErrorContains(t, err, "value out of range: overflow")
	_, err = c.conn.Exec(ctx, flowdbtest.TouchSQL, id32("new"))
	require.ErrorContains(t, err, "out of range")
	_, err = c.conn.Exec(ctx, "SELECT cache_score_multiplier::float8 FROM cache.cached")
	require.ErrorContains(t, err, "out of range")

	dry, err := cachepruner.Prune(ctx, c.prunerConn(c.s.User), cachepruner.PruneOptions{MaxSize: -1, DryRun: true})
	require.NoError(t, err)
	// "newer" was touched 20,000 touches later: e^(20000·ln(1+ln2/1000)) ≈ 1e6 outweighs its
	// 100,000× cheaper compute time.
	assert.Equal(t, []string{"old", "mid", "new", "newer"}, removedIDs(dry))
	for i := 1; i < len(dry.Removed); i++ {
		assert.Less(t, dry.Removed[i-1].LnScore, dry.Removed[i].LnScore)
	}
	// ln(score) of "new" is about 4,999,998·ln(1+ln2/1000): far beyond float8's ln(max) ≈ 709.
	// (first touch of "new" is nextval 5,000,001: exponent 4,999,999; compute 1000 s).
	want := 4999999*math.Log1p(math.Ln2/1000) + math.Log(1000) - math.Log(float64(dry.Removed[2].Size))
	assert.InDelta(t, want, float64(dry.Removed[2].LnScore), 1e-6)
}

// TestOddRows: NULLs where FlowDB's columns allow them do not crash the pruner; NULL scores
// sort last, as in FlowMachine; a NULL class is never treated as a cache entry.
func TestOddRows(t *testing.T) {
	ctx := context.Background()
	c := newCache(t)
	c.add(entry{id: "ok", rows: 100, touches: 3})
	c.add(entry{id: "nulls", rows: 100})
	c.add(entry{id: "noclass", rows: 100})
	c.exec("UPDATE cache.cached SET created = NULL, compute_time = NULL, cache_score_multiplier = NULL, access_count = NULL, last_accessed = NULL WHERE query_id = $1", id32("nulls"))
	c.exec("UPDATE cache.cached SET class = NULL WHERE query_id = $1", id32("noclass"))
	c.exec("INSERT INTO cache.cache_config VALUES ('cache_size', '0')") // duplicate key: the first non-NULL wins
	c.setConfig("cache_size", formatInt(c.size("ok")))

	st, err := cachepruner.ReadStatus(ctx, c.prunerConn(c.s.User), 5)
	require.NoError(t, err)
	assert.Equal(t, 2, st.Entries)
	assert.Equal(t, "ok", st.Lowest[0].QueryID)
	assert.True(t, math.IsNaN(float64(st.Lowest[1].LnScore)), "NULL score")

	res, err := cachepruner.Prune(ctx, c.prunerConn(c.s.User), cachepruner.PruneOptions{MaxSize: -1})
	require.NoError(t, err)
	assert.Equal(t, []string{"ok"}, removedIDs(res))
	assert.Equal(t, []string{"noclass", "nulls"}, c.ids())
	c.checkConsistent()
}

// TestOrderParity: the pruner removes entries in the order FlowMachine's shrink_one would, as
// FlowMachine's own candidate query orders them over FlowDB's cache_score and table_size: score
// 0 first, NULL scores (NULL multiplier or compute time) last.
func TestOrderParity(t *testing.T) {
	ctx := context.Background()
	c := newCache(t)
	c.add(entry{id: "hot", rows: 100, touches: 6})
	c.add(entry{id: "nullmult", rows: 100, touches: 2})
	c.add(entry{id: "warm", rows: 100, touches: 3})
	c.add(entry{id: "nullcompute", rows: 100, touches: 4})
	c.add(entry{id: "zero", rows: 100, touches: 5})
	c.add(entry{id: "big", rows: 3000, touches: 5})
	c.add(entry{id: "cheap", rows: 10, computeMS: 10})
	c.exec("UPDATE cache.cached SET cache_score_multiplier = NULL WHERE query_id = $1", id32("nullmult"))
	c.exec("UPDATE cache.cached SET compute_time = NULL WHERE query_id = $1", id32("nullcompute"))
	c.exec("UPDATE cache.cached SET cache_score_multiplier = 0 WHERE query_id = $1", id32("zero"))

	rows, err := c.conn.Query(ctx, flowdbtest.FlowMachineOrderSQL)
	require.NoError(t, err)
	want, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.Equal(t, "zero", want[0])
	// FlowMachine leaves the order of equal (NULL) scores to chance: compare them as a set.
	assert.ElementsMatch(t, []string{"nullmult", "nullcompute"}, want[len(want)-2:])

	c.setConfig("cache_size", "0")
	neg := -time.Second
	dry, err := cachepruner.Prune(ctx, c.prunerConn(c.s.User), cachepruner.PruneOptions{MaxSize: -1, ProtectedPeriod: &neg, DryRun: true})
	require.NoError(t, err)
	got := removedIDs(dry)
	assert.Equal(t, want[:len(want)-2], got[:len(got)-2])
	assert.ElementsMatch(t, want[len(want)-2:], got[len(got)-2:])
}
