// Package hookcli is the flotilla-hook command line. It parses the flags every command shares
// (connection settings, logging, --timeout), runs the command, maps its error to an exit code
// and logs one summary line; the work itself is done by one package per concern (dbboot,
// cachepruner, ...).
//
// Adding a command group (backup, status, ...) takes one file declaring a group value with its
// commands, like db.go and cache.go, and its name in groups; help, flags, exit codes and the
// summary line come from here.
package hookcli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/flotilla/flotilla/pkg/cachepruner"
	"github.com/flotilla/flotilla/pkg/dbboot"
	"github.com/flotilla/flotilla/pkg/flagargs"
	"github.com/flotilla/flotilla/pkg/pgconn"
)

// groups lists every command group, in the order the overview shows them.
var groups = []group{dbGroup, cacheGroup, backupGroup, kubeGroup, statusGroup, secretsGroup}

// group is the first word of a command line: "flotilla-hook GROUP COMMAND [flags]".
type group struct {
	name     string
	about    string // one line for "flotilla-hook GROUP --help"
	commands []command
}

// command is one "flotilla-hook GROUP NAME" command.
type command struct {
	name     string
	args     string // the one positional argument it requires (e.g. QUERY_ID); "" for none
	overview string // its line in "flotilla-hook --help"
	short    string // its line in "flotilla-hook GROUP NAME --help"
	// setup registers the command's own flags on fs and returns what the command does.
	setup func(fs *flag.FlagSet) action
	// serve marks a server that runs until SIGTERM: --timeout is not its deadline.
	serve bool
}

// action runs a command and returns the summary the last log line reports.
type action func(ctx context.Context, inv *invocation) (summary string, err error)

// invocation is what every command gets: logger, output, the shared flags and its arguments.
type invocation struct {
	log     *slog.Logger
	stdout  io.Writer
	conn    pgconn.Options
	timeout time.Duration
	args    []string // positional arguments
}

const overviewHeader = `flotilla-hook: PostgreSQL bootstrap, FlowKit cache pruning, backups to S3, generated Secrets and the status endpoint for Flotilla's charts.

Usage:
`

const overviewFooter = `
Connection settings come from the flags and the standard PG* environment variables (PGHOST,
PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE, PGSSLROOTCERT, PGPASSFILE, ...); flags win.
FlowMachine's Redis (cache prune, invalidate, resync-redis): --redis-host/REDIS_HOST,
--redis-port/REDIS_PORT, --redis-password-file/REDIS_PASSWORD, or --no-redis.
Run "flotilla-hook <group> <command> --help" for a command's flags.

Exit codes: 0 success, 1 failure, 2 usage, 3 unreachable until --timeout (or timed out),
4 rejected (wrong password, unknown role, missing database; S3 credentials or bucket), 5 missing privilege (or RBAC).
`

// Run executes the command line and returns the process exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || isHelp(args[0]) {
		fmt.Fprint(stdout, overview())
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, g := range groups {
		if g.name != args[0] || len(args) < 2 {
			continue
		}
		if isHelp(args[1]) {
			fmt.Fprint(stdout, g.help())
			return exitOK
		}
		for _, c := range g.commands {
			if c.name == args[1] {
				return runCommand(ctx, g.name+" "+c.name, c, args[2:], stdout, stderr)
			}
		}
	}
	fmt.Fprintf(stderr, "flotilla-hook: unknown command %q\n\n%s", strings.Join(args[:min(2, len(args))], " "), overview())
	return exitUsage
}

func isHelp(arg string) bool { return arg == "-h" || arg == "--help" || arg == "help" }

func overview() string {
	var b strings.Builder
	b.WriteString(overviewHeader)
	for _, g := range groups {
		g.writeCommandLines(&b)
	}
	b.WriteString(overviewFooter)
	return b.String()
}

func (g group) help() string {
	var b strings.Builder
	fmt.Fprintf(&b, "flotilla-hook %s: %s.\n\nUsage:\n", g.name, g.about)
	g.writeCommandLines(&b)
	fmt.Fprintf(&b, "\nRun \"flotilla-hook %s <command> --help\" for a command's flags.\n", g.name)
	return b.String()
}

