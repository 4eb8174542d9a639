package cachepruner

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
)

// ErrNotFound: invalidate of an unknown query id.
var ErrNotFound = errors.New("no such cache entry")

// Invalidate removes one entry (and with cascade, everything computed from it) in one
// transaction, like FlowMachine's invalidate_cache_by_id.
func Invalidate(ctx context.Context, conn *pgx.Conn, queryID string, o PruneOptions) (Result, error) {
	res := Result{DryRun: o.DryRun, Limit: -1, Redis: o.States != nil && !o.DryRun}
	if ok, err := begin(ctx, conn, &o, &res); err != nil || !ok {
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
	// One group, one transaction, however large.
	o.BatchSize = len(group)
	rm, err := newRemoval(ctx, conn, o, &res)
	if err != nil {
		return res, err
	}
	size := res.SizeBefore
	if err := rm.run(ctx, [][]Removed{group}, &size, -1); err != nil {
		return res, err
	}
	if len(res.InUse) > 0 {
		return res, fmt.Errorf("invalidate %s: %w: %s; nothing was removed, try again when it is done", queryID, ErrInUse, describeInUse(res.InUse))
	}
	if o.DryRun {
		res.SizeAfter = size
		return res, nil
	}
	res.SizeAfter, err = CurrentSize(ctx, conn)
	return res, err
}

// describeInUse lists the busy queries of a result, at most five.
func describeInUse(in []InUse) string {
	var busy []string
	for _, b := range in {
		if b.State != "" {
			busy = append(busy, b.QueryID+" is "+b.State)
		}
	}
	if len(busy) > 5 {
		busy = append(busy[:5], fmt.Sprintf("and %d more", len(busy)-5))
	}
	return strings.Join(busy, ", ")
}
