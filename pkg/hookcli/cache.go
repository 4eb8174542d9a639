package hookcli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/flotilla/flotilla/pkg/cachepruner"
	"github.com/flotilla/flotilla/pkg/dbboot"
)

var cacheGroup = group{
	name:  "cache",
	about: "inspect and prune a FlowKit/FlowDB query cache",
	commands: []command{
		{
			name:     "status",
			overview: "entries, size, limit and the lowest-scored entries",
			short:    "show the FlowDB cache",
			setup:    cacheStatus,
		},
		{
			name:     "prune",
			overview: "shrink the FlowDB cache below its limit, lowest score first",
			short:    "shrink the FlowDB cache below its size limit",
			setup:    cachePrune,
		},
		{
			name:     "invalidate",
			args:     "QUERY_ID",
			overview: "remove one entry (--cascade: and its dependents)",
			short:    "remove one FlowDB cache entry (QUERY_ID)",
			setup:    cacheInvalidate,
		},
		{
			name:     "resync-redis",
			overview: "rebuild FlowMachine's Redis query states from cache.cached",
			short:    "rebuild FlowMachine's Redis query states from cache.cached (refused while queries run, unless --force)",
			setup:    cacheResyncRedis,
		},
	},
}

// periodFlag accepts a Go duration ("24h") or seconds ("86400"); negative disables protection.
type periodFlag struct{ d *time.Duration }

func (p *periodFlag) String() string {
	if p.d == nil {
		return ""
	}
	return p.d.String()
}
func (p *periodFlag) Set(v string) error {
	secs, err := strconv.ParseFloat(v, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		d, derr := time.ParseDuration(v)
		if derr != nil {
			// Also a duration past time.Duration's range: say which range is allowed.
			_, rerr := cachepruner.PeriodFromSeconds("--protected-period", math.Inf(1))
			return fmt.Errorf("want a duration (24h) or seconds (86400), not %q: %w", v, rerr)
		}
		p.d = &d
		return nil
	}
	d, err := cachepruner.PeriodFromSeconds("--protected-period", secs)
	if err != nil {
		return err
	}
	p.d = &d
	return nil
}

// pruneFlags are the flags of cache prune and (without the size and schedule ones) cache
// invalidate.
type pruneFlags struct {
	maxSize   string
	protected periodFlag
	o         cachepruner.PruneOptions
	redis     redisFlags
	json      bool
	prune     bool // the prune-only flags are registered
}

func (p *pruneFlags) register(fs *flag.FlagSet, prune bool) {
	fs.BoolVar(&p.o.Cascade, "cascade", false, "also remove entries computed from removed ones (through cache.dependencies)")
	fs.BoolVar(&p.o.DryRun, "dry-run", false, "list what would be removed; change nothing")
	fs.BoolVar(&p.o.SkipIfLocked, "skip-if-locked", false, "exit 0 at once when another prune holds the lock, instead of waiting for it")
	fs.BoolVar(&p.json, "json", false, "print the result as JSON on stdout")
	p.redis.register(fs, true)
	p.prune = prune
	if prune {
		fs.StringVar(&p.maxSize, "max-size", "", "size limit in bytes (or 500MB, 10GiB); default cache_size from cache.cache_config")
		fs.Var(&p.protected, "protected-period", "entries younger than this are kept (24h or 86400; negative disables); default cache_protected_period")
		fs.IntVar(&p.o.BatchSize, "batch-size", 100, fmt.Sprintf("entries removed per transaction, 1 to %d (a cascade group is never split)", cachepruner.MaxBatchSize))
		fs.DurationVar(&p.o.MinInterval, "min-interval", 0, "skip (exit 0) when the last successful prune started less than this long ago (recorded in cache.cache_config); 0 never skips")
	}
}

func (p *pruneFlags) options(inv *invocation) (cachepruner.PruneOptions, error) {
	o := p.o
	o.Logger = inv.log
	o.MaxSize = -1
	if p.maxSize != "" {
		n, err := byteSize("--max-size", p.maxSize)
		if err != nil {
			return o, err
		}
		o.MaxSize = n
	}
	o.ProtectedPeriod = p.protected.d
	if p.prune && o.BatchSize < 1 { // cachepruner reads 0 as its default; on the command line it is a mistake
		return o, &cachepruner.RangeError{Setting: "--batch-size", Value: strconv.Itoa(o.BatchSize), Allowed: fmt.Sprintf("1 to %d entries", cachepruner.MaxBatchSize)}
	}
	return o, nil
}

// withCacheConn connects the way cachepruner needs (cachepruner.ConnConfig), without waiting
// for a missing database, and runs use on the connection.
func withCacheConn(ctx context.Context, inv *invocation, use func(*pgx.Conn) (string, error)) (string, error) {
	conn, _, _, err := inv.connect(ctx, cachepruner.ConnConfig, dbboot.WaitOptions{})
	if err != nil {
		return "", err
	}
	defer conn.Close(context.Background())
	return use(conn)
}

// run resolves the flags, connects and reports what remove removed.
func (p *pruneFlags) run(ctx context.Context, inv *invocation, remove func(*pgx.Conn, cachepruner.PruneOptions) (cachepruner.Result, error)) (string, error) {
	o, err := p.options(inv)
	if err != nil {
		return "", err
	}
	return withCacheConn(ctx, inv, func(conn *pgx.Conn) (string, error) {
		if o.States, err = p.redis.states(conn.Config()); err != nil {
			return "", err
		}
		defer closeStates(o.States)
		res, err := remove(conn, o)
		if err != nil {
			return "", err
		}
		return report(inv, res, p.json)
	})
}

