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
//   - FlowMachine's query states in Redis are kept in step (PruneOptions.States): each batch
//     first sets its queries' states to known in one Redis call, skipping queries FlowMachine
//     is using, then removes them in one SQL statement; ResyncRedis rebuilds them all.
//   - Entries with a NULL score sort last, as FlowMachine's ORDER BY cache_score(…) puts them.
//   - Settings that would overflow (cache_size, cache_protected_period, batch size) are refused
//     with a RangeError before anything is removed.
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
	LnScore      LogScore  `json:"ln_score"`      // natural log of FlowDB's cache score; -Inf for score 0, NaN for a NULL score (sorted last, as FlowMachine does)
	Protected    bool      `json:"protected"`     // younger than the protected period
	Created      time.Time `json:"created"`
	LastAccessed time.Time `json:"last_accessed"`
	AccessCount  int64     `json:"access_count"`
	Dependents   []string  `json:"-"` // direct dependents (only loaded for cascades)
}

// Score is FlowDB's cache score, or +Inf when it exceeds float8 (ordering uses LnScore).
func (e Entry) Score() float64 { return math.Exp(float64(e.LnScore)) }

// LogScore is a natural-log cache score; JSON renders -Inf (score 0) and NaN (NULL) as null.
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

// InUse is a query left in place because FlowMachine is working on it (or on a query of its
// cascade group): its Redis state is queued, executing or resetting.
type InUse struct {
	QueryID string `json:"query_id"`
	State   string `json:"state"` // its state in Redis ("" for a group member that is itself idle)
}

// Result summarises a prune or invalidate.
type Result struct {
	Skipped    bool      `json:"skipped,omitempty"`     // another prune held the lock, or --min-interval
	SkipReason string    `json:"skip_reason,omitempty"` // why
	DryRun     bool      `json:"dry_run,omitempty"`
	Limit      int64     `json:"limit_bytes"`
	SizeBefore int64     `json:"size_before_bytes"`
	SizeAfter  int64     `json:"size_after_bytes"` // re-read from the catalog (estimated in a dry run)
	Removed    []Removed `json:"removed"`
	InUse      []InUse   `json:"in_use,omitempty"` // not removed: FlowMachine is using them
	Freed      int64     `json:"freed_bytes"`
	Batches    int       `json:"batches"`
	// Redis says whether FlowMachine's query states were kept in step (PruneOptions.States set).
	Redis bool `json:"redis_updated"`
	// StatesReset counts Redis states set back to known (missing states stay missing).
	StatesReset int `json:"states_reset"`
}
