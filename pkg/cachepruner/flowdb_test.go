package cachepruner_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/cachepruner"
	"github.com/flotilla/flotilla/pkg/cachepruner/flowdbtest"
	"github.com/flotilla/flotilla/pkg/pgtest"
	"github.com/flotilla/flotilla/pkg/redistest"
)

type cacheDB struct {
	t    testing.TB
	s    *pgtest.Server
	db   string
	conn *pgx.Conn
}

func newCache(t testing.TB) *cacheDB {
	t.Helper()
	s := pgtest.Require(t)
	db := s.NewDatabase(t)
	c := &cacheDB{t: t, s: s, db: db, conn: s.Connect(t, db)}
	c.exec(flowdbtest.Schema)
	return c
}

// flowmachine returns FlowMachine's Redis side for this database (the oracle that writes states
// as FlowMachine does) and the pruner's view of the same Redis.
func (c *cacheDB) flowmachine() (flowdbtest.FlowMachine, *cachepruner.QueryStates) {
	c.t.Helper()
	rdb := redistest.Require(c.t).Client(c.t)
	fm := flowdbtest.NewFlowMachine(rdb, c.s.Host, c.s.Port, c.db)
	return fm, &cachepruner.QueryStates{Client: rdb, DBID: cachepruner.DBID(c.s.Host, uint16(c.s.Port), c.db)}
}

// setStates drives each query to its state as FlowMachine's server would. Redis keys use the
// query id as FlowMachine knows it: FlowDB pads the short test ids to character(32), real ids
// are 32 hex digits.
func setStates(t testing.TB, fm flowdbtest.FlowMachine, states map[string]string) {
	t.Helper()
	for id, st := range states {
		path, ok := flowdbtest.Paths[st]
		require.True(t, ok, "no path to state %q", st)
		require.NoError(t, fm.Machine(context.Background(), id))
		require.NoError(t, fm.Drive(context.Background(), id, path...))
	}
}

// statesOf reads the Redis state of each query ("" when none).
func statesOf(t testing.TB, fm flowdbtest.FlowMachine, ids ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, id := range ids {
		st, err := fm.State(context.Background(), id)
		require.NoError(t, err)
		out[id] = st
	}
	return out
}

func (c *cacheDB) exec(sql string, args ...any) {
	c.t.Helper()
	_, err := c.conn.Exec(context.Background(), sql, args...)
	require.NoError(c.t, err, sql)
}

func (c *cacheDB) setConfig(key, value string) {
	c.t.Helper()
	c.exec("UPDATE cache.cache_config SET value = $2 WHERE key = $1", key, value)
}

// prunerConn opens a connection configured as the command does.
func (c *cacheDB) prunerConn(user string) *pgx.Conn {
	c.t.Helper()
	cfg, err := pgx.ParseConfig(c.s.URLFor(c.db, user, ""))
	require.NoError(c.t, err)
	conn, err := pgx.ConnectConfig(context.Background(), cachepruner.ConnConfig(cfg))
	require.NoError(c.t, err)
	c.t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

type entry struct {
	id          string
	class       string        // default "Query"
	rows        int           // rows in its table (size)
	computeMS   float64       // compute_time in ms
	age         time.Duration // created this long ago (default 48h: unprotected)
	touches     int           // retrievals after the insert
	noTable     bool          // row without a table (table already gone)
	numericMath bool          // touch at numeric precision
}

func id32(id string) string { return fmt.Sprintf("%-32s", id)[:32] }

// add stores a cache entry as FlowMachine does: create the table, insert the row with
// multiplier 0, then touch it once (an insert is a touch); then touch it e.touches times.
func (c *cacheDB) add(e entry) {
	c.t.Helper()
	if e.class == "" {
		e.class = "Query"
	}
	if e.age == 0 {
		e.age = 48 * time.Hour
	}
	if e.computeMS == 0 {
		e.computeMS = 1000
	}
	table := "x" + e.id
	if !e.noTable {
		c.exec(fmt.Sprintf("CREATE TABLE cache.%s AS SELECT g AS n, md5(g::text) AS h FROM generate_series(1, %d) g", table, e.rows))
	}
	c.exec(`INSERT INTO cache.cached (query_id, version, query, created, access_count, last_accessed, compute_time,
		cache_score_multiplier, class, schema, tablename, obj)
		VALUES ($1, '1.18', 'SELECT …', now() - make_interval(secs => $2), 0, now(), $3, 0, $4, 'cache', $5, '\x00')`,
		id32(e.id), e.age.Seconds(), e.computeMS, e.class, table)
	for range e.touches + 1 {
		c.touch(e.id, e.numericMath)
	}
}

// touch is FlowDB's touch: Table/GeoTable rows get multiplier 0 and do not advance the sequence.
func (c *cacheDB) touch(id string, numeric bool) {
	c.t.Helper()
	var class string
	require.NoError(c.t, c.conn.QueryRow(context.Background(), "SELECT class FROM cache.cached WHERE query_id = $1", id32(id)).Scan(&class))
	if class == "Table" || class == "GeoTable" {
		c.exec("UPDATE cache.cached SET last_accessed = now(), access_count = access_count + 1, cache_score_multiplier = 0 WHERE query_id = $1", id32(id))
		return
	}
	if numeric {
		c.exec(flowdbtest.TouchNumericSQL, id32(id))
	} else {
		c.exec(flowdbtest.TouchSQL, id32(id))
	}
}

func (c *cacheDB) depends(id, on string) {
	c.t.Helper()
	c.exec("INSERT INTO cache.dependencies (query_id, depends_on) VALUES ($1, $2)", id32(id), id32(on))
}

func (c *cacheDB) size(id string) int64 {
	c.t.Helper()
	var n int64
	require.NoError(c.t, c.conn.QueryRow(context.Background(), "SELECT pg_total_relation_size(('cache.x' || $1)::regclass)", id).Scan(&n))
	return n
}

// ids lists the query ids of cache.cached rows.
func (c *cacheDB) ids() []string {
	c.t.Helper()
	rows, err := c.conn.Query(context.Background(), "SELECT rtrim(query_id) FROM cache.cached ORDER BY 1")
	require.NoError(c.t, err)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(c.t, err)
	return out
}

// checkConsistent asserts that every row has its table and every cache table has its row.
func (c *cacheDB) checkConsistent() {
	c.t.Helper()
	var orphanRows, orphanTables []string
	rows, err := c.conn.Query(context.Background(), `SELECT rtrim(c.query_id) FROM cache.cached c
		WHERE NOT EXISTS (SELECT FROM pg_tables t WHERE t.schemaname = c.schema AND t.tablename = c.tablename)`)
	require.NoError(c.t, err)
	orphanRows, err = pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(c.t, err)
	rows, err = c.conn.Query(context.Background(), `SELECT t.tablename::text FROM pg_tables t
		WHERE t.schemaname = 'cache' AND t.tablename NOT IN ('cached', 'dependencies', 'cache_config')
		AND NOT EXISTS (SELECT FROM cache.cached c WHERE c.schema = t.schemaname AND c.tablename = t.tablename)`)
	require.NoError(c.t, err)
	orphanTables, err = pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(c.t, err)
	require.Empty(c.t, orphanRows, "rows without a table")
	require.Empty(c.t, orphanTables, "tables without a row")
}

func removedIDs(res cachepruner.Result) []string {
	var out []string
	for _, r := range res.Removed {
		out = append(out, strings.TrimSpace(r.QueryID))
	}
	return out
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
