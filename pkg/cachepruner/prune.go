package cachepruner

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
)

// Prune shrinks the cache below its limit, lowest score first, as FlowMachine's
// shrink_below_size does, and cleans up rows whose table is gone.
func Prune(ctx context.Context, conn *pgx.Conn, o PruneOptions) (Result, error) {
	res := Result{DryRun: o.DryRun, Redis: o.States != nil && !o.DryRun}
	if ok, err := begin(ctx, conn, &o, &res); err != nil || !ok {
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
	started, skip, err := checkInterval(ctx, conn, o.MinInterval)
	if err != nil || skip != "" {
		res.Skipped, res.SkipReason = skip != "", skip
		return res, err
	}

	entries, err := Select(ctx, conn, protected, o.Cascade)
	if err != nil {
		return res, err
	}
	missing, scored := plan(entries, o.Cascade, &res.SizeBefore)
	o.Logger.Info("selected", "entries", len(entries), "size_bytes", res.SizeBefore, "limit_bytes", res.Limit,
		"candidates", len(missing)+len(scored), "protected_period", protected.String())

	rm, err := newRemoval(ctx, conn, o, &res)
	if err != nil {
		return res, err
	}
	size := res.SizeBefore
	if err := rm.run(ctx, missing, &size, -1); err != nil {
		return res, err
	}
	if err := rm.run(ctx, scored, &size, res.Limit); err != nil {
		return res, err
	}
	if o.DryRun {
		res.SizeAfter = size
		return res, nil
	}
	recordPrune(ctx, conn, started, o.Logger)
	res.SizeAfter, err = CurrentSize(ctx, conn)
	return res, err
}

// plan orders what a prune may remove: every row whose table is gone (one group each: they hold
// no space), then every unprotected entry, lowest score first, each with its transitive
// dependents when cascading. The removal takes scored groups only while the cache is over its
// limit, and passes over groups FlowMachine is using.
func plan(entries []Entry, cascade bool, sizeBefore *int64) (missing, scored [][]Removed) {
	byID := make(map[string]*Entry, len(entries))
	var total int64
	for i := range entries {
		byID[entries[i].QueryID] = &entries[i]
		total += entries[i].Size
	}
	*sizeBefore = total
	done := map[string]bool{}
	for _, e := range entries {
		if e.Missing {
			done[e.QueryID] = true
			missing = append(missing, []Removed{{QueryID: e.QueryID, Schema: e.Schema, Table: e.Table, LnScore: e.LnScore, Reason: "table missing"}})
		}
	}
	for _, e := range entries { // already ordered by score
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
		scored = append(scored, group)
	}
	return missing, scored
}
