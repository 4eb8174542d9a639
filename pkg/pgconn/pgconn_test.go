package pgconn_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	pgxconnpkg "github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/pgconn"
	"github.com/flotilla/flotilla/pkg/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestConfig(t *testing.T) {
	pwFile := filepath.Join(t.TempDir(), "password")
	require.NoError(t, os.WriteFile(pwFile, []byte("from-file\n"), 0o600))

	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		wantHost string
		wantPort uint16
		wantDB   string
		wantUser string
		wantPass string
		wantTLS  bool
		wantErr  string
	}{
		{
			name:     "environment only",
			env:      map[string]string{"PGHOST": "db.example", "PGPORT": "6543", "PGDATABASE": "flowise", "PGUSER": "app", "PGPASSWORD": "envpw", "PGSSLMODE": "disable"},
			wantHost: "db.example", wantPort: 6543, wantDB: "flowise", wantUser: "app", wantPass: "envpw",
		},
		{
			name:     "flags override environment",
			env:      map[string]string{"PGHOST": "db.example", "PGPORT": "6543", "PGDATABASE": "flowise", "PGUSER": "app", "PGPASSWORD": "envpw", "PGSSLMODE": "disable"},
			args:     []string{"--host", "other", "--port", "7000", "--dbname", "x y", "--user", "o'brien"},
			wantHost: "other", wantPort: 7000, wantDB: "x y", wantUser: "o'brien", wantPass: "envpw",
		},
		{
			name:     "password file wins over PGPASSWORD and loses its trailing newline",
			env:      map[string]string{"PGHOST": "h", "PGUSER": "u", "PGPASSWORD": "envpw", "PGSSLMODE": "disable"},
			args:     []string{"--password-file", pwFile},
			wantHost: "h", wantPort: 5432, wantDB: "", wantUser: "u", wantPass: "from-file",
		},
		{
			name:     "sslmode require from the environment enables TLS",
			env:      map[string]string{"PGHOST": "h", "PGUSER": "u", "PGSSLMODE": "require"},
			wantHost: "h", wantPort: 5432, wantUser: "u", wantTLS: true,
		},
		{
			name:    "missing password file",
			env:     map[string]string{"PGHOST": "h"},
			args:    []string{"--password-file", filepath.Join(t.TempDir(), "absent")},
			wantErr: "read password file",
		},
		{
			name:    "bad sslmode",
			env:     map[string]string{"PGHOST": "h"},
			args:    []string{"--sslmode", "sometimes"},
			wantErr: "sslmode",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []string{"PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "PGSSLMODE", "PGSSLROOTCERT", "PGPASSFILE", "PGSERVICE", "PGAPPNAME"} {
				t.Setenv(k, "")
				os.Unsetenv(k)
			}
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var o pgconn.Options
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			o.RegisterFlags(fs)
			require.NoError(t, fs.Parse(tc.args))
			cfg, err := o.Config()
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantHost, cfg.Host)
			assert.Equal(t, tc.wantPort, cfg.Port)
			assert.Equal(t, tc.wantDB, cfg.Database)
			assert.Equal(t, tc.wantUser, cfg.User)
			assert.Equal(t, tc.wantPass, cfg.Password)
			assert.Equal(t, tc.wantTLS, cfg.TLSConfig != nil)
			assert.Equal(t, "flotilla-hook", cfg.RuntimeParams["application_name"])
		})
	}
}

// TestClassifyRealFaults provokes each fault against a real server and checks its class.
func TestClassifyRealFaults(t *testing.T) {
	s := pgtest.Require(t)
	db := s.NewDatabase(t)
	pwRole := s.CreateRole(t, db, "right-password")

	// A port that was just free and is now closed: connection refused.
	l, err := pgtest.ClosedPort()
	require.NoError(t, err)

	tests := []struct {
		name string
		url  string
		want pgconn.Kind
		msg  string // expected in Describe's message
	}{
		{name: "refused", url: "postgres://postgres@127.0.0.1:" + strconv.Itoa(l) + "/postgres?sslmode=disable", want: pgconn.Transient},
		{name: "dns does not resolve", url: "postgres://postgres@nonexistent.invalid:5432/postgres?sslmode=disable", want: pgconn.Transient},
		{name: "wrong password", url: s.URLFor(db, pwRole, "wrong"), want: pgconn.WrongPassword, msg: "wrong password"},
		{name: "unknown role", url: s.URLFor(db, "no_such_role_x", ""), want: pgconn.UnknownRole, msg: "does not exist"},
		{name: "missing database", url: s.URLFor("no_such_db_x", s.User, ""), want: pgconn.MissingDatabase, msg: `database "no_such_db_x" does not exist`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := pgx.ParseConfig(tc.url)
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			conn, err := pgx.ConnectConfig(ctx, cfg)
			if conn != nil {
				conn.Close(ctx)
			}
			require.Error(t, err)
			assert.Equal(t, tc.want.String(), pgconn.Classify(err).String(), "error: %v", err)
			if tc.msg != "" {
				assert.Contains(t, pgconn.Describe(err, cfg).Error(), tc.msg)
			}
		})
	}

	t.Run("privilege", func(t *testing.T) {
		role := s.CreateRole(t, db, "")
		conn, err := pgx.Connect(context.Background(), s.URLFor(db, role, ""))
		require.NoError(t, err)
		defer conn.Close(context.Background())
		_, err = conn.Exec(context.Background(), "CREATE SCHEMA nope")
		require.Error(t, err)
		assert.Equal(t, pgconn.Privilege, pgconn.Classify(err))
	})
}

func TestClassifyCertificateErrors(t *testing.T) {
	for name, err := range map[string]error{
		"unknown authority": fmt.Errorf("connect: %w", &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}),
		"wrong host":        fmt.Errorf("connect: %w", x509.HostnameError{Host: "db"}),
	} {
		assert.Equal(t, pgconn.TLSVerification, pgconn.Classify(err), name)
		assert.Contains(t, pgconn.Describe(err, &pgx.ConnConfig{Config: pgxconnpkg.Config{Host: "db"}}).Error(), "did not verify for host \"db\"", name)
	}
}
