package cachepruner_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/cachepruner"
	"github.com/flotilla/flotilla/pkg/pgtest"
)

func TestNoCacheSchema(t *testing.T) {
	s := pgtest.Require(t)
	db := s.NewDatabase(t)
	c := &cacheDB{t: t, s: s, db: db}
	_, err := cachepruner.Prune(context.Background(), c.prunerConn(s.User), cachepruner.PruneOptions{MaxSize: -1})
	require.ErrorContains(t, err, "has no FlowDB cache")
}

// TestOutOfRangeRefused: values that would overflow and silently change what is deleted are
// refused before anything is removed (each would have removed entries on the old code: a
// wrapped protected period disables protection, a wrapped cache_size falls back to none).
func TestOutOfRangeRefused(t *testing.T) {
	tests := []struct {
		name    string
		config  map[string]string
		o       cachepruner.PruneOptions
		setting string
	}{
		{name: "protected period past time.Duration", config: map[string]string{"cache_protected_period": "1e10"}, setting: "cache.cache_config cache_protected_period"},
		{name: "protected period NaN", config: map[string]string{"cache_protected_period": "NaN"}, setting: "cache.cache_config cache_protected_period"},
		{name: "protected period infinite", config: map[string]string{"cache_protected_period": "-Infinity"}, setting: "cache.cache_config cache_protected_period"},
		{name: "protected period past float8", config: map[string]string{"cache_protected_period": "1e400"}, setting: "cache.cache_config cache_protected_period"},
		{name: "cache_size past int64", config: map[string]string{"cache_size": "1e19"}, setting: "cache.cache_config cache_size"},
		{name: "cache_size infinite", config: map[string]string{"cache_size": "inf"}, setting: "cache.cache_config cache_size"},
		{name: "cache_size NaN", config: map[string]string{"cache_size": "nan"}, setting: "cache.cache_config cache_size"},
		{name: "cache_size negative", config: map[string]string{"cache_size": "-5"}, setting: "cache.cache_config cache_size"},
		{name: "batch size past the lock table", o: cachepruner.PruneOptions{BatchSize: 20000}, setting: "--batch-size"},
		{name: "negative batch size", o: cachepruner.PruneOptions{BatchSize: -1}, setting: "--batch-size"},
		{name: "negative min interval", o: cachepruner.PruneOptions{MinInterval: -time.Second}, setting: "--min-interval"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newCache(t)
			seed(c, 2)
			c.exec("UPDATE cache.cache_config SET value = '0' WHERE key = 'cache_size'")
			for k, v := range tc.config {
				c.setConfig(k, v)
			}
			tc.o.MaxSize = -1
			_, err := cachepruner.Prune(context.Background(), c.prunerConn(c.s.User), tc.o)
			var re *cachepruner.RangeError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tc.setting, re.Setting)
			assert.Contains(t, err.Error(), "allowed")
			assert.Len(t, c.ids(), 2, "nothing removed")
		})
	}
}

func TestRangeHelpers(t *testing.T) {
	d, err := cachepruner.PeriodFromSeconds("x", float64(cachepruner.MaxPeriodSeconds))
	require.NoError(t, err)
	assert.Positive(t, d)
	d, err = cachepruner.PeriodFromSeconds("x", -86400)
	require.NoError(t, err)
	assert.Equal(t, -24*time.Hour, d)
	n, err := cachepruner.SizeFromBytes("x", 9.2e18)
	require.NoError(t, err)
	assert.Positive(t, n)
	_, err = cachepruner.SizeFromBytes("x", math.Inf(1))
	assert.Error(t, err)
}
