package statusserver

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/redis/go-redis/v9"

	"github.com/flotilla/flotilla/pkg/pgconn"
)

// HTTPCheck is healthy when GET url answers 2xx or 3xx (redirects are not followed: a login
// page elsewhere is still an answer from the app).
func HTTPCheck(name, rawURL string) (Check, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Check{}, fmt.Errorf("%s: %q is not an http(s):// URL", name, rawURL)
	}
	if u.User != nil {
		return Check{}, fmt.Errorf("%s: the URL must not carry credentials", name)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return Check{Name: name, Kind: "http", Run: func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return err
		}
		req.Header.Set("User-Agent", "flotilla-hook-status")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		if resp.StatusCode >= 400 {
			return fmt.Errorf("GET %s: %s", u.Redacted(), resp.Status)
		}
		return nil
	}}, nil
}

// TCPCheck is healthy when host:port accepts a TCP connection (components that speak no HTTP,
// such as FlowMachine's ZeroMQ port).
func TCPCheck(name, addr string) (Check, error) {
	host, port, err := net.SplitHostPort(addr)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || host == "" || n < 1 || n > 65535 {
		return Check{}, fmt.Errorf("%s: %q is not host:port with a port from 1 to 65535", name, addr)
	}
	return Check{Name: name, Kind: "tcp", Run: func(ctx context.Context) error {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return err
		}
		return c.Close()
	}}, nil
}

// Postgres is a PostgreSQL check's connection; the password is read from PasswordFile on every
// check, so a rotated Secret is used without a restart. URLFile instead holds a whole
// connection URL (postgres://user:password@host/db), as apps configured with DATABASE_URL have.
type Postgres struct {
	Host, Database, User, SSLMode, SSLRootCert, PasswordFile string
	Port                                                     int
	URLFile                                                  string
}

// PostgresCheck connects and runs SELECT 1.
func PostgresCheck(name string, p Postgres) (Check, error) {
	if p.URLFile != "" {
		if p.Host != "" || p.Database != "" || p.User != "" || p.PasswordFile != "" {
			return Check{}, fmt.Errorf("%s: url-file holds the whole connection: drop host, dbname, user and password-file", name)
		}
		return Check{Name: name, Kind: "postgres", Run: func(ctx context.Context) error {
			raw, err := readSecretFile(p.URLFile)
			if err != nil {
				return err
			}
			cfg, err := pgx.ParseConfig(raw)
			if err != nil {
				return errors.New("the connection URL in url-file does not parse") // its text holds the password
			}
			return Scrub(ping(ctx, cfg), cfg.Password, raw)
		}}, nil
	}
	if p.Host == "" || p.Database == "" || p.User == "" {
		return Check{}, fmt.Errorf("%s: host, dbname and user are required (or url-file)", name)
	}
	if p.Port < 0 || p.Port > 65535 {
		return Check{}, fmt.Errorf("%s: port %d is out of range: allowed 1 to 65535", name, p.Port)
	}
	opts := pgconn.Options{Host: p.Host, Port: p.Port, Database: p.Database, User: p.User, SSLMode: p.SSLMode, SSLRootCert: p.SSLRootCert, PasswordFile: p.PasswordFile}
	return Check{Name: name, Kind: "postgres", Run: func(ctx context.Context) error {
		cfg, err := opts.Config()
		if err != nil {
			return err
		}
		return Scrub(ping(ctx, cfg), cfg.Password)
	}}, nil
}

func ping(ctx context.Context, cfg *pgx.ConnConfig) error {
	if dl, ok := ctx.Deadline(); ok {
		cfg.ConnectTimeout = time.Until(dl)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return pgconn.Describe(err, cfg)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var one int
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("SELECT 1 on %s: %w", pgconn.Target(cfg), err)
	}
	return nil
}

// Redis is a Redis check's connection; the password is read from PasswordFile on every check.
type Redis struct {
	Host, Username, PasswordFile string
	Port, DB                     int
	TLS                          bool
	CAFile, CertFile, KeyFile    string
}

// RedisCheck connects (authenticating as the app does) and sends PING.
func RedisCheck(name string, r Redis) (Check, error) {
	switch {
	case r.Host == "":
		return Check{}, fmt.Errorf("%s: host is required", name)
	case r.Port < 1 || r.Port > 65535:
		return Check{}, fmt.Errorf("%s: port %d is out of range: allowed 1 to 65535", name, r.Port)
	case r.DB < 0 || r.DB > 15:
		return Check{}, fmt.Errorf("%s: db %d is out of range: allowed 0 to 15", name, r.DB)
	case (r.CAFile != "" || r.CertFile != "") && !r.TLS:
		return Check{}, fmt.Errorf("%s: ca-file and cert-file need tls=true", name)
	case (r.CertFile == "") != (r.KeyFile == ""):
		return Check{}, fmt.Errorf("%s: cert-file and key-file go together", name)
	}
	addr := net.JoinHostPort(r.Host, strconv.Itoa(r.Port))
	return Check{Name: name, Kind: "redis", Run: func(ctx context.Context) error {
		password, err := readSecretFile(r.PasswordFile)
		if err != nil {
			return err
		}
		o := &redis.Options{Addr: addr, Username: r.Username, Password: password, DB: r.DB, ClientName: "flotilla-status",
			MaxRetries: -1, PoolSize: 1, DisableIdentity: true}
		if dl, ok := ctx.Deadline(); ok {
			o.DialTimeout = time.Until(dl)
		}
		if r.TLS {
			if o.TLSConfig, err = tlsConfig(r.Host, r.CAFile, r.CertFile, r.KeyFile); err != nil {
				return err
			}
		}
		c := redis.NewClient(o)
		defer c.Close()
		if err := c.Ping(ctx).Err(); err != nil {
			return Scrub(fmt.Errorf("PING %s: %w", addr, err), password)
		}
		return nil
	}}, nil
}

