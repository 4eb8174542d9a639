package cachepruner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	pgxconn "github.com/jackc/pgx/v5/pgconn"

	"github.com/flotilla/flotilla/pkg/pgconn"
)

// dropFuncSQL defines a session-local helper (schema pg_temp: FlowDB's schema is untouched and
// the function vanishes with the session) so that one statement drops exactly the tables of the
// rows it deleted, with a single DROP TABLE. A row re-inserted concurrently by FlowMachine is
// invisible to our DELETE, and then its table is not dropped either.
const dropFuncSQL = `CREATE OR REPLACE FUNCTION pg_temp.flotilla_drop_cache_tables(names text[]) RETURNS int
LANGUAGE plpgsql AS $fn$
BEGIN
	IF cardinality(names) > 0 THEN
		EXECUTE 'DROP TABLE IF EXISTS ' || array_to_string(names, ', ');
	END IF;
	RETURN coalesce(cardinality(names), 0);
END $fn$`

// removeSQL deletes the rows and drops their tables in one statement, hence one transaction.
// The class filter re-checks that a base table is never dropped.
const removeSQL = `WITH d AS (
	DELETE FROM cache.cached WHERE query_id = ANY($1) AND class NOT IN ('Table', 'GeoTable')
	RETURNING query_id, schema, tablename)
SELECT array_agg(d.query_id::text),
	pg_temp.flotilla_drop_cache_tables(array_agg(format('%I.%I', coalesce(d.schema, 'cache'), d.tablename))
		FILTER (WHERE d.tablename IS NOT NULL))
FROM d`

// remover removes batches over one connection.
type remover struct {
	conn      *pgx.Conn
	pipelined bool // no TEMP privilege for the helper: DELETE + DROP pipelined instead
}

func newRemover(ctx context.Context, conn *pgx.Conn, log *slog.Logger) (*remover, error) {
	r := &remover{conn: conn}
	if _, err := conn.Exec(ctx, dropFuncSQL); err != nil {
		if pgconn.Classify(err) != pgconn.Privilege {
			return nil, fmt.Errorf("create session helper: %w", err)
		}
		log.Info("no TEMP privilege for the session helper; removing with DELETE and DROP in one pipelined transaction", "error", err.Error())
		r.pipelined = true
	}
	return r, nil
}

func (r *remover) remove(ctx context.Context, batch []Removed) (map[string]bool, error) {
	ids := make([]string, len(batch))
	for i, e := range batch {
		ids[i] = e.QueryID
	}
	removed := make(map[string]bool, len(ids))
	var err error
	if r.pipelined {
		err = r.removePipelined(ctx, batch, ids, removed)
	} else {
		var got []string
		var dropped int
		err = r.conn.QueryRow(ctx, removeSQL, ids).Scan(&got, &dropped)
		for _, id := range got {
			removed[strings.TrimRight(id, " ")] = true
		}
	}
	if err != nil {
		if pgconn.Classify(err) == pgconn.Privilege {
			return nil, privilegeError(r.conn, err)
		}
		var pgErr *pgxconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "53200" { // out_of_memory: the shared lock table is full
			return nil, fmt.Errorf("remove %d cache entries in one transaction: %w (lower --batch-size: each removed entry locks its table, "+
				"indexes and TOAST table until the batch commits, and the server's lock table holds max_locks_per_transaction × max_connections locks)", len(batch), err)
		}
		return nil, fmt.Errorf("remove %d cache entries: %w", len(batch), err)
	}
	return removed, nil
}

// removePipelined sends DELETE … RETURNING and one DROP TABLE IF EXISTS in one round trip; the
// pipeline runs as one implicit transaction. It drops every selected table, so unlike removeSQL
// it can drop the table of a row that FlowMachine re-inserts at this very moment.
func (r *remover) removePipelined(ctx context.Context, batch []Removed, ids []string, removed map[string]bool) error {
	var tables []string
	for _, e := range batch {
		if e.Table != "" {
			tables = append(tables, pgx.Identifier{e.Schema, e.Table}.Sanitize())
		}
	}
	b := &pgx.Batch{}
	b.Queue("DELETE FROM cache.cached WHERE query_id = ANY($1) AND class NOT IN ('Table', 'GeoTable') RETURNING query_id", ids)
	if len(tables) > 0 {
		b.Queue("DROP TABLE IF EXISTS " + strings.Join(tables, ", "))
	}
	br := r.conn.SendBatch(ctx, b)
	rows, _ := br.Query()
	var id string
	_, err := pgx.ForEachRow(rows, []any{&id}, func() error {
		removed[strings.TrimRight(id, " ")] = true
		return nil
	})
	if err == nil && len(tables) > 0 {
		_, err = br.Exec()
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return err
}

// PrivilegeError says which role the pruner must connect as.
type PrivilegeError struct {
	Role, Owner string
	Err         error
}

func (e *PrivilegeError) Error() string {
	return fmt.Sprintf("role %q may not remove FlowDB cache entries (needs DELETE on cache.cached and ownership of the cache tables): "+
		"connect as the role that owns them (%q; on FlowDB: flowmachine), or have a superuser run: GRANT %s TO %s: %v",
		e.Role, e.Owner, pgx.Identifier{e.Owner}.Sanitize(), pgx.Identifier{e.Role}.Sanitize(), e.Err)
}
func (e *PrivilegeError) Unwrap() error { return e.Err }

func privilegeError(conn *pgx.Conn, err error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	pe := &PrivilegeError{Role: conn.Config().User, Owner: "flowmachine", Err: err}
	_ = conn.QueryRow(ctx, "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'cache.cached'::regclass").Scan(&pe.Owner)
	return pe
}
