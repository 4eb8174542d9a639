package cachepruner

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	pgxconn "github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
)

// LockKey is the advisory lock every prune and invalidate of one database holds.
const LockKey int64 = 0x666c6f74_00000002 // "flot" + 2

// ConnConfig prepares a connection config for the pruner: no prepared statements, so each
// batch of removals is exactly one round trip; and a cancelled context sends the server a
// cancel request (pgx's default only closes the socket, and the server would go on to commit
// a batch it has already received in full).
func ConnConfig(cfg *pgx.ConnConfig) *pgx.ConnConfig {
	cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	cfg.BuildContextWatcherHandler = func(c *pgxconn.PgConn) ctxwatch.Handler {
		return &pgxconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: 5 * time.Second}
	}
	return cfg
}

// applyDeadline makes the server give up when ctx does (statement_timeout), in case the
// cancel request cannot reach it.
func applyDeadline(ctx context.Context, conn *pgx.Conn) error {
	dl, ok := ctx.Deadline()
	if !ok {
		return nil
	}
	// statement_timeout is an int of milliseconds; the command refuses longer --timeout values.
	ms := min(max(time.Until(dl).Milliseconds(), 1), MaxStatementTimeout.Milliseconds())
	if _, err := conn.Exec(ctx, "SET statement_timeout = "+strconv.FormatInt(ms, 10)); err != nil {
		return fmt.Errorf("set statement_timeout: %w", err)
	}
	return nil
}

// MaxStatementTimeout is the longest statement_timeout PostgreSQL accepts (INT_MAX ms).
const MaxStatementTimeout = math.MaxInt32 * time.Millisecond

// acquire applies ctx's deadline on the server, then takes the advisory lock; false when
// skipping because another prune holds it. Prune, Invalidate and ResyncRedis start with it.
func acquire(ctx context.Context, conn *pgx.Conn, skipIfLocked bool, log *slog.Logger) (bool, error) {
	if err := applyDeadline(ctx, conn); err != nil {
		return false, err
	}
	return lock(ctx, conn, skipIfLocked, log)
}

// begin is how Prune and Invalidate start: check the options; make sure FlowMachine's Redis
// answers (without it nothing may be removed: FlowMachine would go on calling removed queries
// ready); then take the lock. false (no error): skipped, res says why.
func begin(ctx context.Context, conn *pgx.Conn, o *PruneOptions, res *Result) (bool, error) {
	if err := o.defaults(); err != nil {
		return false, err
	}
	if o.States != nil {
		if err := o.States.Ping(ctx); err != nil {
			return false, err
		}
	}
	ok, err := acquire(ctx, conn, o.SkipIfLocked, o.Logger)
	if err == nil && !ok {
		res.Skipped, res.SkipReason = true, "another prune holds the lock"
	}
	return ok, err
}

// lock takes the advisory lock; false when skipping because another prune holds it.
func lock(ctx context.Context, conn *pgx.Conn, skip bool, log *slog.Logger) (bool, error) {
	var got bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", LockKey).Scan(&got); err != nil {
		return false, fmt.Errorf("take advisory lock: %w", err)
	}
	if got {
		return true, nil
	}
	if skip {
		log.Info("another prune holds the lock, skipping")
		return false, nil
	}
	log.Info("another prune holds the lock, waiting")
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", LockKey); err != nil {
		return false, fmt.Errorf("wait for advisory lock: %w", err)
	}
	return true, nil
}

func unlock(conn *pgx.Conn) {
	// The session ends soon anyway, which also releases the lock; don't let a cancelled
	// context keep it held on a pooled connection.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _ = conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", LockKey)
}