// S3 is an S3 check's bucket. Credentials come from the two files (read on every check), else
// from AWS_*/MINIO_* variables and IAM (IRSA, instance roles).
type S3 struct {
	Endpoint, Region, Bucket, CAFile     string
	ForcePathStyle                       bool
	AccessKeyIDFile, SecretAccessKeyFile string
}

// S3Check asks whether the bucket exists (HEAD bucket): endpoint reachable, credentials
// accepted, bucket present.
func S3Check(name string, s S3) (Check, error) {
	if s.Bucket == "" {
		return Check{}, fmt.Errorf("%s: bucket is required", name)
	}
	if (s.AccessKeyIDFile == "") != (s.SecretAccessKeyFile == "") {
		return Check{}, fmt.Errorf("%s: access-key-id-file and secret-access-key-file go together", name)
	}
	host, secure := "s3.amazonaws.com", true
	if s.Endpoint != "" {
		u, err := url.Parse(s.Endpoint)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || (u.Path != "" && u.Path != "/") {
			return Check{}, fmt.Errorf("%s: endpoint %q: want http(s)://host[:port]", name, s.Endpoint)
		}
		host, secure = u.Host, u.Scheme == "https"
	}
	tr, err := minio.DefaultTransport(secure)
	if err != nil {
		return Check{}, err
	}
	if s.CAFile != "" {
		if tr.TLSClientConfig, err = tlsConfig("", s.CAFile, "", ""); err != nil {
			return Check{}, fmt.Errorf("%s: %w", name, err)
		}
	}
	var creds *credentials.Credentials
	if s.AccessKeyIDFile != "" {
		creds = credentials.New(&filesProvider{id: s.AccessKeyIDFile, secret: s.SecretAccessKeyFile})
	} else {
		creds = credentials.NewChainCredentials([]credentials.Provider{
			&credentials.EnvAWS{}, &credentials.EnvMinio{}, &credentials.IAM{Client: &http.Client{Transport: tr}},
		})
	}
	lookup := minio.BucketLookupAuto
	if s.ForcePathStyle {
		lookup = minio.BucketLookupPath
	}
	region := s.Region
	if region == "" {
		region = "us-east-1"
	}
	cl, err := minio.New(host, &minio.Options{Creds: creds, Secure: secure, Region: region, BucketLookup: lookup, Transport: tr, MaxRetries: 1})
	if err != nil {
		return Check{}, fmt.Errorf("%s: s3 client: %w", name, err)
	}
	where := host + "/" + s.Bucket
	return Check{Name: name, Kind: "s3", Run: func(ctx context.Context) error {
		ok, err := cl.BucketExists(ctx, s.Bucket)
		if err != nil {
			if code := minio.ToErrorResponse(err).Code; code != "" {
				return fmt.Errorf("s3 %s: %s (%s)", where, code, minio.ToErrorResponse(err).Message)
			}
			secret, _ := readSecretFile(s.SecretAccessKeyFile)
			return Scrub(fmt.Errorf("s3 %s: %w", where, err), secret)
		}
		if !ok {
			return fmt.Errorf("s3 %s: bucket %q does not exist", where, s.Bucket)
		}
		return nil
	}}, nil
}

// filesProvider reads S3 keys from two files on every request, so a rotated Secret is used at once.
type filesProvider struct {
	id, secret string
}

func (f *filesProvider) Retrieve() (credentials.Value, error) {
	id, err := readSecretFile(f.id)
	if err != nil {
		return credentials.Value{}, err
	}
	secret, err := readSecretFile(f.secret)
	if err != nil {
		return credentials.Value{}, err
	}
	return credentials.Value{AccessKeyID: id, SecretAccessKey: secret, SignerType: credentials.SignatureV4}, nil
}

func (f *filesProvider) RetrieveWithCredContext(*credentials.CredContext) (credentials.Value, error) {
	return f.Retrieve()
}

func (f *filesProvider) IsExpired() bool { return true }

// readSecretFile reads a mounted Secret's value ("" for no file), without the newline a
// hand-written Secret often ends with.
func readSecretFile(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read secret file: %w", err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

func tlsConfig(serverName, caFile, certFile, keyFile string) (*tls.Config, error) {
	c := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: serverName}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("read CA file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s: no PEM certificate in it", caFile)
		}
		c.RootCAs = pool
	}
	if certFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("client certificate: %w", err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	return c, nil
}

// Scrub replaces every secret in err's text by [redacted]: a check's error goes into the
// response body and the logs.
func Scrub(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	changed := false
	for _, s := range secrets {
		if len(s) >= 4 && strings.Contains(msg, s) {
			msg, changed = strings.ReplaceAll(msg, s, "[redacted]"), true
		}
	}
	if !changed {
		return err
	}
	return errors.New(msg)
}
