package cachepruner_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/flotilla/flotilla/pkg/cachepruner"
	"github.com/flotilla/flotilla/pkg/pgtest"
	"github.com/flotilla/flotilla/pkg/redistest"
)

func TestMain(m *testing.M) {
	if childMain() {
		return
	}
	os.Exit(redistest.Run(func() int { return pgtest.Run(m) }))
}

const (
	childEnv      = "FLOTILLA_PRUNER_CHILD_URL"
	childRedisEnv = "FLOTILLA_PRUNER_CHILD_REDIS" // addr password db_id; empty: no Redis
)

// childMain runs a prune of everything in a subprocess (this test binary re-executed), so the
// kill test can SIGKILL a real process in the middle of its work.
func childMain() bool {
	url := os.Getenv(childEnv)
	if url == "" {
		return false
	}
	cfg, err := pgx.ParseConfig(url)
	if err == nil {
		cfg.RuntimeParams["application_name"] = "prune-child"
		var conn *pgx.Conn
		conn, err = pgx.ConnectConfig(context.Background(), cachepruner.ConnConfig(cfg))
		if err == nil {
			neg := -time.Second
			o := cachepruner.PruneOptions{MaxSize: 0, ProtectedPeriod: &neg, BatchSize: 3}
			if f := strings.Fields(os.Getenv(childRedisEnv)); len(f) == 3 {
				o.States = &cachepruner.QueryStates{Client: redis.NewClient(&redis.Options{Addr: f[0], Password: f[1]}), DBID: f[2]}
			}
			_, err = cachepruner.Prune(context.Background(), conn, o)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
	return true
}