func (g group) writeCommandLines(w io.Writer) {
	for _, c := range g.commands {
		synopsis := "[flags]"
		if c.args != "" {
			synopsis = c.args + " [flags]"
		}
		fmt.Fprintf(w, "  flotilla-hook %-14s %s   %s\n", g.name+" "+c.name, synopsis, c.overview)
	}
}

// runCommand parses the shared and the command's flags, runs it and logs the summary line.
func runCommand(ctx context.Context, name string, c command, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("flotilla-hook "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	inv := &invocation{stdout: stdout}
	logFormat := fs.String("log-format", "text", "log format: text or json")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn, error")
	fs.DurationVar(&inv.timeout, "timeout", 5*time.Minute, "give up after this long (also the server-side statement_timeout)")
	inv.conn.RegisterFlags(fs)
	do := c.setup(fs)
	// Printed below instead: --help goes to stdout, a flag mistake's usage to stderr.
	fs.Usage = func() {}

	var err error
	if inv.args, err = flagargs.Parse(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printCommandUsage(stdout, fs, name, c.short)
			return exitOK
		}
		printCommandUsage(stderr, fs, name, c.short)
		return exitUsage
	}
	if inv.log, err = newLogger(stderr, *logFormat, *logLevel); err != nil {
		fmt.Fprintf(stderr, "flotilla-hook: %v\n", err)
		return exitUsage
	}
	inv.log = inv.log.With("command", name)
	if err := checkArgs(name, c.args, inv.args); err != nil {
		fmt.Fprintf(stderr, "flotilla-hook %s: %v\n", name, err)
		return exitUsage
	}
	// PostgreSQL's statement_timeout, which --timeout also sets, holds at most INT_MAX ms.
	if inv.timeout <= 0 || inv.timeout > cachepruner.MaxStatementTimeout {
		fmt.Fprintf(stderr, "flotilla-hook %s: --timeout %s is out of range: allowed 1ms to %s\n", name, inv.timeout, cachepruner.MaxStatementTimeout)
		return exitUsage
	}

	if !c.serve {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, inv.timeout)
		defer cancel()
	}
	start := time.Now()
	summary, err := do(ctx, inv)
	took := time.Since(start).Round(time.Millisecond)
	if err != nil {
		if isUsage(err) {
			fmt.Fprintf(stderr, "flotilla-hook %s: %v\n", name, err)
			return exitUsage
		}
		code := exitCode(err)
		inv.log.Error(fmt.Sprintf("%s failed after %s: %v", name, took, err), "exit_code", code, "duration", took.String())
		return code
	}
	inv.log.Info(fmt.Sprintf("%s: %s in %s", name, summary, took), "duration", took.String())
	return exitOK
}

func printCommandUsage(w io.Writer, fs *flag.FlagSet, name, short string) {
	fmt.Fprintf(w, "Usage: flotilla-hook %s [flags]\n  %s\n\nFlags:\n", name, short)
	fs.SetOutput(w)
	fs.PrintDefaults()
}

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: l}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", format)
}

// checkArgs enforces a command's positional argument: exactly one when it names one, else none.
func checkArgs(name, want string, got []string) error {
	switch {
	case want == "" && len(got) > 0:
		return usageError{name + " takes no arguments"}
	case want != "" && len(got) != 1:
		return usageError{name + " takes exactly one " + want}
	}
	return nil
}

// connect waits for the database (retrying transient errors until --timeout) and returns a
// connection whose config prepare adjusted (nil: as configured).
func (inv *invocation) connect(ctx context.Context, prepare func(*pgx.ConnConfig) *pgx.ConnConfig, o dbboot.WaitOptions) (*pgx.Conn, *pgx.ConnConfig, int, error) {
	cfg, err := inv.conn.Config()
	if err != nil {
		return nil, nil, 0, usageError{err.Error()}
	}
	if prepare != nil {
		cfg = prepare(cfg)
	}
	o.Logger = inv.log
	conn, attempts, err := dbboot.Wait(ctx, cfg, o)
	return conn, cfg, attempts, err
}

// printJSON writes v to stdout as indented JSON, for --json.
func (inv *invocation) printJSON(v any) error {
	enc := json.NewEncoder(inv.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
