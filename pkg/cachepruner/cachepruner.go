// Package cachepruner inspects and shrinks a FlowKit/FlowDB query cache (schema "cache") with
// FlowMachine's semantics, without FlowMachine's defects:
//
//   - Scores are compared in log space, from the numeric multiplier, so ordering stays right
//     past the point where FlowDB's float8 POWER overflows.
//   - One query selects the victims with their sizes read from the catalog at prune time;
//     removals are batched, several entries per transaction, one round trip per batch.
//   - Removing an entry deletes its cache.cached row and drops its table in one transaction, so
//     a killed pruner leaves no row without its table and no table without its row.
//   - Rows whose table is already gone are cleaned up instead of crashing the pruner.
//   - Concurrent pruners serialise on an advisory lock.
//
// Connections should use pgx.QueryExecModeExec (see ConnConfig): every statement is then one
// round trip and nothing is prepared, which suits one-off DROP statements.
package cachepruner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	pgxconn "github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"

	"github.com/flotilla/flotilla/pkg/pgconn"
)

// LockKey is the advisory lock every prune and invalidate of one database holds.
const LockKey int64 = 0x666c6f74_00000002 // "flot" + 2

// DefaultProtectedPeriod is FlowDB's default cache_protected_period.
const DefaultProtectedPeriod = 86400 * time.Second

// ConnConfig prepares a connection config for the pruner: no prepared statements, so each
// batch of removals is exactly one round trip; and a cancelled context sends the server a
// cancel request (pgx's default only closes the socket, and the server would go on to commit
// a batch it has already received in full).
func ConnConfig(cfg *pgx.ConnConfig) *pgx.ConnConfig {
	cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	cfg.BuildContextWatcherHandler = func(c *pgxconn.PgConn) ctxwatch.Handler {
		return &pgxconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: 5 * time.Second}
	}
	return cfg
}

// applyDeadline makes the server give up when ctx does (statement_timeout), in case the
// cancel request cannot reach it.
func applyDeadline(ctx context.Context, conn *pgx.Conn) error {
	dl, ok := ctx.Deadline()
	if !ok {
		return nil
	}
	ms := max(time.Until(dl).Milliseconds(), 1)
	if _, err := conn.Exec(ctx, "SET statement_timeout = "+strconv.FormatInt(ms, 10)); err != nil {
		return fmt.Errorf("set statement_timeout: %w", err)
	}
	return nil
}

// Config is FlowDB's cache.cache_config, parsed.
type Config struct {
	HalfLife        float64       // 0 when unset
	CacheSize       int64         // bytes; -1 when unset
	ProtectedPeriod time.Duration // DefaultProtectedPeriod when unset
}

// ReadConfig reads cache.cache_config. The table has no key constraint: for a duplicated key
// the first non-NULL value in storage order wins, as FlowDB's own `SELECT value … WHERE key=`
// lookups would return it.
func ReadConfig(ctx context.Context, conn *pgx.Conn) (Config, error) {
	cfg := Config{CacheSize: -1, ProtectedPeriod: DefaultProtectedPeriod}
	rows, err := conn.Query(ctx, "SELECT key, value FROM cache.cache_config WHERE value IS NOT NULL")
	if err != nil {
		return cfg, configError(conn, err)
	}
	seen := map[string]bool{}
	var key, value string
	_, err = pgx.ForEachRow(rows, []any{&key, &value}, func() error {
		if seen[key] {
			return nil
		}
		seen[key] = true
		v, perr := strconv.ParseFloat(strings.TrimSpace(value), 64)
		switch key {
		case "half_life", "cache_size", "cache_protected_period":
			if perr != nil {
				return fmt.Errorf("cache.cache_config %s = %q is not a number", key, value)
			}
		}
		switch key {
		case "half_life":
			cfg.HalfLife = v
		case "cache_size":
			cfg.CacheSize = int64(v)
		case "cache_protected_period":
			cfg.ProtectedPeriod = time.Duration(v * float64(time.Second))
		}
		return nil
	})
	if err != nil {
		return cfg, configError(conn, err)
	}
	return cfg, nil
}

func configError(conn *pgx.Conn, err error) error {
	var pgErr *pgxconn.PgError
	if errors.As(err, &pgErr) && (pgErr.Code == "42P01" || pgErr.Code == "3F000") {
		return fmt.Errorf("database %q has no FlowDB cache (cache.cache_config is missing): connect to the FlowDB database: %w", conn.Config().Database, err)
	}
	return fmt.Errorf("read cache.cache_config: %w", err)
}

