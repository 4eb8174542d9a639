package dbboot_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/dbboot"
	"github.com/flotilla/flotilla/pkg/pgconn"
	"github.com/flotilla/flotilla/pkg/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var fast = dbboot.WaitOptions{InitialBackoff: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, AttemptTimeout: 2 * time.Second}

func parse(t *testing.T, url string) *pgx.ConnConfig {
	t.Helper()
	cfg, err := pgx.ParseConfig(url)
	require.NoError(t, err)
	return cfg
}

func TestWaitFaults(t *testing.T) {
	s := pgtest.Require(t)
	db := s.NewDatabase(t)
	pwRole := s.CreateRole(t, db, "right-password")
	closed, err := pgtest.ClosedPort()
	require.NoError(t, err)

	tests := []struct {
		name        string
		url         string
		timeout     time.Duration
		wantGaveUp  bool        // retried until the deadline
		wantKind    pgconn.Kind // permanent error kind, when not wantGaveUp
		wantMessage string
	}{
		{name: "ready", url: s.URLFor(db, s.User, ""), timeout: 5 * time.Second},
		{name: "password checked and right", url: s.URLFor(db, pwRole, "right-password"), timeout: 5 * time.Second},
		{name: "connection refused retries until the deadline", url: "postgres://postgres@127.0.0.1:" + strconv.Itoa(closed) + "/postgres?sslmode=disable",
			timeout: 1500 * time.Millisecond, wantGaveUp: true, wantMessage: "connection refused"},
		{name: "DNS not resolving retries until the deadline", url: "postgres://postgres@nonexistent.invalid:5432/postgres?sslmode=disable",
			timeout: 1500 * time.Millisecond, wantGaveUp: true, wantMessage: "nonexistent.invalid"},
		{name: "wrong password fails at once", url: s.URLFor(db, pwRole, "wrong"), timeout: 30 * time.Second,
			wantKind: pgconn.WrongPassword, wantMessage: "wrong password"},
		{name: "unknown role fails at once", url: s.URLFor(db, "ghost_role", ""), timeout: 30 * time.Second,
			wantKind: pgconn.UnknownRole, wantMessage: `role "ghost_role"`},
		{name: "missing database fails at once", url: s.URLFor("ghost_db", s.User, ""), timeout: 30 * time.Second,
			wantKind: pgconn.MissingDatabase, wantMessage: `database "ghost_db" does not exist`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), tc.timeout)
			defer cancel()
			start := time.Now()
			conn, attempts, err := dbboot.Wait(ctx, parse(t, tc.url), fast)
			elapsed := time.Since(start)
			switch {
			case tc.wantGaveUp:
				require.Error(t, err)
				assert.ErrorIs(t, err, dbboot.ErrGaveUp)
				assert.Contains(t, err.Error(), tc.wantMessage)
				assert.Greater(t, attempts, 2, "should have retried")
				assert.Less(t, elapsed, tc.timeout+time.Second, "must stop at the deadline")
			case tc.wantMessage != "":
				require.Error(t, err)
				var perm *dbboot.PermanentError
				require.ErrorAs(t, err, &perm)
				assert.Equal(t, tc.wantKind, perm.Kind)
				assert.Contains(t, err.Error(), tc.wantMessage)
				assert.Equal(t, 1, attempts, "no retry loop for a permanent error")
			default:
				require.NoError(t, err)
				conn.Close(ctx)
				assert.Equal(t, 1, attempts)
			}
		})
	}
}

// proxy forwards a loopback port to the server once started, to play a server that comes up late.
func proxy(t *testing.T, port int, target string) {
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				u, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer u.Close()
				go io.Copy(u, c) //nolint:errcheck
				io.Copy(c, u)    //nolint:errcheck
			}()
		}
	}()
}

func TestWaitServerComesUpLate(t *testing.T) {
	s := pgtest.Require(t)
	db := s.NewDatabase(t)
	port, err := pgtest.ClosedPort()
	require.NoError(t, err)
	time.AfterFunc(800*time.Millisecond, func() { proxy(t, port, net.JoinHostPort(s.Host, strconv.Itoa(s.Port))) })

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cfg := parse(t, "postgres://"+s.User+"@127.0.0.1:"+strconv.Itoa(port)+"/"+db+"?sslmode=disable")
	conn, attempts, err := dbboot.Wait(ctx, cfg, fast)
	require.NoError(t, err)
	defer conn.Close(ctx)
	assert.Greater(t, attempts, 1)
}

