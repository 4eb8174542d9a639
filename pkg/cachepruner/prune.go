package cachepruner

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
)

// Prune shrinks the cache below its limit, lowest score first, as FlowMachine's
// shrink_below_size does, and cleans up rows whose table is gone.
func Prune(ctx context.Context, conn *pgx.Conn, o PruneOptions) (Result, error) {
	o.defaults()
	res := Result{DryRun: o.DryRun}
	if ok, err := acquire(ctx, conn, o); err != nil || !ok {
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
