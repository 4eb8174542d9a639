package cachepruner

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

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