func TestWaitRetryMissingDatabase(t *testing.T) {
	s := pgtest.Require(t)
	name := "late_" + pgtest.RandomSuffix()
	admin := s.Connect(t, "postgres")
	t.Cleanup(func() { admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") }) //nolint:errcheck
	time.AfterFunc(600*time.Millisecond, func() {
		c, err := pgx.Connect(context.Background(), s.URL)
		if err == nil {
			c.Exec(context.Background(), "CREATE DATABASE "+name) //nolint:errcheck
			c.Close(context.Background())
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	o := fast
	o.RetryMissingDatabase = true
	conn, attempts, err := dbboot.Wait(ctx, parse(t, s.URLFor(name, s.User, "")), o)
	require.NoError(t, err)
	defer conn.Close(ctx)
	assert.Greater(t, attempts, 1)
}

func extensionCount(t *testing.T, s *pgtest.Server, db, ext string) int {
	var n int
	require.NoError(t, s.Connect(t, db).QueryRow(context.Background(), "SELECT count(*) FROM pg_extension WHERE extname = $1", ext).Scan(&n))
	return n
}

func TestBootstrap(t *testing.T) {
	s := pgtest.Require(t)
	ctx := context.Background()

	t.Run("creates, then is idempotent", func(t *testing.T) {
		db := s.NewDatabase(t)
		cfg := parse(t, s.URLFor(db, s.User, ""))
		res, err := dbboot.Bootstrap(ctx, cfg, []string{"uuid-ossp", "pgcrypto"}, fast)
		require.NoError(t, err)
		assert.Equal(t, []string{"uuid-ossp", "pgcrypto"}, res.Created)
		assert.Equal(t, 1, extensionCount(t, s, db, "uuid-ossp"))

		res, err = dbboot.Bootstrap(ctx, cfg, []string{"uuid-ossp", "pgcrypto"}, fast)
		require.NoError(t, err)
		assert.Empty(t, res.Created)
		assert.Equal(t, []string{"uuid-ossp", "pgcrypto"}, res.Present)
	})

	t.Run("concurrent bootstraps all succeed", func(t *testing.T) {
		db := s.NewDatabase(t)
		cfg := parse(t, s.URLFor(db, s.User, ""))
		const n = 6
		var wg sync.WaitGroup
		errs := make([]error, n)
		created := make([]int, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := dbboot.Bootstrap(ctx, cfg.Copy(), []string{"uuid-ossp"}, fast)
				errs[i], created[i] = err, len(res.Created)
			}()
		}
		wg.Wait()
		total := 0
		for i := range n {
			require.NoError(t, errs[i])
			total += created[i]
		}
		assert.Equal(t, 1, total, "exactly one bootstrap creates the extension")
		assert.Equal(t, 1, extensionCount(t, s, db, "uuid-ossp"))
	})

	t.Run("unprivileged role gets the missing grant named", func(t *testing.T) {
		db := s.NewDatabase(t)
		role := s.CreateRole(t, db, "")
		res, err := dbboot.Bootstrap(ctx, parse(t, s.URLFor(db, role, "")), []string{"uuid-ossp"}, fast)
		require.Error(t, err)
		var perr *dbboot.PrivilegeError
		require.True(t, errors.As(err, &perr), "got %v", err)
		assert.Contains(t, err.Error(), `CREATE EXTENSION IF NOT EXISTS "uuid-ossp"`)
		assert.Contains(t, err.Error(), "GRANT CREATE ON DATABASE "+`"`+db+`"`)
		assert.Contains(t, err.Error(), "A DBA must run, connected to database")
		assert.Empty(t, res.Created)
		assert.Equal(t, 0, extensionCount(t, s, db, "uuid-ossp"))
	})

	t.Run("unknown extension", func(t *testing.T) {
		db := s.NewDatabase(t)
		_, err := dbboot.Bootstrap(ctx, parse(t, s.URLFor(db, s.User, "")), []string{"no_such_ext"}, fast)
		require.ErrorContains(t, err, "create extension no_such_ext")
	})
}
