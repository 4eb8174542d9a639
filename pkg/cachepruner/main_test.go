package cachepruner_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/flotilla/flotilla/pkg/cachepruner"
	"github.com/flotilla/flotilla/pkg/pgtest"
)

func TestMain(m *testing.M) {
	if childMain() {
		return
	}
	pgtest.Main(m)
}

const childEnv = "FLOTILLA_PRUNER_CHILD_URL"

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
			_, err = cachepruner.Prune(context.Background(), conn, cachepruner.PruneOptions{MaxSize: 0, ProtectedPeriod: &neg, BatchSize: 3})
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
	return true
}
