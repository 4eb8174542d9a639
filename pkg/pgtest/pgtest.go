// Package pgtest runs tests against a real, throwaway PostgreSQL cluster.
//
// A test package calls Main from its TestMain: it starts one cluster from the system's
// initdb/pg_ctl (as the postgres user when running as root) on a free loopback port and
// removes it afterwards. Each test then takes a fresh database with Server.NewDatabase.
// When FLOTILLA_TEST_DATABASE_URL is set, that server is used instead and nothing is started.
//
// Tests skip only when no PostgreSQL binaries exist, and say so loudly; with CI=true a missing
// PostgreSQL fails the package instead.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/flotilla/flotilla/pkg/pgbin"
	"github.com/flotilla/flotilla/pkg/testserver"
)

// EnvURL names the variable that points the tests at an existing server (superuser URL).
const EnvURL = "FLOTILLA_TEST_DATABASE_URL"

// PasswordGroup is a role whose members must authenticate with scram-sha-256 over TCP on the
// throwaway cluster; everyone else is trusted. Trust auth accepts any password, so tests of
// wrong passwords add their role to this group. Unknown roles stay trusted so that the server
// reports "role does not exist" rather than a generic password failure.
const PasswordGroup = "flotilla_pwauth"

// Server is a running PostgreSQL reachable over TCP on 127.0.0.1 (or the external URL).
type Server struct {
	// URL is a superuser connection URL to the maintenance database "postgres".
	URL      string
	Host     string
	Port     int
	User     string
	external bool
	dataDir  string
	binDir   string
	asUser   string // run pg_ctl as this user ("" = current user)
}

var shared = testserver.Shared[*Server]{Name: "pgtest", What: "DATABASE",
	Install: "install the Debian package postgresql", Missing: ErrNoPostgres}

// Main starts the shared server, runs the tests and stops the server. Use from TestMain:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
func Main(m *testing.M) {
	os.Exit(Run(m))
}

// Run is Main without the exit, for a TestMain that starts other servers too:
//
//	os.Exit(redistest.Run(func() int { return pgtest.Run(m) }))
func Run(m *testing.M) int { return shared.Run(Start, (*Server).Stop, m.Run) }

// Require returns the shared server, or skips the test (loudly) when no PostgreSQL exists.
func Require(t testing.TB) *Server {
	t.Helper()
	return shared.Require(t)
}

// ErrNoPostgres reports that no PostgreSQL binaries were found.
var ErrNoPostgres = errors.New("no PostgreSQL binaries (initdb, pg_ctl) found and " + EnvURL + " is unset")

