package cachepruner_test

import (
	"context"
	"log/slog"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/cachepruner"
	"github.com/flotilla/flotilla/pkg/cachepruner/flowdbtest"
	"github.com/flotilla/flotilla/pkg/pgtest"
)

func TestMain(m *testing.M) {
	if childMain() {
		return
	}
	pgtest.Main(m)
}

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

func TestPrune(t *testing.T) {
	ctx := context.Background()
	neg := -time.Second
	tests := []struct {
		name      string
		entries   []entry
		config    map[string]string
		maxSize   func(c *cacheDB) int64 // nil: from cache_size
		protected *time.Duration
		want      []string // removed, in order
		wantErr   string
	}{
		{
			name: "lowest score first until under cache_size; Table, GeoTable and protected rows stay",
			entries: []entry{
				{id: "a", rows: 100, touches: 3},
				{id: "b", rows: 100},                   // inserted later than a, but a has more touches
				{id: "c", rows: 100, touches: 5},       // most valuable
				{id: "d", rows: 100, age: time.Minute}, // protected (created a minute ago)
				{id: "t", rows: 5000, class: "Table"},
				{id: "g", rows: 5000, class: "GeoTable"},
			},
			config: map[string]string{"cache_size": "SIZE*2.5"},
			want:   []string{"b", "a"},
		},
		{
			name: "--max-size overrides cache_size; cheap-to-store beats big",
			entries: []entry{
				{id: "big", rows: 2000, computeMS: 5000},
				{id: "small", rows: 10, computeMS: 5000},
			},
			config:  map[string]string{"cache_size": "999999999"},
			maxSize: func(c *cacheDB) int64 { return c.size("small") },
			want:    []string{"big"},
		},
		{
			name: "negative protected period disables protection",
			entries: []entry{
				{id: "a", rows: 100, age: time.Second, touches: 1},
				{id: "b", rows: 100, age: time.Second},
			},
			config:    map[string]string{"cache_size": "0"},
			protected: &neg,
			want:      []string{"b", "a"}, // a's second touch came before b's insert: r^0+r^1 > r^2
		},
		{
			name:    "cache_protected_period from cache_config",
			entries: []entry{{id: "a", rows: 100, age: time.Hour}, {id: "b", rows: 100, age: 3 * time.Hour}},
			config:  map[string]string{"cache_size": "0", "cache_protected_period": "7200"},
			want:    []string{"b"},
		},
		{
			name:    "no limit anywhere",
			entries: []entry{{id: "a", rows: 1}},
			wantErr: "cache_size is unset",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newCache(t)
			for _, e := range tc.entries {
				c.add(e)
			}
			for k, v := range tc.config {
				if v == "SIZE*2.5" {
					v = formatInt(c.size("a") * 5 / 2)
				}
				c.setConfig(k, v)
			}
			before := c.ids()
			o := cachepruner.PruneOptions{MaxSize: -1, ProtectedPeriod: tc.protected}
			if tc.maxSize != nil {
				o.MaxSize = tc.maxSize(c)
			}
			res, err := cachepruner.Prune(ctx, c.prunerConn(c.s.User), o)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				assert.Equal(t, before, c.ids())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, removedIDs(res))
			var freed int64
			for _, id := range tc.want {
				assert.NotContains(t, c.ids(), id)
				freed += res.Removed[indexOf(removedIDs(res), id)].Size
			}
			assert.Equal(t, freed, res.Freed)
			assert.Equal(t, res.SizeBefore-res.Freed, res.SizeAfter, "catalog size after equals before minus freed")
			assert.Len(t, c.ids(), len(before)-len(tc.want))
			c.checkConsistent()
		})
	}
}

func TestDryRunMatchesPruneAndChangesNothing(t *testing.T) {
	c := newCache(t)
	for i, id := range []string{"a", "b", "c", "d", "e"} {
		c.add(entry{id: id, rows: 100 * (i + 1), touches: 5 - i})
	}
	c.setConfig("cache_size", formatInt(c.size("e")))
	before := c.ids()
	dry, err := cachepruner.Prune(context.Background(), c.prunerConn(c.s.User), cachepruner.PruneOptions{MaxSize: -1, DryRun: true})
	require.NoError(t, err)
	require.NotEmpty(t, dry.Removed)
	assert.Zero(t, dry.Freed)
	assert.Equal(t, before, c.ids(), "dry run removed nothing")
	real, err := cachepruner.Prune(context.Background(), c.prunerConn(c.s.User), cachepruner.PruneOptions{MaxSize: -1})
	require.NoError(t, err)
	assert.Equal(t, removedIDs(dry), removedIDs(real))
	assert.Equal(t, dry.SizeAfter, real.SizeAfter)
}

