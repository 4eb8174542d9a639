package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/flotilla/flotilla/pkg/cachepruner"
	"github.com/flotilla/flotilla/pkg/dbboot"
)

// periodFlag accepts a Go duration ("24h") or seconds ("86400"); negative disables protection.
type periodFlag struct{ d *time.Duration }

func (p *periodFlag) String() string {
	if p.d == nil {
		return ""
	}
	return p.d.String()
}
func (p *periodFlag) Set(v string) error {
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		d := time.Duration(secs * float64(time.Second))
		p.d = &d
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return fmt.Errorf("want a duration (24h) or seconds (86400): %q", v)
	}
	p.d = &d
	return nil
}

type pruneFlags struct {
	maxSize   string
	protected periodFlag
	o         cachepruner.PruneOptions
	json      bool
}

func (p *pruneFlags) register(fs *flag.FlagSet, prune bool) {
	fs.BoolVar(&p.o.Cascade, "cascade", false, "also remove entries computed from removed ones (through cache.dependencies)")
	fs.BoolVar(&p.o.DryRun, "dry-run", false, "list what would be removed; change nothing")
	fs.BoolVar(&p.o.SkipIfLocked, "skip-if-locked", false, "exit 0 at once when another prune holds the lock, instead of waiting for it")
	fs.BoolVar(&p.json, "json", false, "print the result as JSON on stdout")
	if prune {
		fs.StringVar(&p.maxSize, "max-size", "", "size limit in bytes (or 500MB, 10GiB); default cache_size from cache.cache_config")
		fs.Var(&p.protected, "protected-period", "entries younger than this are kept (24h or 86400; negative disables); default cache_protected_period")
		fs.IntVar(&p.o.BatchSize, "batch-size", 100, "entries removed per transaction (a cascade group is never split)")
	}
}

func (p *pruneFlags) options(e *env) (cachepruner.PruneOptions, error) {
	o := p.o
	o.Logger = e.log
	o.MaxSize = -1
	if p.maxSize != "" {
		n, err := byteSize(p.maxSize)
		if err != nil {
			return o, usageError{"--max-size: " + err.Error()}
		}
		o.MaxSize = n
	}
	o.ProtectedPeriod = p.protected.d
	return o, nil
}

func cachePrune(fs *flag.FlagSet) func(context.Context, *env) (string, error) {
	p := &pruneFlags{}
	p.register(fs, true)
	return func(ctx context.Context, e *env) (string, error) {
		if len(e.args) > 0 {
			return "", usageError{"cache prune takes no arguments"}
		}
		o, err := p.options(e)
		if err != nil {
			return "", err
		}
		conn, _, _, err := e.connect(ctx, cachepruner.ConnConfig, dbboot.WaitOptions{})
		if err != nil {
			return "", err
		}
		defer conn.Close(context.Background())
		res, err := cachepruner.Prune(ctx, conn, o)
		if err != nil {
			if len(res.Removed) > 0 {
				e.log.Warn("removed some entries before failing", "removed", len(res.Removed), "freed_bytes", res.Freed)
			}
			return "", err
		}
		return report(e, res, p.json, "prune")
	}
}

func cacheInvalidate(fs *flag.FlagSet) func(context.Context, *env) (string, error) {
	p := &pruneFlags{}
	p.register(fs, false)
	return func(ctx context.Context, e *env) (string, error) {
		if len(e.args) != 1 {
			return "", usageError{"cache invalidate takes exactly one QUERY_ID"}
		}
		o, err := p.options(e)
		if err != nil {
			return "", err
		}
		conn, _, _, err := e.connect(ctx, cachepruner.ConnConfig, dbboot.WaitOptions{})
		if err != nil {
			return "", err
		}
		defer conn.Close(context.Background())
		res, err := cachepruner.Invalidate(ctx, conn, e.args[0], o)
		if err != nil {
			return "", err
		}
		return report(e, res, p.json, "invalidate")
	}
}

