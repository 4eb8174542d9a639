package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/flotilla/flotilla/pkg/cachepruner"
	"github.com/flotilla/flotilla/pkg/dbboot"
	"github.com/flotilla/flotilla/pkg/pgconn"
)

// Exit codes; the charts and operators rely on them.
const (
	exitOK          = 0
	exitFailure     = 1 // anything else
	exitUsage       = 2 // bad flags or arguments
	exitUnreachable = 3 // gave up: the server stayed unreachable until --timeout, or --timeout hit
	exitRejected    = 4 // wrong password, unknown role or missing database: not retried
	exitPrivilege   = 5 // the role lacks a privilege; the message names the grant
)

const usage = `flotilla-hook: PostgreSQL bootstrap and FlowKit cache pruning for Flotilla's charts.

Usage:
  flotilla-hook db wait        [flags]   wait until the server accepts connections to the database
  flotilla-hook db bootstrap   [flags]   db wait, then CREATE EXTENSION IF NOT EXISTS each --extension
  flotilla-hook cache status   [flags]   entries, size, limit and the lowest-scored entries
  flotilla-hook cache prune    [flags]   shrink the FlowDB cache below its limit, lowest score first
  flotilla-hook cache invalidate QUERY_ID [flags]   remove one entry (--cascade: and its dependents)

Connection settings come from the flags and the standard PG* environment variables (PGHOST,
PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE, PGSSLROOTCERT, PGPASSFILE, ...); flags win.
Run "flotilla-hook <group> <command> --help" for a command's flags.

Exit codes: 0 success, 1 failure, 2 usage, 3 unreachable until --timeout (or timed out),
4 rejected (wrong password, unknown role, missing database), 5 missing privilege.
`

type command struct {
	name  string
	short string
	setup func(fs *flag.FlagSet) func(ctx context.Context, env *env) (string, error)
}

// env is what every command gets: logger, output and the common flags.
type env struct {
	log     *slog.Logger
	stdout  io.Writer
	conn    pgconn.Options
	timeout time.Duration
	args    []string // positional arguments
}

var commands = []command{
	{name: "db wait", short: "wait until PostgreSQL accepts connections and the database exists", setup: dbWait},
	{name: "db bootstrap", short: "db wait, then create extensions (idempotent, advisory-locked)", setup: dbBootstrap},
	{name: "cache status", short: "show the FlowDB cache", setup: cacheStatus},
	{name: "cache prune", short: "shrink the FlowDB cache below its size limit", setup: cachePrune},
	{name: "cache invalidate", short: "remove one FlowDB cache entry (QUERY_ID)", setup: cacheInvalidate},
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	var cmd *command
	if len(args) >= 2 {
		for i := range commands {
			if commands[i].name == args[0]+" "+args[1] {
				cmd = &commands[i]
			}
		}
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "flotilla-hook: unknown command %q\n\n%s", strings.Join(args[:min(2, len(args))], " "), usage)
		return exitUsage
	}

	fs := flag.NewFlagSet("flotilla-hook "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	e := &env{stdout: stdout}
	logFormat := fs.String("log-format", "text", "log format: text or json")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn, error")
	fs.DurationVar(&e.timeout, "timeout", 5*time.Minute, "give up after this long (also the server-side statement_timeout)")
	e.conn.RegisterFlags(fs)
	do := cmd.setup(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: flotilla-hook %s [flags]\n  %s\n\nFlags:\n", cmd.name, cmd.short)
		fs.PrintDefaults()
	}
	// Allow flags after positional arguments (cache invalidate ID --cascade).
	rest := args[2:]
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return exitOK
			}
			return exitUsage
		}
		if fs.NArg() == 0 {
			break
		}
		e.args = append(e.args, fs.Arg(0))
		rest = fs.Args()[1:]
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(stderr, "flotilla-hook: --log-level: %v\n", err)
		return exitUsage
	}
	hopts := &slog.HandlerOptions{Level: level}
	switch *logFormat {
	case "json":
		e.log = slog.New(slog.NewJSONHandler(stderr, hopts))
	case "text":
		e.log = slog.New(slog.NewTextHandler(stderr, hopts))
	default:
		fmt.Fprintf(stderr, "flotilla-hook: --log-format must be text or json, not %q\n", *logFormat)
		return exitUsage
	}
	e.log = e.log.With("command", cmd.name)

	ctx, cancel := context.WithTimeout(context.Background(), e.timeout)
	defer cancel()
	start := time.Now()
	summary, err := do(ctx, e)
	took := time.Since(start).Round(time.Millisecond)
	if err != nil {
		code := exitCode(err)
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "flotilla-hook %s: %v\n", cmd.name, err)
			return exitUsage
		}
		e.log.Error(fmt.Sprintf("%s failed after %s: %v", cmd.name, took, err), "exit_code", code, "duration", took.String())
		return code
	}
	e.log.Info(fmt.Sprintf("%s: %s in %s", cmd.name, summary, took), "duration", took.String())
	return exitOK
}

type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func exitCode(err error) int {
	var perm *dbboot.PermanentError
	var bootPriv *dbboot.PrivilegeError
	var prunePriv *cachepruner.PrivilegeError
	switch {
	case errors.As(err, &bootPriv), errors.As(err, &prunePriv), pgconn.Classify(err) == pgconn.Privilege:
		return exitPrivilege
	case errors.As(err, &perm):
		return exitRejected
	case errors.Is(err, dbboot.ErrGaveUp), errors.Is(err, context.DeadlineExceeded), isStatementTimeout(err):
		return exitUnreachable
	}
	return exitFailure
}

func isStatementTimeout(err error) bool {
	return strings.Contains(err.Error(), "SQLSTATE 57014") // query_canceled (statement_timeout)
}

// connect waits for the database (retrying transient errors until --timeout) and returns a
// connection set up for cmd.
func (e *env) connect(ctx context.Context, prepare func(*pgx.ConnConfig) *pgx.ConnConfig, o dbboot.WaitOptions) (*pgx.Conn, *pgx.ConnConfig, int, error) {
	cfg, err := e.conn.Config()
	if err != nil {
		return nil, nil, 0, usageError{err.Error()}
	}
	if prepare != nil {
		cfg = prepare(cfg)
	}
	o.Logger = e.log
	conn, attempts, err := dbboot.Wait(ctx, cfg, o)
	return conn, cfg, attempts, err
}

// byteSize parses 1073741824, 1GiB, 500MB, 10G (G = GiB).
func byteSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   float64
	}{
		{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
		{"kB", 1e3}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
		{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"T", 1 << 40}, {"B", 1},
	}
	mult := 1.0
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("not a size in bytes: %q", s)
	}
	return int64(f * mult), nil
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
