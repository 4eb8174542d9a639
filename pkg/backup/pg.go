package backup

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
)

// Server describes the PostgreSQL server a backup is taken from or restored into.
type Server struct {
	Version string // e.g. "17.6"
	Major   int
}

// ServerInfo reads the server's version.
func ServerInfo(ctx context.Context, conn *pgx.Conn) (Server, error) {
	var full string
	var num int
	if err := conn.QueryRow(ctx, "SELECT current_setting('server_version'), current_setting('server_version_num')::int").Scan(&full, &num); err != nil {
		return Server{}, fmt.Errorf("read server version: %w", err)
	}
	// "17.6 (Debian 17.6-1.pgdg120+1)" → "17.6"
	v, _, _ := strings.Cut(full, " ")
	return Server{Version: v, Major: num / 10000}, nil
}

// NotEmptyError reports a restore target that already holds tables.
type NotEmptyError struct {
	Database  string
	Relations int
	Examples  []string
}

func (e *NotEmptyError) Error() string {
	return fmt.Sprintf("database %q is not empty: %d table(s), view(s) or sequence(s), e.g. %s; restore into an empty database "+
		"(a fresh release, or drop and recreate it), or pass --clean to drop and recreate the backup's objects (backup.restore.clean), or --force to restore anyway",
		e.Database, e.Relations, strings.Join(e.Examples, ", "))
}

// CheckEmpty fails with *NotEmptyError when the database holds relations of its own: tables,
// views, sequences, materialized views or foreign tables outside the system schemas that no
// extension owns. Extensions alone (uuid-ossp created by the chart) leave a database empty.
func CheckEmpty(ctx context.Context, conn *pgx.Conn) error {
	rows, err := conn.Query(ctx, `
SELECT format('%I.%I', n.nspname, c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1`)
	if err != nil {
		return fmt.Errorf("check that the database is empty: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("check that the database is empty: %w", err)
	}
	if len(names) == 0 {
		return nil
	}
	return &NotEmptyError{Database: conn.Config().Database, Relations: len(names), Examples: names[:min(3, len(names))]}
}

// stderrLog logs a child's stderr line by line and keeps the last lines for error messages.
type stderrLog struct {
	mu      sync.Mutex
	log     *slog.Logger
	program string
	partial []byte
	last    []string
}

func (l *stderrLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		l.line(string(l.partial[:i]))
		l.partial = l.partial[i+1:]
	}
	return len(p), nil
}

func (l *stderrLog) line(s string) {
	if s = strings.TrimSpace(s); s == "" {
		return
	}
	l.log.Warn(l.program+": "+s, "program", l.program)
	if l.last = append(l.last, s); len(l.last) > 5 {
		l.last = l.last[1:]
	}
}

// tail returns the last lines written, joined for an error message.
func (l *stderrLog) tail() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.partial) > 0 {
		l.line(string(l.partial))
		l.partial = nil
	}
	if len(l.last) == 0 {
		return "(no output)"
	}
	return strings.Join(l.last, " | ")
}