func TestCascade(t *testing.T) {
	ctx := context.Background()
	setup := func(t *testing.T) *cacheDB {
		c := newCache(t)
		c.add(entry{id: "b", rows: 100})             // lowest score: inserted first, never touched again
		c.add(entry{id: "a", rows: 100, touches: 3}) // computed from b
		c.add(entry{id: "z", rows: 100, touches: 3}) // computed from a
		c.add(entry{id: "u", rows: 100, touches: 9}) // unrelated
		c.depends("a", "b")
		c.depends("z", "a")
		c.setConfig("cache_size", formatInt(c.size("b")*3))
		return c
	}
	tests := []struct {
		name     string
		cascade  bool
		run      func(c *cacheDB, cascade bool) (cachepruner.Result, error)
		want     []string
		wantLeft []string
	}{
		{name: "prune without cascade", run: prune, want: []string{"b"}, wantLeft: []string{"a", "u", "z"}},
		{name: "prune with cascade", cascade: true, run: prune, want: []string{"b", "a", "z"}, wantLeft: []string{"u"}},
		{name: "invalidate without cascade", run: invalidate("b"), want: []string{"b"}, wantLeft: []string{"a", "u", "z"}},
		{name: "invalidate with cascade", cascade: true, run: invalidate("b"), want: []string{"b", "a", "z"}, wantLeft: []string{"u"}},
		{name: "invalidate middle with cascade", cascade: true, run: invalidate("a"), want: []string{"a", "z"}, wantLeft: []string{"b", "u"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := setup(t)
			res, err := tc.run(c, tc.cascade)
			require.NoError(t, err)
			assert.Equal(t, tc.want, removedIDs(res))
			assert.Equal(t, tc.wantLeft, c.ids())
			var deps int
			require.NoError(t, c.conn.QueryRow(ctx, "SELECT count(*) FROM cache.dependencies d WHERE NOT EXISTS (SELECT FROM cache.cached c WHERE c.query_id = d.query_id) OR NOT EXISTS (SELECT FROM cache.cached c WHERE c.query_id = d.depends_on)").Scan(&deps))
			assert.Zero(t, deps)
			c.checkConsistent()
		})
	}
}

func prune(c *cacheDB, cascade bool) (cachepruner.Result, error) {
	return cachepruner.Prune(context.Background(), c.prunerConn(c.s.User), cachepruner.PruneOptions{MaxSize: -1, Cascade: cascade})
}

func invalidate(id string) func(c *cacheDB, cascade bool) (cachepruner.Result, error) {
	return func(c *cacheDB, cascade bool) (cachepruner.Result, error) {
		return cachepruner.Invalidate(context.Background(), c.prunerConn(c.s.User), id, cachepruner.PruneOptions{Cascade: cascade})
	}
}

func TestInvalidateRefusals(t *testing.T) {
	c := newCache(t)
	c.add(entry{id: "t", rows: 10, class: "Table"})
	_, err := cachepruner.Invalidate(context.Background(), c.prunerConn(c.s.User), "nope", cachepruner.PruneOptions{})
	require.ErrorIs(t, err, cachepruner.ErrNotFound)
	_, err = cachepruner.Invalidate(context.Background(), c.prunerConn(c.s.User), "t", cachepruner.PruneOptions{})
	require.ErrorContains(t, err, "base data table")
	assert.Equal(t, []string{"t"}, c.ids())
}

// TestTableAlreadyGone: FlowKit issue 6099; the pruner cleans such rows up instead of crashing.
func TestTableAlreadyGone(t *testing.T) {
	c := newCache(t)
	c.add(entry{id: "a", rows: 100, touches: 4})
	c.add(entry{id: "gone", rows: 100, touches: 9})
	c.add(entry{id: "never", noTable: true})
	c.exec("DROP TABLE cache.xgone")
	c.setConfig("cache_size", "999999999")

	st, err := cachepruner.ReadStatus(context.Background(), c.prunerConn(c.s.User), 10)
	require.NoError(t, err)
	assert.Equal(t, 2, st.MissingTables)
	assert.Equal(t, c.size("a"), st.Size)

	res, err := cachepruner.Prune(context.Background(), c.prunerConn(c.s.User), cachepruner.PruneOptions{MaxSize: -1})
	require.NoError(t, err)
	got := removedIDs(res)
	sort.Strings(got)
	assert.Equal(t, []string{"gone", "never"}, got)
	assert.Equal(t, []string{"a"}, c.ids())
	c.checkConsistent()

	// The table vanishing between selection and removal is fine too (DROP … IF EXISTS).
	c.add(entry{id: "b", rows: 100})
	c.exec("DROP TABLE cache.xb")
	_, err = cachepruner.Invalidate(context.Background(), c.prunerConn(c.s.User), "b", cachepruner.PruneOptions{})
	require.NoError(t, err)
	c.checkConsistent()
}