func report(e *env, res cachepruner.Result, asJSON bool, what string) (string, error) {
	if asJSON {
		if err := writeJSON(e.stdout, res); err != nil {
			return "", err
		}
	} else if len(res.Removed) > 0 {
		tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "QUERY_ID\tTABLE\tSIZE\tLN_SCORE\tREASON")
		for _, r := range res.Removed {
			fmt.Fprintf(tw, "%s\t%s.%s\t%d\t%s\t%s\n", r.QueryID, r.Schema, r.Table, r.Size, lnString(float64(r.LnScore)), r.Reason)
		}
		if err := tw.Flush(); err != nil {
			return "", err
		}
	}
	if res.Skipped {
		return "skipped: another prune holds the lock", nil
	}
	verb := "removed"
	if res.DryRun {
		verb = "would remove"
	}
	limit := "none"
	if res.Limit >= 0 {
		limit = strconv.FormatInt(res.Limit, 10)
	}
	s := fmt.Sprintf("%s %d entries in %d batch(es), freed %d bytes (%s); cache size %d -> %d bytes, limit %s",
		verb, len(res.Removed), res.Batches, res.Freed, humanBytes(res.Freed), res.SizeBefore, res.SizeAfter, limit)
	if !res.DryRun && len(res.Removed) > 0 {
		// FlowMachine mirrors query states in Redis; it does not learn of our removals.
		e.log.Warn("FlowMachine's Redis query states are now stale for the removed entries: run flowmachine's resync_redis_with_cache", "removed", len(res.Removed))
		s += "; resync FlowMachine's Redis (resync_redis_with_cache)"
	}
	_ = what
	return s, nil
}

func lnString(ln float64) string {
	if math.IsInf(ln, -1) {
		return "-inf"
	}
	return strconv.FormatFloat(ln, 'f', 4, 64)
}

func scoreString(ln float64) string {
	switch {
	case math.IsInf(ln, -1):
		return "0"
	case ln > 709: // beyond float8: FlowDB itself could not print it
		return fmt.Sprintf("e^%.1f", ln)
	}
	return strconv.FormatFloat(math.Exp(ln), 'g', 6, 64)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func cacheStatus(fs *flag.FlagSet) func(context.Context, *env) (string, error) {
	n := fs.Int("lowest", 10, "how many of the lowest-scored entries to list")
	asJSON := fs.Bool("json", false, "print the status as JSON on stdout")
	return func(ctx context.Context, e *env) (string, error) {
		if len(e.args) > 0 {
			return "", usageError{"cache status takes no arguments"}
		}
		conn, _, _, err := e.connect(ctx, cachepruner.ConnConfig, dbboot.WaitOptions{})
		if err != nil {
			return "", err
		}
		defer conn.Close(context.Background())
		st, err := cachepruner.ReadStatus(ctx, conn, *n)
		if err != nil {
			return "", err
		}
		if *asJSON {
			if err := writeJSON(e.stdout, st); err != nil {
				return "", err
			}
		} else {
			limit := "unset"
			if st.Limit >= 0 {
				limit = fmt.Sprintf("%d (%s)", st.Limit, humanBytes(st.Limit))
			}
			fmt.Fprintf(e.stdout, "entries: %d (protected %d, table missing %d)\nsize: %d (%s)\nlimit: %s\nhalf_life: %g  protected_period: %s  touches: %d\n\n",
				st.Entries, st.Protected, st.MissingTables, st.Size, humanBytes(st.Size), limit, st.HalfLife, st.ProtectedPeriod, st.Touches)
			tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "QUERY_ID\tCLASS\tTABLE\tSIZE\tSCORE\tLN_SCORE\tACCESSES\tLAST_ACCESSED\tPROTECTED")
			for _, x := range st.Lowest {
				fmt.Fprintf(tw, "%s\t%s\t%s.%s\t%d\t%s\t%s\t%d\t%s\t%v\n", x.QueryID, x.Class, x.Schema, x.Table, x.Size,
					scoreString(float64(x.LnScore)), lnString(float64(x.LnScore)), x.AccessCount, x.LastAccessed.UTC().Format(time.RFC3339), x.Protected)
			}
			if err := tw.Flush(); err != nil {
				return "", err
			}
		}
		return fmt.Sprintf("%d entries, %d bytes, limit %d bytes, listed %d lowest", st.Entries, st.Size, st.Limit, len(st.Lowest)), nil
	}
}
