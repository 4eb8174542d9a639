package hookcli

import (
	"context"
	"flag"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/flotilla/flotilla/pkg/cachepruner"
)

// cacheResyncRedis is "cache resync-redis": FlowMachine's resync_redis_with_cache, refusing
// to overwrite the states of queries FlowMachine is running unless --force.
func cacheResyncRedis(fs *flag.FlagSet) action {
	var r redisFlags
	var o cachepruner.ResyncOptions
	r.register(fs, false)
	fs.BoolVar(&o.Force, "force", false, "rebuild even while FlowMachine runs queries (their states are overwritten, as resync_redis_with_cache does)")
	fs.BoolVar(&o.SkipIfLocked, "skip-if-locked", false, "exit 0 at once when a prune holds the lock, instead of waiting for it")
	asJSON := fs.Bool("json", false, "print the result as JSON on stdout")
	return func(ctx context.Context, inv *invocation) (string, error) {
		o.Logger = inv.log
		return withCacheConn(ctx, inv, func(conn *pgx.Conn) (string, error) {
			states, err := r.states(conn.Config())
			if err != nil {
				return "", err
			}
			defer closeStates(states)
			res, err := cachepruner.ResyncRedis(ctx, conn, states, o)
			if *asJSON {
				if jerr := inv.printJSON(res); jerr != nil && err == nil {
					err = jerr
				}
			}
			switch {
			case err != nil:
				return "", err
			case res.Skipped:
				return "skipped: a prune holds the lock", nil
			}
			s := fmt.Sprintf("%d states set to completed (rows of cache.cached), %d removed (no row)", res.Completed, res.Removed)
			if res.Forced && len(res.InUse) > 0 {
				inv.log.Warn("overwrote the states of queries FlowMachine was running (--force)", "in_use", len(res.InUse))
				s += fmt.Sprintf("; forced over %d queries in use", len(res.InUse))
			}
			return s, nil
		})
	}
}
