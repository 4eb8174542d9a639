// Package pgconn builds PostgreSQL connection settings from command-line flags, the standard
// PG* environment variables and a mounted password file, and classifies connection errors
// into "retry", "fail now" and "missing privilege".
package pgconn

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5"
	pgxconn "github.com/jackc/pgx/v5/pgconn"
)

// Options are the connection flags. Empty fields fall back to the PG* environment variables
// (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE, PGSSLROOTCERT, PGSSLCERT,
// PGSSLKEY, PGCONNECT_TIMEOUT, PGAPPNAME, PGPASSFILE, …) as libpq does, then to libpq defaults.
type Options struct {
	Host         string
	Port         int
	Database     string
	User         string
	SSLMode      string
	SSLRootCert  string
	PasswordFile string
}

// RegisterFlags adds the connection flags to fs.
func (o *Options) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&o.Host, "host", "", "server host or unix socket directory (env PGHOST)")
	fs.IntVar(&o.Port, "port", 0, "server port (env PGPORT, default 5432)")
	fs.StringVar(&o.Database, "dbname", "", "target database (env PGDATABASE, default: the user name)")
	fs.StringVar(&o.User, "user", "", "role to connect as (env PGUSER)")
	fs.StringVar(&o.SSLMode, "sslmode", "", "disable|allow|prefer|require|verify-ca|verify-full (env PGSSLMODE, default prefer)")
	fs.StringVar(&o.SSLRootCert, "sslrootcert", "", "CA bundle to verify the server with (env PGSSLROOTCERT)")
	fs.StringVar(&o.PasswordFile, "password-file", "", "read the password from this file, e.g. a mounted Secret (overrides PGPASSWORD)")
}

// Config resolves the options and environment into a pgx connection config.
func (o Options) Config() (*pgx.ConnConfig, error) {
	var kv []string
	add := func(k, v string) {
		if v != "" {
			kv = append(kv, k+"="+quote(v))
		}
	}
	add("host", o.Host)
	if o.Port != 0 {
		add("port", strconv.Itoa(o.Port))
	}
	add("dbname", o.Database)
	add("user", o.User)
	add("sslmode", o.SSLMode)
	add("sslrootcert", o.SSLRootCert)
	if os.Getenv("PGAPPNAME") == "" {
		add("application_name", "flotilla-hook")
	}
	if o.PasswordFile != "" {
		b, err := os.ReadFile(o.PasswordFile)
		if err != nil {
			return nil, fmt.Errorf("read password file: %w", err)
		}
		// Secrets written by hand often end with a newline that is not part of the password.
		add("password", strings.TrimRight(string(b), "\r\n"))
	}
	cfg, err := pgx.ParseConfig(strings.Join(kv, " "))
	if err != nil {
		return nil, fmt.Errorf("connection settings: %w", err)
	}
	return cfg, nil
}

// quote renders a value for a libpq keyword/value connection string.
func quote(v string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}

// Kind says how a caller should react to an error.
type Kind int

const (
	// Other errors are neither retried nor explained.
	Other Kind = iota
	// Transient errors (refused, unreachable, DNS, server starting up) are retried.
	Transient
	// WrongPassword: authentication failed (PostgreSQL does not say whether the role exists).
	WrongPassword
	// UnknownRole: the role does not exist or may not log in.
	UnknownRole
	// MissingDatabase: the target database does not exist.
	MissingDatabase
	// Privilege: the role lacks a privilege for the statement.
	Privilege
	// TLSVerification: the server's certificate did not verify (unknown CA, wrong host name,
	// expired); retrying cannot fix it.
	TLSVerification
)

func (k Kind) String() string {
	return [...]string{"other", "transient", "wrong password", "unknown role", "missing database", "missing privilege", "certificate verification"}[k]
}

// Classify sorts an error from connecting or querying.
func Classify(err error) Kind {
	if err == nil {
		return Other
	}
	var verr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	if errors.As(err, &verr) || errors.As(err, &unknownCA) || errors.As(err, &hostErr) || errors.As(err, &invalid) {
		return TLSVerification
	}
	var pgErr *pgxconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == "28P01":
			return WrongPassword
		case pgErr.Code == "28000":
			// Also "no pg_hba.conf entry"; both are configuration errors that retrying won't fix.
			return UnknownRole
		case pgErr.Code == "3D000":
			return MissingDatabase
		case pgErr.Code == "42501":
			return Privilege
		case pgErr.Code == "57P03", pgErr.Code == "53300", pgErr.Code == "57P01",
			strings.HasPrefix(pgErr.Code, "08"):
			// cannot_connect_now (starting up, recovery), too_many_connections, admin_shutdown.
			return Transient
		}
		return Other
	}
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.As(err, &dnsErr), errors.As(err, &opErr),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return Transient
	}
	var timeout interface{ Timeout() bool }
	if errors.As(err, &timeout) && timeout.Timeout() {
		return Transient
	}
	return Other
}

// Describe wraps a connection error with a sentence saying which setting is wrong.
func Describe(err error, cfg *pgx.ConnConfig) error {
	switch Classify(err) {
	case WrongPassword:
		return fmt.Errorf("password authentication failed for role %q: wrong password, or the role does not exist (check PGPASSWORD/--password-file and PGUSER/--user): %w", cfg.User, err)
	case UnknownRole:
		return fmt.Errorf("role %q is rejected by the server (the role does not exist, may not log in, or pg_hba.conf has no entry for it; check PGUSER/--user): %w", cfg.User, err)
	case MissingDatabase:
		return fmt.Errorf("database %q does not exist (check PGDATABASE/--dbname, or create it first): %w", cfg.Database, err)
	case TLSVerification:
		return fmt.Errorf("the server's TLS certificate did not verify for host %q (sslmode verify-full against PGSSLROOTCERT/--sslrootcert): "+
			"the CA given is not the one that signed the server's certificate, or the certificate does not name that host; the application verifies the same way and would fail too: %w", cfg.Host, err)
	}
	return err
}

// Target names the server and database for messages, without credentials.
func Target(cfg *pgx.ConnConfig) string {
	return fmt.Sprintf("%s@%s/%s", cfg.User, net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))), cfg.Database)
}
