package cachepruner_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/cachepruner"
)

// TestMinInterval: a prune records its start in cache.cache_config; with --min-interval the
// next one skips while that start is younger than the interval, and runs once it is older.
func TestMinInterval(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		recorded string // value of the key before the run; "" = none
		min      time.Duration
		wantSkip bool
	}{
		{name: "no record yet", min: time.Hour},
		{name: "recent prune", recorded: "now-600", min: time.Hour, wantSkip: true},
		{name: "old prune", recorded: "now-7200", min: time.Hour},
		{name: "no interval asked", recorded: "now-1", min: 0},
		{name: "garbage counts as no record", recorded: "yesterday", min: time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newCache(t)
			seed(c, 2)
			c.setConfig("cache_size", "0")
			switch tc.recorded {
			case "":
			case "yesterday":
				c.exec("INSERT INTO cache.cache_config VALUES ($1, 'yesterday')", cachepruner.LastPruneKey)
			default:
				var secs int
				_, _ = fmt.Sscanf(tc.recorded, "now-%d", &secs)
				c.exec("INSERT INTO cache.cache_config VALUES ($1, (extract(epoch FROM now()) - $2)::text)", cachepruner.LastPruneKey, secs)
			}
			neg := -time.Second
			res, err := cachepruner.Prune(ctx, c.prunerConn(c.s.User), cachepruner.PruneOptions{MaxSize: -1, ProtectedPeriod: &neg, MinInterval: tc.min})
			require.NoError(t, err)
			assert.Equal(t, tc.wantSkip, res.Skipped, res.SkipReason)
			if tc.wantSkip {
				assert.Contains(t, res.SkipReason, "--min-interval 1h0m0s")
				assert.Len(t, c.ids(), 2)
				return
			}
			assert.Empty(t, c.ids())
			var age float64
			require.NoError(t, c.conn.QueryRow(ctx, "SELECT extract(epoch FROM now()) - value::float8 FROM cache.cache_config WHERE key = $1", cachepruner.LastPruneKey).Scan(&age))
			assert.Less(t, age, 60.0, "the prune recorded its start")

			again, err := cachepruner.Prune(ctx, c.prunerConn(c.s.User), cachepruner.PruneOptions{MaxSize: -1, MinInterval: time.Hour})
			require.NoError(t, err)
			assert.True(t, again.Skipped, "a second prune right after skips")
		})
	}
}
