package cachepruner_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/cachepruner"
)

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
