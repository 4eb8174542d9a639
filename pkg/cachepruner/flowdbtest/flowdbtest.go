// Package flowdbtest recreates FlowDB's cache schema and FlowDB's cache touches for tests and
// benchmarks, from the facts in shared/notes/flowkit-cache.md (same tables, columns, keys and
// sequence). Not for production use.
package flowdbtest

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Schema recreates FlowDB's cache schema from the facts in shared/notes/flowkit-cache.md:
// same tables, columns, keys and sequence, and FlowDB's table_size and cache_score functions.
// query_id is character(32) as FlowMachine's md5 ids.
const Schema = `
CREATE SCHEMA cache;
CREATE TABLE cache.cached (
	query_id character(32) PRIMARY KEY,
	version character varying,
	query text,
	created timestamptz,
	access_count integer,
	last_accessed timestamptz,
	compute_time numeric,
	cache_score_multiplier numeric,
	class character varying,
	schema character varying,
	tablename character varying,
	obj bytea
);
CREATE TABLE cache.dependencies (
	query_id character(32) REFERENCES cache.cached(query_id) ON DELETE CASCADE,
	depends_on character(32) REFERENCES cache.cached(query_id) ON DELETE CASCADE,
	PRIMARY KEY (depends_on, query_id)
);
CREATE TABLE cache.cache_config (key text, value text);
INSERT INTO cache.cache_config VALUES ('half_life', '1000'), ('cache_size', NULL), ('cache_protected_period', '86400');
CREATE SEQUENCE cache.cache_touches;
SELECT setval('cache.cache_touches', 1);
CREATE FUNCTION table_size(IN tablename TEXT, IN table_schema TEXT) RETURNS float AS $$
  DECLARE table_size bigint;
  BEGIN
  SELECT pg_total_relation_size(c.oid) INTO table_size FROM pg_class c
    LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE relkind = 'r' AND relname = tablename AND nspname = table_schema;
  RETURN table_size;
  END
$$ LANGUAGE plpgsql;
CREATE FUNCTION cache_score(IN cache_score_multiplier numeric, IN compute_time numeric, IN tablesize double precision)
  RETURNS float AS $$
  BEGIN
  RETURN cache_score_multiplier*((compute_time/1000)/tablesize);
  END
$$ LANGUAGE plpgsql;
`

// FlowMachineOrderSQL is FlowMachine's candidate query (get_cached_query_objects_ordered_by_score,
// protected period disabled) over FlowDB's table_size and cache_score functions, which Schema
// defines as FlowDB does: the order its shrink_one removes entries in.
const FlowMachineOrderSQL = `SELECT rtrim(query_id) FROM cache.cached
	WHERE cached.class!='Table' AND cached.class!='GeoTable'
	ORDER BY cache_score(cache_score_multiplier, compute_time, table_size(tablename, schema)) ASC`

// TouchSQL is FlowDB's touch of a non-Table row: the increment is computed in float8, exactly
// as FlowDB's touch_cache does (ln(2) and the half_life are float8, so is POWER).
const TouchSQL = `UPDATE cache.cached SET last_accessed = now(), access_count = access_count + 1,
	cache_score_multiplier = cache_score_multiplier + POWER(1 + ln(2) /
		(SELECT value::float8 FROM cache.cache_config WHERE key = 'half_life' AND value IS NOT NULL LIMIT 1),
		nextval('cache.cache_touches') - 2)
	WHERE query_id = $1`

// TouchNumericSQL is the same formula evaluated at numeric precision: it models a cache whose
// multipliers grew past float8's range (FlowDB's float8 touch raises "value out of range" there).
const TouchNumericSQL = `UPDATE cache.cached SET last_accessed = now(), access_count = access_count + 1,
	cache_score_multiplier = cache_score_multiplier + POWER(1 + ln(2::numeric) /
		(SELECT value::numeric FROM cache.cache_config WHERE key = 'half_life' AND value IS NOT NULL LIMIT 1),
		(nextval('cache.cache_touches') - 2)::numeric)
	WHERE query_id = $1`

// AddEntry stores a cache entry as FlowMachine does: create its table (rows small rows), insert
// the row with multiplier 0, touch it (an insert is a touch), then touch it touches more times.
func AddEntry(ctx context.Context, conn *pgx.Conn, id string, rows int, computeMS float64, age time.Duration, touches int) error {
	table := "x" + id
	if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE TABLE cache.%s AS SELECT g AS n, md5(g::text) AS h FROM generate_series(1, %d) g", table, rows)); err != nil {
		return fmt.Errorf("create cache table %s: %w", table, err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO cache.cached (query_id, version, query, created, access_count, last_accessed,
		compute_time, cache_score_multiplier, class, schema, tablename, obj)
		VALUES ($1, '1.18', 'SELECT …', now() - make_interval(secs => $2), 0, now(), $3, 0, 'Query', 'cache', $4, '\x00')`,
		id, age.Seconds(), computeMS, table); err != nil {
		return fmt.Errorf("insert cache row %s: %w", id, err)
	}
	for range touches + 1 {
		if _, err := conn.Exec(ctx, TouchSQL, id); err != nil {
			return fmt.Errorf("touch %s: %w", id, err)
		}
	}
	return nil
}
