package cachepruner_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/cachepruner"
	"github.com/flotilla/flotilla/pkg/cachepruner/flowdbtest"
	"github.com/flotilla/flotilla/pkg/pgtest"
	"github.com/flotilla/flotilla/pkg/redistest"
)

// roundTrips counts client→server round trips: with QueryExecModeExec every query and every
// batch is exactly one.
type roundTrips struct{ n atomic.Int64 }

func (r *roundTrips) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	r.n.Add(1)
	return ctx
}
func (r *roundTrips) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (r *roundTrips) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	r.n.Add(1)
	return ctx
}
func (r *roundTrips) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (r *roundTrips) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

// benchSizes: N = 1,000 and 10,000 small tables by default; BENCH_PRUNE_N=100000 (or a
// comma-separated list) for more.
func benchSizes(b *testing.B) []int {
	v := os.Getenv("BENCH_PRUNE_N")
	if v == "" {
		return []int{1000, 10000}
	}
	var out []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		require.NoError(b, err, "BENCH_PRUNE_N")
		out = append(out, n)
	}
	return out
}

// seedBench creates n cache entries with one-row tables (8 KiB each) and distinct scores, in
// chunks so no transaction holds too many locks.
func seedBench(b *testing.B, s *pgtest.Server, n int) (string, *pgx.Conn) {
	db := s.NewDatabase(b)
	conn := s.Connect(b, db)
	ctx := context.Background()
	_, err := conn.Exec(ctx, flowdbtest.Schema)
	require.NoError(b, err)
	const chunk = 1000
	for lo := 1; lo <= n; lo += chunk {
		hi := min(lo+chunk-1, n)
		_, err := conn.Exec(ctx, fmt.Sprintf(`DO $$BEGIN
			FOR i IN %d..%d LOOP
				EXECUTE format('CREATE TABLE cache.b%%s AS SELECT 1 AS n', i);
			END LOOP; END$$`, lo, hi))
		require.NoError(b, err)
	}
	// Multipliers as n successive FlowDB touches would leave them (half_life 1000).
	_, err = conn.Exec(ctx, `INSERT INTO cache.cached (query_id, version, query, created, access_count, last_accessed,
		compute_time, cache_score_multiplier, class, schema, tablename, obj)
		SELECT md5(i::text), '1.18', 'SELECT …', now() - interval '2 days', 1, now(), 1000 + (i * 7919) % 5000,
			power(1 + ln(2) / 1000, i - 1), 'Query', 'cache', 'b' || i, '\x00'
		FROM generate_series(1, $1::int) i`, n)
	require.NoError(b, err)
	_, err = conn.Exec(ctx, "SELECT setval('cache.cache_touches', $1::bigint + 1)", n)
	require.NoError(b, err)
	_, err = conn.Exec(ctx, "ANALYZE cache.cached")
	require.NoError(b, err)
	return db, conn
}

// redisTrips counts Redis round trips: every command and every pipeline is one.
type redisTrips struct{ n atomic.Int64 }

func (r *redisTrips) DialHook(next redis.DialHook) redis.DialHook { return next }
func (r *redisTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { r.n.Add(1); return next(ctx, cmd) }
}
func (r *redisTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { r.n.Add(1); return next(ctx, cmds) }
}

// seedStates writes a completed FlowMachine state for each of the n entries seedBench made.
func seedStates(b *testing.B, q *cachepruner.QueryStates, n int) {
	ctx := context.Background()
	for lo := 1; lo <= n; lo += 10000 {
		pipe := q.Client.Pipeline()
		for i := lo; i < lo+10000 && i <= n; i++ {
			sum := md5.Sum([]byte(strconv.Itoa(i)))
			pipe.Set(ctx, q.StateKey(hex.EncodeToString(sum[:])), cachepruner.StateCompleted, 0)
		}
		_, err := pipe.Exec(ctx)
		require.NoError(b, err)
	}
}

