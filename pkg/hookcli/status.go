package hookcli

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/flotilla/flotilla/pkg/statusserver"
)

var statusGroup = group{
	name:  "status",
	about: "serve the health of every component of a release over HTTP (200 or 500, with JSON)",
	commands: []command{
		{
			name:     "serve",
			overview: "serve the health of apps, PostgreSQL, Redis and S3 over HTTP (200/500, JSON)",
			short: "serve GET / with the health of every component given by --http, --postgres, --redis and --s3: 200 when all are healthy, else 500, " +
				"with JSON naming each one; requests from outside private networks need ?key= (one of --keys-file/--keys-env, comma-separated). " +
				"Runs until SIGTERM (--timeout does not apply)",
			setup: statusServe,
			serve: true,
		},
	},
}

// checkName is what a component may be called: it is a JSON value and a log field.
var checkName = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$`)

// checkList collects the checks of the repeatable --http/--postgres/--redis/--s3 flags.
type checkList struct {
	checks []statusserver.Check
	names  map[string]bool
}

func (l *checkList) add(c statusserver.Check) error {
	if l.names[c.Name] {
		return fmt.Errorf("component %q is named twice", c.Name)
	}
	if l.names == nil {
		l.names = map[string]bool{}
	}
	l.names[c.Name] = true
	l.checks = append(l.checks, c)
	return nil
}

// checkFlag is one repeatable check flag; parse turns its value into a check.
type checkFlag struct {
	list  *checkList
	parse func(string) (statusserver.Check, error)
}

func (f checkFlag) String() string { return "" }
func (f checkFlag) Set(v string) error {
	c, err := f.parse(v)
	if err != nil {
		return err
	}
	return f.list.add(c)
}

// spec parses "NAME:key=value,key=value" against the keys allowed.
func spec(v string, allowed ...string) (string, map[string]string, error) {
	name, rest, ok := strings.Cut(v, ":")
	if !ok || !checkName.MatchString(name) {
		return "", nil, fmt.Errorf("want NAME:key=value,... with NAME of lower-case letters, digits, '.' and '-', got %q", v)
	}
	kv := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		k, val, ok := strings.Cut(part, "=")
		if !ok || !contains(allowed, k) {
			return "", nil, fmt.Errorf("%s: %q is not key=value with a key among %s", name, part, strings.Join(allowed, ", "))
		}
		kv[k] = val
	}
	return name, kv, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func intKey(name string, kv map[string]string, key string, def int) (int, error) {
	v, ok := kv[key]
	if !ok || v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%s: %s=%q is not a number", name, key, v)
	}
	return n, nil
}

func boolKey(name string, kv map[string]string, key string) (bool, error) {
	v, ok := kv[key]
	if !ok || v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s: %s=%q is not true or false", name, key, v)
	}
	return b, nil
}

func parseHTTPCheck(v string) (statusserver.Check, error) {
	name, u, ok := strings.Cut(v, "=")
	if !ok || !checkName.MatchString(name) {
		return statusserver.Check{}, fmt.Errorf("want NAME=URL with NAME of lower-case letters, digits, '.' and '-', got %q", v)
	}
	return statusserver.HTTPCheck(name, u)
}

func parseTCPCheck(v string) (statusserver.Check, error) {
	name, addr, ok := strings.Cut(v, "=")
	if !ok || !checkName.MatchString(name) {
		return statusserver.Check{}, fmt.Errorf("want NAME=HOST:PORT with NAME of lower-case letters, digits, '.' and '-', got %q", v)
	}
	return statusserver.TCPCheck(name, addr)
}

func parsePostgresCheck(v string) (statusserver.Check, error) {
	name, kv, err := spec(v, "host", "port", "dbname", "user", "sslmode", "sslrootcert", "password-file", "url-file")
	if err != nil {
		return statusserver.Check{}, err
	}
	port, err := intKey(name, kv, "port", 5432)
	if err != nil {
		return statusserver.Check{}, err
	}
	if port < 1 || port > 65535 {
		return statusserver.Check{}, fmt.Errorf("%s: port %d is out of range: allowed 1 to 65535", name, port)
	}
	return statusserver.PostgresCheck(name, statusserver.Postgres{Host: kv["host"], Port: port, Database: kv["dbname"], User: kv["user"],
		SSLMode: kv["sslmode"], SSLRootCert: kv["sslrootcert"], PasswordFile: kv["password-file"], URLFile: kv["url-file"]})
}

func parseRedisCheck(v string) (statusserver.Check, error) {
	name, kv, err := spec(v, "host", "port", "username", "password-file", "db", "tls", "ca-file", "cert-file", "key-file")
	if err != nil {
		return statusserver.Check{}, err
	}
	r := statusserver.Redis{Host: kv["host"], Username: kv["username"], PasswordFile: kv["password-file"], CAFile: kv["ca-file"], CertFile: kv["cert-file"], KeyFile: kv["key-file"]}
	if r.Port, err = intKey(name, kv, "port", 6379); err != nil {
		return statusserver.Check{}, err
	}
	if r.DB, err = intKey(name, kv, "db", 0); err != nil {
		return statusserver.Check{}, err
	}
	if r.TLS, err = boolKey(name, kv, "tls"); err != nil {
		return statusserver.Check{}, err
	}
	return statusserver.RedisCheck(name, r)
}

func parseS3Check(v string) (statusserver.Check, error) {
	name, kv, err := spec(v, "bucket", "endpoint", "region", "path-style", "ca-file", "access-key-id-file", "secret-access-key-file")
	if err != nil {
		return statusserver.Check{}, err
	}
	s := statusserver.S3{Bucket: kv["bucket"], Endpoint: kv["endpoint"], Region: kv["region"], CAFile: kv["ca-file"],
		AccessKeyIDFile: kv["access-key-id-file"], SecretAccessKeyFile: kv["secret-access-key-file"]}
	if s.ForcePathStyle, err = boolKey(name, kv, "path-style"); err != nil {
		return statusserver.Check{}, err
	}
	return statusserver.S3Check(name, s)
}

// cidrList is the repeatable, comma-separated --trusted-proxies flag.
type cidrList []netip.Prefix

func (c *cidrList) String() string {
	var s []string
	for _, p := range *c {
		s = append(s, p.String())
	}
	return strings.Join(s, ",")
}

func (c *cidrList) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			a, aerr := netip.ParseAddr(part)
			if aerr != nil {
				return fmt.Errorf("%q is not a CIDR (10.0.0.0/8) or an address", part)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		*c = append(*c, p.Masked())
	}
	return nil
}

func statusServe(fs *flag.FlagSet) action {
	checks := &checkList{}
	listen := fs.String("listen", ":8080", "address to serve on, [host]:port")
	fs.Var(checkFlag{checks, parseHTTPCheck}, "http", "app component answering GET with 2xx/3xx: NAME=URL (repeatable), e.g. flowise=http://flowise:3000/api/v1/ping")
	fs.Var(checkFlag{checks, parseTCPCheck}, "tcp", "component accepting TCP connections: NAME=HOST:PORT (repeatable), e.g. flowmachine=flowkit-flowmachine:5555")
	fs.Var(checkFlag{checks, parsePostgresCheck}, "postgres", "PostgreSQL database (repeatable): NAME:host=H,port=5432,dbname=D,user=U[,sslmode=M][,sslrootcert=FILE][,password-file=FILE], "+
		"or NAME:url-file=FILE (a file holding a postgres:// URL)")
	fs.Var(checkFlag{checks, parseRedisCheck}, "redis", "Redis (repeatable): NAME:host=H[,port=6379][,username=U][,password-file=FILE][,db=0][,tls=true][,ca-file=FILE][,cert-file=FILE,key-file=FILE]")
	fs.Var(checkFlag{checks, parseS3Check}, "s3", "S3 bucket (repeatable): NAME:bucket=B[,endpoint=URL][,region=R][,path-style=true][,ca-file=FILE]"+
		"[,access-key-id-file=FILE,secret-access-key-file=FILE] (without key files: AWS_* variables or IAM)")
	keysFile := fs.String("keys-file", "", "file with the accepted keys, comma-separated (a mounted Secret: re-read on every request, so a rotated Secret applies without a restart)")
	keysEnv := fs.String("keys-env", "", "environment variable with the accepted keys, comma-separated (read per request, but a pod's environment only changes on restart)")
	proxies := &cidrList{}
	fs.Var(proxies, "trusted-proxies", "CIDRs of proxies whose X-Forwarded-For is believed (comma-separated, repeatable); default: none, the header is ignored")
	checkTimeout := fs.Duration("check-timeout", 5*time.Second, "timeout of each check (100ms to 60s); checks run concurrently")
	grace := fs.Duration("shutdown-grace", 10*time.Second, "on SIGTERM, how long requests under way may finish (0 to 5m)")
	return func(ctx context.Context, inv *invocation) (string, error) {
		switch {
		case len(checks.checks) == 0:
			return "", usageError{"nothing to check: give at least one --http, --tcp, --postgres, --redis or --s3"}
		case *checkTimeout < 100*time.Millisecond || *checkTimeout > time.Minute:
			return "", usageError{fmt.Sprintf("--check-timeout %s is out of range: allowed 100ms to 1m0s", *checkTimeout)}
		case *grace < 0 || *grace > 5*time.Minute:
			return "", usageError{fmt.Sprintf("--shutdown-grace %s is out of range: allowed 0s to 5m0s", *grace)}
		case *keysFile == "" && *keysEnv == "":
			return "", usageError{"set --keys-file or --keys-env: requests from outside private networks need a key"}
		}
		host, port, err := net.SplitHostPort(*listen)
		if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
			return "", usageError{fmt.Sprintf("--listen %q: want [host]:port with a port from 0 to 65535", *listen)}
		}
		keys := statusserver.Keys{File: *keysFile, Env: *keysEnv}
		if k, err := keys.Load(); err != nil {
			return "", usageError{fmt.Sprintf("--keys-file: %v", err)}
		} else if len(k) == 0 {
			inv.log.Warn("no status key is set yet: requests from outside private networks are refused until one is")
		}
		srv := statusserver.New(statusserver.Config{Checks: checks.checks, CheckTimeout: *checkTimeout, Keys: keys, TrustedProxies: *proxies, Logger: inv.log})
		ln, err := net.Listen("tcp", net.JoinHostPort(host, port))
		if err != nil {
			return "", fmt.Errorf("listen on %s: %w", *listen, err)
		}
		var names []string
		for _, c := range checks.checks {
			names = append(names, c.Kind+"/"+c.Name)
		}
		inv.log.Info("serving the status endpoint", "addr", ln.Addr().String(), "checks", strings.Join(names, ","), "trusted_proxies", proxies.String())
		if err := statusserver.Serve(ctx, ln, srv, *checkTimeout+10*time.Second, *grace, inv.log); err != nil {
			return "", err
		}
		return fmt.Sprintf("served %d status request(s) on %s until shutdown", srv.Requests(), ln.Addr()), nil
	}
}
