package cachepruner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
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
		if key != "half_life" && key != "cache_size" && key != "cache_protected_period" {
			return nil
		}
		name := "cache.cache_config " + key
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) { // out of float8's range: ±Inf, refused below
			return fmt.Errorf("%s = %q is not a number", name, value)
		}
		switch key {
		case "half_life":
			cfg.HalfLife = v
		case "cache_size":
			cfg.CacheSize, err = SizeFromBytes(name, v)
		case "cache_protected_period":
			cfg.ProtectedPeriod, err = PeriodFromSeconds(name, v)
		}
		return err
	})
	if err != nil {
		return cfg, configError(conn, err)
	}
	return cfg, nil
}

func configError(conn *pgx.Conn, err error) error {
	var re *RangeError
	if errors.As(err, &re) {
		return re
	}
	var pgErr *pgxconn.PgError
	if errors.As(err, &pgErr) && (pgErr.Code == "42P01" || pgErr.Code == "3F000") {
		return fmt.Errorf("database %q has no FlowDB cache (cache.cache_config is missing): connect to the FlowDB database: %w", conn.Config().Database, err)
	}
	return fmt.Errorf("read cache.cache_config: %w", err)
}

// MaxPeriodSeconds is the longest protected period a time.Duration holds (about 292 years).
const MaxPeriodSeconds = math.MaxInt64 / int64(time.Second)

// MaxBatchSize bounds PruneOptions.BatchSize: a batch's transaction holds an exclusive lock on
// every table it drops (and on their indexes and TOAST tables), and PostgreSQL's shared lock
// table has room for max_locks_per_transaction × max_connections locks (6,400 by default).
const MaxBatchSize = 1000

// RangeError is a setting outside its allowed range (a flag or a cache.cache_config value);
// it is refused before anything is removed.
type RangeError struct {
	Setting string // "--protected-period", "cache.cache_config cache_size", …
	Value   string
	Allowed string
}

func (e *RangeError) Error() string {
	return fmt.Sprintf("%s = %s is out of range: allowed %s; nothing was removed", e.Setting, e.Value, e.Allowed)
}

// PeriodFromSeconds converts a protected period in seconds, refusing NaN, infinities and
// values beyond time.Duration (which would wrap around and disable protection).
func PeriodFromSeconds(setting string, secs float64) (time.Duration, error) {
	if math.IsNaN(secs) || math.Abs(secs) > float64(MaxPeriodSeconds) {
		return 0, &RangeError{Setting: setting, Value: strconv.FormatFloat(secs, 'g', -1, 64),
			Allowed: fmt.Sprintf("seconds from -%d to %d (negative disables protection)", MaxPeriodSeconds, MaxPeriodSeconds)}
	}
	return time.Duration(secs * float64(time.Second)), nil
}

// SizeFromBytes converts a size in bytes, refusing NaN, infinities, negatives and values past
// int64 (which would wrap around to "unset" and fall back to another limit).
func SizeFromBytes(setting string, v float64) (int64, error) {
	if math.IsNaN(v) || v < 0 || v >= math.MaxInt64 {
		return 0, &RangeError{Setting: setting, Value: strconv.FormatFloat(v, 'g', -1, 64),
			Allowed: fmt.Sprintf("bytes from 0 to %d", int64(math.MaxInt64))}
	}
	return int64(v), nil
}

// PruneOptions mirror the command's flags.
type PruneOptions struct {
	MaxSize         int64          // bytes; < 0: use cache_size from cache.cache_config
	ProtectedPeriod *time.Duration // nil: cache_protected_period; negative disables protection
	Cascade         bool           // also remove entries computed from removed ones
	DryRun          bool
	BatchSize       int  // entries per transaction (a cascade group is never split); default 100, at most MaxBatchSize
	SkipIfLocked    bool // return Skipped instead of waiting for another prune
	// States is FlowMachine's Redis: every removed query's state is set back to known first,
	// and queries FlowMachine is using are not removed. Nil: Redis is left alone (--no-redis).
	States *QueryStates
	// MinInterval skips the prune when the last successful one started less than this long
	// ago (recorded in cache.cache_config, key LastPruneKey); 0 never skips.
	MinInterval time.Duration
	Logger      *slog.Logger
}

func (o *PruneOptions) defaults() error {
	if o.BatchSize == 0 {
		o.BatchSize = 100
	}
	if o.BatchSize < 1 || o.BatchSize > MaxBatchSize {
		return &RangeError{Setting: "--batch-size", Value: strconv.Itoa(o.BatchSize), Allowed: fmt.Sprintf("1 to %d entries", MaxBatchSize)}
	}
	if o.MinInterval < 0 {
		return &RangeError{Setting: "--min-interval", Value: o.MinInterval.String(), Allowed: "0 (never skip) or more"}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}
