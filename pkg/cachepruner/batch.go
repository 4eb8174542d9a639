package cachepruner

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// removal removes groups of entries in batches of about BatchSize entries (a group is never
// split). Each batch is two round trips, whatever its size:
//
//  1. Redis (PruneOptions.States): one script sets every state of the batch to known, except
//     for groups FlowMachine is using, which stay as they are and are not removed;
//  2. PostgreSQL: one statement, one transaction, deletes the rows and drops their tables.
//
// In that order, a pruner killed between or during the two leaves at worst a known state for a
// table that still exists (FlowMachine recomputes or re-finds it), never a completed state for
// a table that is gone. A dry run asks Redis without writing and removes nothing.
type removal struct {
	o   PruneOptions
	res *Result
	sql *remover // nil in a dry run
}

func newRemoval(ctx context.Context, conn *pgx.Conn, o PruneOptions, res *Result) (*removal, error) {
	rm := &removal{o: o, res: res}
	if !o.DryRun {
		var err error
		if rm.sql, err = newRemover(ctx, conn, o.Logger); err != nil {
			return nil, err
		}
	}
	return rm, nil
}

// run removes groups in order while *size is over limit (limit < 0: all of them), subtracting
// what it frees from *size.
func (rm *removal) run(ctx context.Context, groups [][]Removed, size *int64, limit int64) error {
	for start := 0; start < len(groups) && (limit < 0 || *size > limit); {
		projected, n, end := *size, 0, start
		for end < len(groups) && (n == 0 || n+len(groups[end]) <= rm.o.BatchSize) && (limit < 0 || projected > limit) {
			n += len(groups[end])
			for _, r := range groups[end] {
				projected -= r.Size
			}
			end++
		}
		if err := rm.batch(ctx, groups[start:end], size); err != nil {
			return err
		}
		start = end
	}
	return nil
}

func (rm *removal) batch(ctx context.Context, groups [][]Removed, size *int64) error {
	res := rm.res
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("prune stopped after %d entries: %w", len(res.Removed), err)
	}
	var prev []string
	var busy []bool
	if rm.o.States != nil {
		var err error
		if prev, busy, err = rm.o.States.release(ctx, groups, rm.o.DryRun); err != nil {
			return fmt.Errorf("%w; the batch's entries were not removed", err)
		}
	}
	var take []Removed
	var reset []bool
	i := 0
	for _, g := range groups {
		for _, r := range g {
			switch {
			case busy != nil && busy[i]:
				res.InUse = append(res.InUse, InUse{QueryID: r.QueryID, State: prev[i]})
			default:
				take = append(take, r)
				reset = append(reset, prev != nil && prev[i] != "" && prev[i] != StateKnown)
			}
			i++
		}
	}
	if len(take) == 0 {
		return nil
	}
	removed := make(map[string]bool, len(take))
	if rm.sql == nil {
		for _, r := range take {
			removed[r.QueryID] = true
		}
	} else {
		var err error
		if removed, err = rm.sql.remove(ctx, take); err != nil {
			return err
		}
	}
	res.Batches++
	for j, r := range take {
		if !removed[r.QueryID] {
			continue
		}
		res.Removed = append(res.Removed, r)
		*size -= r.Size
		if !rm.o.DryRun {
			res.Freed += r.Size
			if reset[j] {
				res.StatesReset++
			}
		}
	}
	rm.o.Logger.Debug("removed batch", "entries", len(removed), "batch", res.Batches)
	return nil
}
