package cachepruner

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// LastPruneKey is the cache.cache_config key where a successful prune records when it started
// (Unix seconds, the server's clock). FlowDB reads its own keys by name, so an extra key is
// invisible to it; --min-interval reads it back.
const LastPruneKey = "flotilla_last_prune"

// checkInterval reads the server's clock (the prune's start, recorded when it succeeds) and,
// with min > 0, says why to skip when the last successful prune started less than min ago.
// A value that is not a number counts as no record. Under the advisory lock, so two pruners
// never both decide to run.
func checkInterval(ctx context.Context, conn *pgx.Conn, min time.Duration) (started float64, skip string, err error) {
	var last *float64
	err = conn.QueryRow(ctx, `SELECT extract(epoch FROM clock_timestamp())::float8,
		(SELECT CASE WHEN value ~ '^\s*[0-9]+(\.[0-9]*)?\s*$' THEN value::float8 END
		 FROM cache.cache_config WHERE key = $1 AND value IS NOT NULL LIMIT 1)`, LastPruneKey).Scan(&started, &last)
	if err != nil {
		return 0, "", fmt.Errorf("read %s from cache.cache_config: %w", LastPruneKey, err)
	}
	if min <= 0 || last == nil {
		return started, "", nil
	}
	age := time.Duration((started - *last) * float64(time.Second))
	if age >= 0 && age < min {
		return started, fmt.Sprintf("the last successful prune started %s ago, less than --min-interval %s", age.Round(time.Second), min), nil
	}
	return started, "", nil
}

// recordPrune stores a successful prune's start under LastPruneKey. A failure (e.g. no
// UPDATE/INSERT on cache.cache_config) only warns: the prune itself succeeded, but
// --min-interval cannot work until the role may write the key.
func recordPrune(ctx context.Context, conn *pgx.Conn, started float64, log *slog.Logger) {
	v := fmt.Sprintf("%.3f", started)
	tag, err := conn.Exec(ctx, "UPDATE cache.cache_config SET value = $2 WHERE key = $1", LastPruneKey, v)
	if err == nil && tag.RowsAffected() == 0 {
		_, err = conn.Exec(ctx, "INSERT INTO cache.cache_config (key, value) VALUES ($1, $2)", LastPruneKey, v)
	}
	if err != nil {
		log.Warn("could not record the prune in cache.cache_config; --min-interval will not skip runs until this role may write it", "key", LastPruneKey, "error", err.Error())
	}
}
