package cachepruner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	pgxconn "github.com/jackc/pgx/v5/pgconn"
)

// DefaultProtectedPeriod is FlowDB's default cache_protected_period.
const DefaultProtectedPeriod = 86400 * time.Second

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

func (o *PruneOptions) defaults() {
	if o.BatchSize <= 0 {
		o.BatchSize = 100
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}