// BenchmarkPrune seeds N entries, each with a completed state in FlowMachine's Redis, and
// prunes to half the size with Redis in the loop; it reports seconds and round trips (SQL and
// Redis) per removed entry next to the floor: dropping the same number of tables with plain
// batched DROP TABLE statements (same batch size).
func BenchmarkPrune(b *testing.B) {
	s := pgtest.Require(b)
	r := redistest.Require(b)
	const batch = 100
	for _, n := range benchSizes(b) {
		b.Run("N="+strconv.Itoa(n), func(b *testing.B) {
			ctx := context.Background()
			var pruneTime, floorTime, selectTime time.Duration
			var pruneTrips, floorTrips, redisTripsN, removed int64
			for range b.N {
				b.StopTimer()
				db, _ := seedBench(b, s, n)
				cfg, err := pgx.ParseConfig(s.URLFor(db, s.User, ""))
				require.NoError(b, err)
				rt := &roundTrips{}
				cfg.Tracer = rt
				conn, err := pgx.ConnectConfig(ctx, cachepruner.ConnConfig(cfg))
				require.NoError(b, err)
				rrt := &redisTrips{}
				rdb := redis.NewClient(r.Options())
				rdb.AddHook(rrt)
				states := &cachepruner.QueryStates{Client: rdb, DBID: cachepruner.DBID(s.Host, uint16(s.Port), db)}
				seedStates(b, states, n)
				size, err := cachepruner.CurrentSize(ctx, conn)
				require.NoError(b, err)
				neg := -time.Second
				// The selection alone (a dry run: lock, config, one selection query).
				start := time.Now()
				_, err = cachepruner.Prune(ctx, conn, cachepruner.PruneOptions{MaxSize: size / 2, ProtectedPeriod: &neg, DryRun: true})
				selectTime += time.Since(start)
				require.NoError(b, err)
				rt.n.Store(0)
				rrt.n.Store(0)

				b.StartTimer()
				start = time.Now()
				res, err := cachepruner.Prune(ctx, conn, cachepruner.PruneOptions{MaxSize: size / 2, ProtectedPeriod: &neg, BatchSize: batch, States: states})
				pruneTime += time.Since(start)
				b.StopTimer()
				require.NoError(b, err)
				require.Len(b, res.Removed, n/2)
				require.Equal(b, n/2, res.StatesReset)
				pruneTrips += rt.n.Load()
				redisTripsN += rrt.n.Load()
				removed += int64(len(res.Removed))
				conn.Close(ctx)
				_ = rdb.Close()

				// The floor: the same number of the same kind of tables, plain DROP TABLE batches.
				_, fconn := seedBench(b, s, n)
				fcfg := fconn.Config().Copy()
				frt := &roundTrips{}
				fcfg.Tracer = frt
				fc, err := pgx.ConnectConfig(ctx, cachepruner.ConnConfig(fcfg))
				require.NoError(b, err)
				start = time.Now()
				for lo := 1; lo <= n/2; lo += batch {
					var names []string
					for i := lo; i < lo+batch && i <= n/2; i++ {
						names = append(names, "cache.b"+strconv.Itoa(i))
					}
					bt := &pgx.Batch{}
					bt.Queue("DROP TABLE " + strings.Join(names, ", "))
					require.NoError(b, fc.SendBatch(ctx, bt).Close())
				}
				floorTime += time.Since(start)
				floorTrips += frt.n.Load()
				fc.Close(ctx)
				b.StartTimer()
			}
			per := float64(removed)
			b.ReportMetric(pruneTime.Seconds()/float64(b.N), "prune-s/op")
			b.ReportMetric(floorTime.Seconds()/float64(b.N), "floor-s/op")
			b.ReportMetric(selectTime.Seconds()/float64(b.N), "select-s/op")
			b.ReportMetric(pruneTime.Seconds()/floorTime.Seconds(), "x-floor")
			b.ReportMetric(float64(pruneTrips)/per, "roundtrips/removed")
			b.ReportMetric(float64(redisTripsN)/per, "redis-roundtrips/removed")
			b.ReportMetric(float64(floorTrips)/per, "floor-roundtrips/removed")
			b.ReportMetric(float64(pruneTime.Microseconds())/per, "µs/removed")
		})
	}
}