func cachePrune(fs *flag.FlagSet) action {
	p := &pruneFlags{}
	p.register(fs, true)
	return func(ctx context.Context, inv *invocation) (string, error) {
		return p.run(ctx, inv, func(conn *pgx.Conn, o cachepruner.PruneOptions) (cachepruner.Result, error) {
			res, err := cachepruner.Prune(ctx, conn, o)
			if err != nil && len(res.Removed) > 0 {
				inv.log.Warn("removed some entries before failing", "removed", len(res.Removed), "freed_bytes", res.Freed)
			}
			return res, err
		})
	}
}

func cacheInvalidate(fs *flag.FlagSet) action {
	p := &pruneFlags{}
	p.register(fs, false)
	return func(ctx context.Context, inv *invocation) (string, error) {
		if strings.TrimSpace(inv.args[0]) == "" { // e.g. the chart's Job template copied without QUERY_ID
			return "", usageError{"QUERY_ID is empty"}
		}
		return p.run(ctx, inv, func(conn *pgx.Conn, o cachepruner.PruneOptions) (cachepruner.Result, error) {
			return cachepruner.Invalidate(ctx, conn, inv.args[0], o)
		})
	}
}

// report prints what a prune or invalidation removed and returns its summary.
func report(inv *invocation, res cachepruner.Result, asJSON bool) (string, error) {
	if asJSON {
		if err := inv.printJSON(res); err != nil {
			return "", err
		}
	} else if len(res.Removed) > 0 {
		tw := tabwriter.NewWriter(inv.stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "QUERY_ID\tTABLE\tSIZE\tLN_SCORE\tREASON")
		for _, r := range res.Removed {
			fmt.Fprintf(tw, "%s\t%s.%s\t%d\t%s\t%s\n", r.QueryID, r.Schema, r.Table, r.Size, lnString(float64(r.LnScore)), r.Reason)
		}
		if err := tw.Flush(); err != nil {
			return "", err
		}
	}
	if res.Skipped {
		return "skipped: " + res.SkipReason, nil
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
	if len(res.InUse) > 0 {
		inv.log.Warn("left entries in place that FlowMachine is using", "in_use", len(res.InUse))
		s += fmt.Sprintf("; left %d in use by FlowMachine in place", len(res.InUse))
	}
	switch {
	case res.DryRun:
	case res.Redis:
		s += fmt.Sprintf("; FlowMachine's Redis: %d states set to known", res.StatesReset)
	case len(res.Removed) > 0:
		inv.log.Warn("FlowMachine's Redis query states were not updated (--no-redis): if FlowMachine runs on this FlowDB, run flotilla-hook cache resync-redis", "removed", len(res.Removed))
		s += "; FlowMachine's Redis NOT updated (--no-redis): run cache resync-redis if FlowMachine uses this FlowDB"
	}
	return s, nil
}

func lnString(ln float64) string {
	switch {
	case math.IsInf(ln, -1):
		return "-inf"
	case math.IsNaN(ln):
		return "null"
	}
	return strconv.FormatFloat(ln, 'f', 4, 64)
}

func scoreString(ln float64) string {
	switch {
	case math.IsInf(ln, -1):
		return "0"
	case math.IsNaN(ln):
		return "null"
	case ln > 709: // beyond float8: FlowDB itself could not print it
		return fmt.Sprintf("e^%.1f", ln)
	}
	return strconv.FormatFloat(math.Exp(ln), 'g', 6, 64)
}

func cacheStatus(fs *flag.FlagSet) action {
	n := fs.Int("lowest", 10, "how many of the lowest-scored entries to list")
	asJSON := fs.Bool("json", false, "print the status as JSON on stdout")
	return func(ctx context.Context, inv *invocation) (string, error) {
		if *n < 0 {
			return "", usageError{fmt.Sprintf("--lowest %d is out of range: allowed 0 or more", *n)}
		}
		return withCacheConn(ctx, inv, func(conn *pgx.Conn) (string, error) {
			st, err := cachepruner.ReadStatus(ctx, conn, *n)
			if err != nil {
				return "", err
			}
			if *asJSON {
				if err := inv.printJSON(st); err != nil {
					return "", err
				}
			} else if err := printStatus(inv, st); err != nil {
				return "", err
			}
			return fmt.Sprintf("%d entries, %d bytes, limit %d bytes, listed %d lowest", st.Entries, st.Size, st.Limit, len(st.Lowest)), nil
		})
	}
}

func printStatus(inv *invocation, st cachepruner.Status) error {
	limit := "unset"
	if st.Limit >= 0 {
		limit = fmt.Sprintf("%d (%s)", st.Limit, humanBytes(st.Limit))
	}
	fmt.Fprintf(inv.stdout, "entries: %d (protected %d, table missing %d)\nsize: %d (%s)\nlimit: %s\nhalf_life: %g  protected_period: %s  touches: %d\n\n",
		st.Entries, st.Protected, st.MissingTables, st.Size, humanBytes(st.Size), limit, st.HalfLife, st.ProtectedPeriod, st.Touches)
	tw := tabwriter.NewWriter(inv.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "QUERY_ID\tCLASS\tTABLE\tSIZE\tSCORE\tLN_SCORE\tACCESSES\tLAST_ACCESSED\tPROTECTED")
	for _, x := range st.Lowest {
		fmt.Fprintf(tw, "%s\t%s\t%s.%s\t%d\t%s\t%s\t%d\t%s\t%v\n", x.QueryID, x.Class, x.Schema, x.Table, x.Size,
			scoreString(float64(x.LnScore)), lnString(float64(x.LnScore)), x.AccessCount, x.LastAccessed.UTC().Format(time.RFC3339), x.Protected)
	}
	return tw.Flush()
}