// Entry is one cache.cached row (never a Table/GeoTable row) as of the selection query.
type Entry struct {
	QueryID      string    `json:"query_id"`
	Class        string    `json:"class"`
	Schema       string    `json:"schema"`
	Table        string    `json:"table"`
	Size         int64     `json:"size_bytes"`    // pg_total_relation_size now; 0 when Missing
	Missing      bool      `json:"table_missing"` // the row's table is already gone
	LnScore      LogScore  `json:"ln_score"`      // natural log of FlowDB's cache score; -Inf for score 0
	Protected    bool      `json:"protected"`     // younger than the protected period
	Created      time.Time `json:"created"`
	LastAccessed time.Time `json:"last_accessed"`
	AccessCount  int64     `json:"access_count"`
	Dependents   []string  `json:"-"` // direct dependents (only loaded for cascades)
}

// Score is FlowDB's cache score, or +Inf when it exceeds float8 (ordering uses LnScore).
func (e Entry) Score() float64 { return math.Exp(float64(e.LnScore)) }

// LogScore is a natural-log cache score; JSON renders -Inf (score 0) as null.
type LogScore float64

// MarshalJSON implements json.Marshaler.
func (l LogScore) MarshalJSON() ([]byte, error) {
	f := float64(l)
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

// lnScoreSQL is ln(multiplier * (compute_time/1000) / greatest(size, 0.00001)) computed term by
// term. The multiplier stays numeric until after ln(): FlowDB computes its touch increment in
// float8 and overflows near 1.8e308, but the column is numeric and may hold larger values (or
// be recomputed at numeric precision); ln() of a numeric never overflows. Small values take the
// float8 path, which is much faster. A zero multiplier or compute time (FlowDB: score 0) scores
// -Inf, lowest of all; NULLs are treated the same.
const lnScoreSQL = `CASE WHEN c.cache_score_multiplier > 0 AND c.compute_time > 0 THEN
	  (CASE WHEN c.cache_score_multiplier < 1e300 THEN ln(c.cache_score_multiplier::float8)
	        ELSE ln(c.cache_score_multiplier)::float8 END)
	  + ln(c.compute_time::float8 / 1000)
	  - ln(greatest(coalesce(s.size, 0), 0.00001)::float8)
	ELSE '-Infinity'::float8 END`

// relJoin finds each row's table by name (cl.oid is NULL when it is gone). A join, not a
// per-row subquery: about 4x faster at 10,000 entries. (nspname, relname) is unique.
const relJoin = `LEFT JOIN pg_namespace ns ON ns.nspname = coalesce(c.schema, 'cache')
LEFT JOIN pg_class cl ON cl.relnamespace = ns.oid AND cl.relname = c.tablename`

// selectSQL is the one selection query: every non-Table row with its size from the catalog,
// its log score, protection and (for cascades) its direct dependents, lowest score first.
// $1: protected period in seconds (negative disables protection); $2: load dependents.
const selectSQL = `SELECT c.query_id, c.class, coalesce(c.schema, 'cache'), c.tablename,
	coalesce(s.size, 0), s.size IS NULL,
	` + lnScoreSQL + `,
	coalesce($1::float8 >= 0 AND c.created > now() - make_interval(secs => $1::float8), false),
	c.created, c.last_accessed, coalesce(c.access_count, 0),
	CASE WHEN $2::bool THEN ARRAY(SELECT d.query_id::text FROM cache.dependencies d WHERE d.depends_on = c.query_id) END
FROM cache.cached c
` + relJoin + `
CROSS JOIN LATERAL (SELECT pg_total_relation_size(cl.oid) AS size) s
WHERE c.class NOT IN ('Table', 'GeoTable')
ORDER BY 7, c.last_accessed NULLS FIRST, c.query_id`

// Select runs the selection query.
func Select(ctx context.Context, conn *pgx.Conn, protected time.Duration, withDependents bool) ([]Entry, error) {
	rows, err := conn.Query(ctx, selectSQL, protected.Seconds(), withDependents)
	if err != nil {
		return nil, fmt.Errorf("select cache entries: %w", err)
	}
	var out []Entry
	var e Entry
	var table *string
	var created, accessed *time.Time
	_, err = pgx.ForEachRow(rows, []any{&e.QueryID, &e.Class, &e.Schema, &table, &e.Size, &e.Missing, &e.LnScore,
		&e.Protected, &created, &accessed, &e.AccessCount, &e.Dependents}, func() error {
		e.QueryID = strings.TrimRight(e.QueryID, " ") // character(32) pads
		if table != nil {
			e.Table = *table
		}
		if created != nil {
			e.Created = *created
		}
		if accessed != nil {
			e.LastAccessed = *accessed
		}
		for i, d := range e.Dependents {
			e.Dependents[i] = strings.TrimRight(d, " ")
		}
		out = append(out, e)
		e = Entry{}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("select cache entries: %w", err)
	}
	return out, nil
}

// PruneOptions mirror the command's flags.
type PruneOptions struct {
	MaxSize         int64          // bytes; < 0: use cache_size from cache.cache_config
	ProtectedPeriod *time.Duration // nil: cache_protected_period; negative disables protection
	Cascade         bool           // also remove entries computed from removed ones
	DryRun          bool
	BatchSize       int  // entries per transaction (a cascade group is never split); default 100
	SkipIfLocked    bool // return Skipped instead of waiting for another prune
	Logger          *slog.Logger
}

// Removed is one removed (or, in a dry run, selected) entry.
type Removed struct {
	QueryID string   `json:"query_id"`
	Schema  string   `json:"schema"`
	Table   string   `json:"table"`
	Size    int64    `json:"size_bytes"`
	LnScore LogScore `json:"ln_score"`
	Reason  string   `json:"reason"` // "score", "cascade", "table missing", "invalidated"
}

// Result summarises a prune or invalidate.
type Result struct {
	Skipped    bool      `json:"skipped,omitempty"` // another prune held the lock
	DryRun     bool      `json:"dry_run,omitempty"`
	Limit      int64     `json:"limit_bytes"`
	SizeBefore int64     `json:"size_before_bytes"`
	SizeAfter  int64     `json:"size_after_bytes"` // re-read from the catalog (estimated in a dry run)
	Removed    []Removed `json:"removed"`
	Freed      int64     `json:"freed_bytes"`
	Batches    int       `json:"batches"`
}

// PrivilegeError says which role the pruner must connect as.
type PrivilegeError struct {
	Role, Owner string
	Err         error
}

func (e *PrivilegeError) Error() string {
	return fmt.Sprintf("role %q may not remove FlowDB cache entries (needs DELETE on cache.cached and ownership of the cache tables): "+
		"connect as the role that owns them (%q; on FlowDB: flowmachine), or have a superuser run: GRANT %s TO %s: %v",
		e.Role, e.Owner, pgx.Identifier{e.Owner}.Sanitize(), pgx.Identifier{e.Role}.Sanitize(), e.Err)
}
func (e *PrivilegeError) Unwrap() error { return e.Err }

// ErrNotFound: invalidate of an unknown query id.
var ErrNotFound = errors.New("no such cache entry")

func (o *PruneOptions) defaults() {
	if o.BatchSize <= 0 {
		o.BatchSize = 100
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// lock takes the advisory lock; false when skipping because another prune holds it.
func lock(ctx context.Context, conn *pgx.Conn, skip bool, log *slog.Logger) (bool, error) {
	var got bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", LockKey).Scan(&got); err != nil {
		return false, fmt.Errorf("take advisory lock: %w", err)
	}
	if got {
		return true, nil
	}
	if skip {
		log.Info("another prune holds the lock, skipping")
		return false, nil
	}
	log.Info("another prune holds the lock, waiting")
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", LockKey); err != nil {
		return false, fmt.Errorf("wait for advisory lock: %w", err)
	}
	return true, nil
}

func unlock(conn *pgx.Conn) {
	// The session ends soon anyway, which also releases the lock; don't let a cancelled
	// context keep it held on a pooled connection.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _ = conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", LockKey)
}

// Prune shrinks the cache below its limit, lowest score first, as FlowMachine's
// shrink_below_size does, and cleans up rows whose table is gone.
func Prune(ctx context.Context, conn *pgx.Conn, o PruneOptions) (Result, error) {
	o.defaults()
	res := Result{DryRun: o.DryRun}
	if err := applyDeadline(ctx, conn); err != nil {
		return res, err
	}
	if ok, err := lock(ctx, conn, o.SkipIfLocked, o.Logger); err != nil || !ok {
		res.Skipped = !ok && err == nil
		return res, err
	}
	defer unlock(conn)

	cfg, err := ReadConfig(ctx, conn)
	if err != nil {
		return res, err
	}
	res.Limit = o.MaxSize
	if res.Limit < 0 {
		res.Limit = cfg.CacheSize
	}
	if res.Limit < 0 {
		return res, errors.New("no cache size limit: cache_size is unset in cache.cache_config; pass --max-size")
	}
	protected := cfg.ProtectedPeriod
	if o.ProtectedPeriod != nil {
		protected = *o.ProtectedPeriod
	}

	entries, err := Select(ctx, conn, protected, o.Cascade)
	if err != nil {
		return res, err
	}
	groups := plan(entries, res.Limit, o.Cascade, &res.SizeBefore)
	o.Logger.Info("selected", "entries", len(entries), "size_bytes", res.SizeBefore, "limit_bytes", res.Limit,
		"groups", len(groups), "protected_period", protected.String())

	if o.DryRun {
		res.SizeAfter = res.SizeBefore
		for _, g := range groups {
			for _, r := range g {
				res.Removed = append(res.Removed, r)
				res.SizeAfter -= r.Size
			}
		}
		return res, nil
	}
	if err := removeGroups(ctx, conn, groups, o.BatchSize, &res, o.Logger); err != nil {
		return res, err
	}
	res.SizeAfter, err = CurrentSize(ctx, conn)
	return res, err
}

// plan picks the groups to remove: first rows whose table is gone (they hold no space), then
// the lowest-scored unprotected entries (each with its transitive dependents when cascading)
// until the size is within limit.
func plan(entries []Entry, limit int64, cascade bool, sizeBefore *int64) [][]Removed {
	byID := make(map[string]*Entry, len(entries))
	var total int64
	for i := range entries {
		byID[entries[i].QueryID] = &entries[i]
		total += entries[i].Size
	}
	*sizeBefore = total
	done := map[string]bool{}
	var groups [][]Removed
	for _, e := range entries {
		if e.Missing { // one group each, so that batching splits them
			done[e.QueryID] = true
			groups = append(groups, []Removed{{QueryID: e.QueryID, Schema: e.Schema, Table: e.Table, LnScore: e.LnScore, Reason: "table missing"}})
		}
	}
	for _, e := range entries { // already ordered by score
		if total <= limit {
			break
		}
		if e.Protected || done[e.QueryID] {
			continue
		}
		group := []Removed{{QueryID: e.QueryID, Schema: e.Schema, Table: e.Table, Size: e.Size, LnScore: e.LnScore, Reason: "score"}}
		done[e.QueryID] = true
		if cascade {
			for queue := e.Dependents; len(queue) > 0; {
				id := queue[0]
				queue = queue[1:]
				d, ok := byID[id] // Table/GeoTable rows are not in byID: never dropped
				if !ok || done[id] {
					continue
				}
				done[id] = true
				group = append(group, Removed{QueryID: d.QueryID, Schema: d.Schema, Table: d.Table, Size: d.Size, LnScore: d.LnScore, Reason: "cascade"})
				queue = append(queue, d.Dependents...)
			}
		}
		for _, r := range group {
			total -= r.Size
		}
		groups = append(groups, group)
	}
	return groups
}

// removeGroups removes groups in batches of about batchSize entries (a group is never split):
// each batch is one statement, one round trip and one transaction (removeSQL), so every
// entry's row and table go together, or not at all.
func removeGroups(ctx context.Context, conn *pgx.Conn, groups [][]Removed, batchSize int, res *Result, log *slog.Logger) error {
	if len(groups) == 0 {
		return nil
	}
	rm, err := newRemover(ctx, conn, log)
	if err != nil {
		return err
	}
	for start := 0; start < len(groups); {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("prune stopped after %d entries: %w", len(res.Removed), err)
		}
		n, end := 0, start
		for end < len(groups) && (n == 0 || n+len(groups[end]) <= batchSize) {
			n += len(groups[end])
			end++
		}
		var batch []Removed
		for _, g := range groups[start:end] {
			batch = append(batch, g...)
		}
		removed, err := rm.remove(ctx, batch)
		if err != nil {
			return err
		}
		res.Batches++
		for _, r := range batch {
			if removed[r.QueryID] {
				res.Removed = append(res.Removed, r)
				res.Freed += r.Size
			}
		}
		log.Debug("removed batch", "entries", len(removed), "batch", res.Batches)
		start = end
	}
	return nil
}

// dropFuncSQL defines a session-local helper (schema pg_temp: FlowDB's schema is untouched and
// the function vanishes with the session) so that one statement drops exactly the tables of the
// rows it deleted, with a single DROP TABLE. A row re-inserted concurrently by FlowMachine is
// invisible to our DELETE, and then its table is not dropped either.
const dropFuncSQL = `CREATE OR REPLACE FUNCTION pg_temp.flotilla_drop_cache_tables(names text[]) RETURNS int
LANGUAGE plpgsql AS $fn$
BEGIN
	IF cardinality(names) > 0 THEN
		EXECUTE 'DROP TABLE IF EXISTS ' || array_to_string(names, ', ');
	END IF;
	RETURN coalesce(cardinality(names), 0);
END $fn$`

// removeSQL deletes the rows and drops their tables in one statement, hence one transaction.
// The class filter re-checks that a base table is never dropped.
const removeSQL = `WITH d AS (
	DELETE FROM cache.cached WHERE query_id = ANY($1) AND class NOT IN ('Table', 'GeoTable')
	RETURNING query_id, schema, tablename)
SELECT array_agg(d.query_id::text),
	pg_temp.flotilla_drop_cache_tables(array_agg(format('%I.%I', coalesce(d.schema, 'cache'), d.tablename))
		FILTER (WHERE d.tablename IS NOT NULL))
FROM d`

// remover removes batches over one connection.
type remover struct {
	conn      *pgx.Conn
	pipelined bool // no TEMP privilege for the helper: DELETE + DROP pipelined instead
}

func newRemover(ctx context.Context, conn *pgx.Conn, log *slog.Logger) (*remover, error) {
	r := &remover{conn: conn}
	if _, err := conn.Exec(ctx, dropFuncSQL); err != nil {
		if pgconn.Classify(err) != pgconn.Privilege {
			return nil, fmt.Errorf("create session helper: %w", err)
		}
		log.Info("no TEMP privilege for the session helper; removing with DELETE and DROP in one pipelined transaction", "error", err.Error())
		r.pipelined = true
	}
	return r, nil
}

func (r *remover) remove(ctx context.Context, batch []Removed) (map[string]bool, error) {
	ids := make([]string, len(batch))
	for i, e := range batch {
		ids[i] = e.QueryID
	}
	removed := make(map[string]bool, len(ids))
	var err error
	if r.pipelined {
		err = r.removePipelined(ctx, batch, ids, removed)
	} else {
		var got []string
		var dropped int
		err = r.conn.QueryRow(ctx, removeSQL, ids).Scan(&got, &dropped)
		for _, id := range got {
			removed[strings.TrimRight(id, " ")] = true
		}
	}
	if err != nil {
		if pgconn.Classify(err) == pgconn.Privilege {
			return nil, privilegeError(r.conn, err)
		}
		return nil, fmt.Errorf("remove %d cache entries: %w", len(batch), err)
	}
	return removed, nil
}

// removePipelined sends DELETE … RETURNING and one DROP TABLE IF EXISTS in one round trip; the
// pipeline runs as one implicit transaction. It drops every selected table, so unlike removeSQL
// it can drop the table of a row that FlowMachine re-inserts at this very moment.
func (r *remover) removePipelined(ctx context.Context, batch []Removed, ids []string, removed map[string]bool) error {
	var tables []string
	for _, e := range batch {
		if e.Table != "" {
			tables = append(tables, pgx.Identifier{e.Schema, e.Table}.Sanitize())
		}
	}
	b := &pgx.Batch{}
	b.Queue("DELETE FROM cache.cached WHERE query_id = ANY($1) AND class NOT IN ('Table', 'GeoTable') RETURNING query_id", ids)
	if len(tables) > 0 {
		b.Queue("DROP TABLE IF EXISTS " + strings.Join(tables, ", "))
	}
	br := r.conn.SendBatch(ctx, b)
	rows, _ := br.Query()
	var id string
	_, err := pgx.ForEachRow(rows, []any{&id}, func() error {
		removed[strings.TrimRight(id, " ")] = true
		return nil
	})
	if err == nil && len(tables) > 0 {
		_, err = br.Exec()
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return err
}

func privilegeError(conn *pgx.Conn, err error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	pe := &PrivilegeError{Role: conn.Config().User, Owner: "flowmachine", Err: err}
	_ = conn.QueryRow(ctx, "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'cache.cached'::regclass").Scan(&pe.Owner)
	return pe
}

// CurrentSize is FlowMachine's cache size: the catalog size of every non-Table/GeoTable entry.
func CurrentSize(ctx context.Context, conn *pgx.Conn) (int64, error) {
	var n int64
	err := conn.QueryRow(ctx, `SELECT coalesce(sum(pg_total_relation_size(cl.oid)), 0)::bigint
		FROM cache.cached c `+relJoin+` WHERE c.class NOT IN ('Table', 'GeoTable')`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("measure cache size: %w", err)
	}
	return n, nil
}

// Invalidate removes one entry (and with cascade, everything computed from it) in one
// transaction, like FlowMachine's invalidate_cache_by_id.
func Invalidate(ctx context.Context, conn *pgx.Conn, queryID string, o PruneOptions) (Result, error) {
	o.defaults()
	res := Result{DryRun: o.DryRun, Limit: -1}
	if err := applyDeadline(ctx, conn); err != nil {
		return res, err
	}
	if ok, err := lock(ctx, conn, o.SkipIfLocked, o.Logger); err != nil || !ok {
		res.Skipped = !ok && err == nil
		return res, err
	}
	defer unlock(conn)

	var class string
	err := conn.QueryRow(ctx, "SELECT coalesce(class, '') FROM cache.cached WHERE query_id = $1", queryID).Scan(&class)
	if errors.Is(err, pgx.ErrNoRows) {
		return res, fmt.Errorf("invalidate %s: %w", queryID, ErrNotFound)
	} else if err != nil {
		return res, fmt.Errorf("invalidate %s: %w", queryID, err)
	}
	if class == "Table" || class == "GeoTable" {
		return res, fmt.Errorf("invalidate %s: it describes a base data table (class %s), not a cache entry; refusing", queryID, class)
	}
	entries, err := Select(ctx, conn, -1, o.Cascade)
	if err != nil {
		return res, err
	}
	byID := make(map[string]*Entry, len(entries))
	for i := range entries {
		byID[entries[i].QueryID] = &entries[i]
		res.SizeBefore += entries[i].Size
	}
	var group []Removed
	seen := map[string]bool{}
	for queue := []string{strings.TrimRight(queryID, " ")}; len(queue) > 0; queue = queue[1:] {
		e, ok := byID[queue[0]]
		if !ok || seen[e.QueryID] {
			continue
		}
		seen[e.QueryID] = true
		reason := "invalidated"
		if len(group) > 0 {
			reason = "cascade"
		}
		group = append(group, Removed{QueryID: e.QueryID, Schema: e.Schema, Table: e.Table, Size: e.Size, LnScore: e.LnScore, Reason: reason})
		if o.Cascade {
			queue = append(queue, e.Dependents...)
		}
	}
	sort.SliceStable(group[1:], func(i, j int) bool { return group[1+i].QueryID < group[1+j].QueryID })
	if o.DryRun {
		res.Removed = group
		res.SizeAfter = res.SizeBefore
		for _, r := range group {
			res.SizeAfter -= r.Size
		}
		return res, nil
	}
	// One group, one transaction, however large.
	if err := removeGroups(ctx, conn, [][]Removed{group}, len(group), &res, o.Logger); err != nil {
		return res, err
	}
	res.SizeAfter, err = CurrentSize(ctx, conn)
	return res, err
}

// Status describes the cache.
type Status struct {
	Entries         int           `json:"entries"`
	Protected       int           `json:"protected"`
	MissingTables   int           `json:"missing_tables"`
	Size            int64         `json:"size_bytes"`
	Limit           int64         `json:"limit_bytes"` // -1: unset
	HalfLife        float64       `json:"half_life"`
	ProtectedPeriod time.Duration `json:"protected_period_ns"`
	Touches         int64         `json:"touches"` // cache.cache_touches last value
	Lowest          []Entry       `json:"lowest"`
}

// ReadStatus reports the cache's entries, size, limit and the n lowest-scored entries.
func ReadStatus(ctx context.Context, conn *pgx.Conn, n int) (Status, error) {
	cfg, err := ReadConfig(ctx, conn)
	if err != nil {
		return Status{}, err
	}
	st := Status{Limit: cfg.CacheSize, HalfLife: cfg.HalfLife, ProtectedPeriod: cfg.ProtectedPeriod}
	if err := conn.QueryRow(ctx, "SELECT last_value FROM cache.cache_touches").Scan(&st.Touches); err != nil {
		return st, fmt.Errorf("read cache.cache_touches: %w", err)
	}
	entries, err := Select(ctx, conn, cfg.ProtectedPeriod, false)
	if err != nil {
		return st, err
	}
	st.Entries = len(entries)
	for _, e := range entries {
		st.Size += e.Size
		if e.Protected {
			st.Protected++
		}
		if e.Missing {
			st.MissingTables++
		}
	}
	st.Lowest = entries[:min(n, len(entries))]
	return st, nil
}