// Start returns the external server named by FLOTILLA_TEST_DATABASE_URL, or starts a throwaway one.
func Start() (*Server, error) {
	if u := os.Getenv(EnvURL); u != "" {
		return external(u)
	}
	bin, err := findBinDir()
	if err != nil {
		return nil, err
	}
	s := &Server{Host: "127.0.0.1", User: "postgres", binDir: bin}
	if os.Geteuid() == 0 {
		s.asUser = "postgres"
	} else if u, err := user.Current(); err == nil {
		s.User = u.Username
	}
	if err := s.start(); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

func external(raw string) (*Server, error) {
	cfg, err := pgx.ParseConfig(raw)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", EnvURL, err)
	}
	s := &Server{URL: raw, Host: cfg.Host, Port: int(cfg.Port), User: cfg.User, external: true}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.ensurePasswordGroup(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

func findBinDir() (string, error) {
	d, err := pgbin.Dir("", "initdb")
	if errors.Is(err, pgbin.ErrNotFound) {
		return "", ErrNoPostgres
	}
	return d, err
}

// BinDir is the directory of the server's programs (initdb, pg_dump, pg_restore, ...); empty
// for an external server.
func (s *Server) BinDir() string { return s.binDir }

// command runs a PostgreSQL binary, as s.asUser when set (initdb and pg_ctl refuse root).
func (s *Server) command(name string, args ...string) *exec.Cmd {
	bin := filepath.Join(s.binDir, name)
	if s.asUser != "" {
		return exec.Command("runuser", append([]string{"-u", s.asUser, "--", bin}, args...)...)
	}
	return exec.Command(bin, args...)
}

func (s *Server) start() error {
	dir, err := os.MkdirTemp("", "flotilla-pgtest-")
	if err != nil {
		return fmt.Errorf("make data dir: %w", err)
	}
	s.dataDir = dir
	if s.asUser != "" {
		u, err := user.Lookup(s.asUser)
		if err != nil {
			return fmt.Errorf("look up user %s: %w", s.asUser, err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return fmt.Errorf("chown data dir: %w", err)
		}
	}
	pgdata := filepath.Join(dir, "data")
	if out, err := s.command("initdb", "-D", pgdata, "-A", "trust", "-U", s.User, "--no-sync", "-E", "UTF8", "--locale=C").CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %w\n%s", err, out)
	}
	hba := "local all all trust\n" +
		"host all +" + PasswordGroup + " 127.0.0.1/32 scram-sha-256\n" +
		"host all all 127.0.0.1/32 trust\n"
	if err := os.WriteFile(filepath.Join(pgdata, "pg_hba.conf"), []byte(hba), 0o644); err != nil {
		return fmt.Errorf("write pg_hba.conf: %w", err)
	}
	// A port can be taken between Listen and the server's bind; retry a few times.
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := testserver.FreePort()
		if err != nil {
			return err
		}
		opts := fmt.Sprintf("-k %s -h 127.0.0.1 -p %d -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", dir, port)
		out, err := s.command("pg_ctl", "-w", "-t", "60", "-D", pgdata, "-l", filepath.Join(dir, "postgres.log"), "-o", opts, "start").CombinedOutput()
		if err == nil {
			s.Port = port
			s.URL = fmt.Sprintf("postgres://%s@127.0.0.1:%d/postgres?sslmode=disable", url.PathEscape(s.User), port)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			return s.ensurePasswordGroup(ctx)
		}
		log, _ := os.ReadFile(filepath.Join(dir, "postgres.log"))
		lastErr = fmt.Errorf("pg_ctl start: %w\n%s\n%s", err, out, log)
	}
	return lastErr
}

// Stop shuts the throwaway cluster down and removes its files; a no-op for external servers.
func (s *Server) Stop() {
	if s == nil || s.external || s.dataDir == "" {
		return
	}
	if s.Port != 0 {
		_ = s.command("pg_ctl", "-D", filepath.Join(s.dataDir, "data"), "-m", "immediate", "stop").Run()
	}
	_ = os.RemoveAll(s.dataDir)
}

func (s *Server) ensurePasswordGroup(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, s.URL)
	if err != nil {
		return fmt.Errorf("connect to test server: %w", err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `DO $$BEGIN
		IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '`+PasswordGroup+`') THEN
			CREATE ROLE `+PasswordGroup+` NOLOGIN;
		END IF; END$$`)
	if err != nil {
		return fmt.Errorf("create role %s: %w", PasswordGroup, err)
	}
	return nil
}

// URLFor returns a connection URL for database db as user (with password when non-empty).
func (s *Server) URLFor(db, usr, password string) string {
	u, err := url.Parse(s.URL)
	if err != nil {
		panic(fmt.Sprintf("pgtest: bad server URL: %v", err))
	}
	if password != "" {
		u.User = url.UserPassword(usr, password)
	} else {
		u.User = url.User(usr)
	}
	u.Path = "/" + db
	return u.String()
}

// Connect opens a superuser connection to database db, closed when the test ends.
func (s *Server) Connect(t testing.TB, db string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), s.URLFor(db, s.User, passwordOf(s.URL)))
	if err != nil {
		t.Fatalf("pgtest: connect to %s: %v", db, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func passwordOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return ""
	}
	p, _ := u.User.Password()
	return p
}

// NewDatabase creates an empty database for one test and drops it when the test ends.
func (s *Server) NewDatabase(t testing.TB) string {
	t.Helper()
	name := "t_" + RandomSuffix()
	ctx := context.Background()
	admin := s.Connect(t, "postgres")
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, s.URL)
		if err != nil {
			t.Logf("pgtest: drop database %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("pgtest: drop database %s: %v", name, err)
		}
	})
	return name
}

// CreateRole creates a LOGIN role for the test (dropped afterwards). With a non-empty password
// the role joins PasswordGroup, so the throwaway cluster checks its password.
func (s *Server) CreateRole(t testing.TB, db, password string) string {
	t.Helper()
	ctx := context.Background()
	name := "r_" + RandomSuffix()
	admin := s.Connect(t, "postgres")
	stmt := "CREATE ROLE " + name + " LOGIN"
	if password != "" {
		stmt += " PASSWORD '" + strings.ReplaceAll(password, "'", "''") + "' IN ROLE " + PasswordGroup
	}
	if _, err := admin.Exec(ctx, stmt); err != nil {
		t.Fatalf("pgtest: create role: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, s.URL)
		if err != nil {
			return
		}
		defer c.Close(ctx)
		// The role may own objects in the test database; drop them first.
		if db != "" {
			if dc, err := pgx.Connect(ctx, s.URLFor(db, s.User, passwordOf(s.URL))); err == nil {
				_, _ = dc.Exec(ctx, "DROP OWNED BY "+name+" CASCADE")
				dc.Close(ctx)
			}
		}
		_, _ = c.Exec(ctx, "DROP ROLE IF EXISTS "+name)
	})
	return name
}

// RandomSuffix returns 12 lowercase hex characters, safe in unquoted identifiers.
func RandomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ClosedPort returns a loopback port that was just free and that nothing listens on, so
// connecting to it is refused.
func ClosedPort() (int, error) {
	return testserver.FreePort()
}