func TestPrivileges(t *testing.T) {
	tests := []struct {
		name   string
		grants string
		want   string
	}{
		{name: "read-only role (flowapi)", grants: "GRANT USAGE ON SCHEMA cache TO %s; GRANT SELECT ON ALL TABLES IN SCHEMA cache TO %s", want: "permission denied for table cached"},
		{name: "may delete rows but owns no table", grants: "GRANT USAGE ON SCHEMA cache TO %s; GRANT SELECT, DELETE ON ALL TABLES IN SCHEMA cache TO %s", want: "must be owner of table"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newCache(t)
			c.add(entry{id: "a", rows: 100})
			c.add(entry{id: "b", rows: 100, touches: 2})
			c.setConfig("cache_size", "0")
			role := c.s.CreateRole(t, c.db, "")
			c.exec(sprintf2(tc.grants, role))
			res, err := cachepruner.Prune(context.Background(), c.prunerConn(role), cachepruner.PruneOptions{MaxSize: -1})
			require.Error(t, err)
			var pe *cachepruner.PrivilegeError
			require.ErrorAs(t, err, &pe)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "GRANT "+`"`+c.s.User+`"`+" TO "+`"`+role+`"`)
			assert.Empty(t, res.Removed)
			// Nothing half-done: the DELETE rolled back with the failed DROP.
			assert.Equal(t, []string{"a", "b"}, c.ids())
			c.checkConsistent()
		})
	}
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
// count as 0 (removed first), a NULL class is never treated as a cache entry.
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
	assert.True(t, math.IsInf(float64(st.Lowest[0].LnScore), -1))

	res, err := cachepruner.Prune(ctx, c.prunerConn(c.s.User), cachepruner.PruneOptions{MaxSize: -1})
	require.NoError(t, err)
	assert.Equal(t, []string{"nulls"}, removedIDs(res))
	assert.Equal(t, []string{"noclass", "ok"}, c.ids())
	c.checkConsistent()
}

func TestNoCacheSchema(t *testing.T) {
	s := pgtest.Require(t)
	db := s.NewDatabase(t)
	c := &cacheDB{t: t, s: s, db: db}
	_, err := cachepruner.Prune(context.Background(), c.prunerConn(s.User), cachepruner.PruneOptions{MaxSize: -1})
	require.ErrorContains(t, err, "has no FlowDB cache")
}

// TestRemoveWithoutTempPrivilege: without TEMP on the database the session helper cannot be
// created; removal falls back to the pipelined DELETE + DROP and stays all-or-nothing.
func TestRemoveWithoutTempPrivilege(t *testing.T) {
	c := newCache(t)
	c.add(entry{id: "a", rows: 100})
	c.add(entry{id: "b", rows: 100, touches: 2})
	c.setConfig("cache_size", "0")
	role := c.s.CreateRole(t, c.db, "")
	c.exec("REVOKE TEMPORARY ON DATABASE " + c.db + " FROM PUBLIC")
	c.exec(sprintf2(`GRANT USAGE ON SCHEMA cache TO %s;
		DO $$DECLARE r record; BEGIN
			FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'cache' LOOP
				EXECUTE format('ALTER TABLE cache.%I OWNER TO %s', r.tablename);
			END LOOP; END$$`, role))

	var logs strings.Builder
	log := slog.New(slog.NewTextHandler(&logs, nil))
	res, err := cachepruner.Prune(context.Background(), c.prunerConn(role), cachepruner.PruneOptions{MaxSize: -1, Logger: log})
	require.NoError(t, err)
	assert.Contains(t, logs.String(), "no TEMP privilege")
	assert.Equal(t, []string{"a", "b"}, removedIDs(res))
	assert.Empty(t, c.ids())
	c.checkConsistent()
}
