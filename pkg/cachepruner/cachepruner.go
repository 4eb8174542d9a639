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
	"math"
	"strconv"
	"time"
)

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
