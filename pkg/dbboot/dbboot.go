// Package dbboot waits for a PostgreSQL database to accept connections and installs the
// extensions an application needs, safely when several hooks run at once.
package dbboot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/flotilla/flotilla/pkg/pgconn"
)

// WaitOptions control the retry loop.
type WaitOptions struct {
	// InitialBackoff is the first pause between attempts; it doubles up to MaxBackoff.
	InitialBackoff time.Duration
	MaxBackoff     time.Duration
	// AttemptTimeout bounds one connection attempt (a black-holed host must not eat the deadline).
	AttemptTimeout time.Duration
	// RetryMissingDatabase keeps waiting while the database does not exist yet (a bundled
	// server whose entrypoint creates it); by default a missing database fails at once.
	RetryMissingDatabase bool
	Logger               *slog.Logger
}

func (o WaitOptions) withDefaults() WaitOptions {
	if o.InitialBackoff <= 0 {
		o.InitialBackoff = 200 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 5 * time.Second
	}
	if o.AttemptTimeout <= 0 {
		o.AttemptTimeout = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// ErrGaveUp marks a wait that hit its deadline while the server stayed unreachable.
var ErrGaveUp = errors.New("gave up waiting for the database")

// PermanentError is a connection error that retrying cannot fix (wrong password, unknown
// role, missing database).
type PermanentError struct {
	Kind pgconn.Kind
	Err  error
}

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Wait connects to cfg's database, retrying transient failures with exponential backoff and
// jitter until ctx ends. It returns the open connection and the number of attempts.
func Wait(ctx context.Context, cfg *pgx.ConnConfig, o WaitOptions) (*pgx.Conn, int, error) {
	o = o.withDefaults()
	backoff := o.InitialBackoff
	var prev error // the last attempt's error that our own deadline did not cut short
	for attempt := 1; ; attempt++ {
		conn, err := try(ctx, cfg, o.AttemptTimeout)
		if err == nil {
			o.Logger.Info("database is ready", "target", pgconn.Target(cfg), "attempts", attempt)
			return conn, attempt, nil
		}
		kind := pgconn.Classify(err)
		retry := kind == pgconn.Transient || (kind == pgconn.MissingDatabase && o.RetryMissingDatabase)
		if !retry && ctx.Err() == nil {
			return nil, attempt, &PermanentError{Kind: kind, Err: pgconn.Describe(err, cfg)}
		}
		if ctx.Err() != nil && prev != nil {
			// An attempt cut short by the deadline says only "timeout"; the one before says why.
			err = prev
		}
		prev = err
		// Full jitter on the upper half keeps many pods from retrying in lockstep.
		pause := backoff/2 + rand.N(backoff/2+1)
		if dl, ok := ctx.Deadline(); ctx.Err() != nil || (ok && time.Until(dl) < pause) {
			return nil, attempt, fmt.Errorf("%w %s after %d attempts: %w", ErrGaveUp, pgconn.Target(cfg), attempt, err)
		}
		o.Logger.Info("database not ready, retrying", "target", pgconn.Target(cfg), "attempt", attempt, "retry_in", pause.Round(time.Millisecond).String(), "error", err.Error())
		select {
		case <-ctx.Done():
			return nil, attempt, fmt.Errorf("%w %s after %d attempts: %w", ErrGaveUp, pgconn.Target(cfg), attempt, err)
		case <-time.After(pause):
		}
		backoff = min(backoff*2, o.MaxBackoff)
	}
}

func try(ctx context.Context, cfg *pgx.ConnConfig, attemptTimeout time.Duration) (*pgx.Conn, error) {
	actx, cancel := context.WithTimeout(ctx, attemptTimeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(actx, cfg)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(actx, "SELECT 1"); err != nil {
		conn.Close(context.Background())
		return nil, err
	}
	return conn, nil
}

// lockKey serialises bootstraps of one database (advisory locks are per database).
const lockKey int64 = 0x666c6f74_00000001 // "flot" + 1

// Result lists what Bootstrap did.
type Result struct {
	Attempts int
	Created  []string
	Present  []string
}

// PrivilegeError says which grant is missing to create an extension.
type PrivilegeError struct {
	Role, Database, Extension string
	Err                       error
}

func (e *PrivilegeError) Error() string {
	ext := pgx.Identifier{e.Extension}.Sanitize()
	db := pgx.Identifier{e.Database}.Sanitize()
	// Say exactly what a DBA must run, so the message can be forwarded as is.
	return fmt.Sprintf("role %q may not create extension %s in database %q. A DBA must run, connected to database %s as its owner or a superuser: "+
		"CREATE EXTENSION IF NOT EXISTS %s; (for a trusted extension such as uuid-ossp, GRANT CREATE ON DATABASE %s TO %s; also suffices), "+
		"or the hook must connect as such a role: %v",
		e.Role, ext, e.Database, db, ext, db, pgx.Identifier{e.Role}.Sanitize(), e.Err)
}
func (e *PrivilegeError) Unwrap() error { return e.Err }

// Bootstrap waits for the database, then creates each extension unless it exists. Concurrent
// bootstraps of the same database serialise on an advisory lock, so the second one finds the
// extensions present instead of racing on pg_extension's unique index.
func Bootstrap(ctx context.Context, cfg *pgx.ConnConfig, extensions []string, o WaitOptions) (Result, error) {
	o = o.withDefaults()
	conn, attempts, err := Wait(ctx, cfg, o)
	res := Result{Attempts: attempts}
	if err != nil {
		return res, err
	}
	defer conn.Close(context.Background())

	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
		return res, fmt.Errorf("bootstrap %s: take advisory lock: %w", cfg.Database, err)
	}
	// Closing the session releases the lock too; unlock explicitly for pooled setups.
	defer conn.Exec(context.Background(), "SELECT pg_advisory_unlock($1)", lockKey) //nolint:errcheck

	for _, ext := range extensions {
		var present bool
		if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_extension WHERE extname = $1)", ext).Scan(&present); err != nil {
			return res, fmt.Errorf("bootstrap %s: look up extension %s: %w", cfg.Database, ext, err)
		}
		if present {
			o.Logger.Info("extension already installed", "database", cfg.Database, "extension", ext)
			res.Present = append(res.Present, ext)
			continue
		}
		if _, err := conn.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS "+pgx.Identifier{ext}.Sanitize()); err != nil {
			if pgconn.Classify(err) == pgconn.Privilege {
				return res, &PrivilegeError{Role: cfg.User, Database: cfg.Database, Extension: ext, Err: err}
			}
			return res, fmt.Errorf("bootstrap %s: create extension %s: %w", cfg.Database, ext, err)
		}
		o.Logger.Info("extension created", "database", cfg.Database, "extension", ext)
		res.Created = append(res.Created, ext)
	}
	return res, nil
}
