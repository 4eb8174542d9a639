package hookcli

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/flotilla/flotilla/pkg/dbboot"
)

var dbGroup = group{
	name:  "db",
	about: "wait for a PostgreSQL database and create the extensions it needs",
	commands: []command{
		{
			name:     "wait",
			overview: "wait until the server accepts connections to the database",
			short:    "wait until PostgreSQL accepts connections and the database exists",
			setup:    dbWait,
		},
		{
			name:     "bootstrap",
			overview: "db wait, then CREATE EXTENSION IF NOT EXISTS each --extension",
			short:    "db wait, then create extensions (idempotent, advisory-locked)",
			setup:    dbBootstrap,
		},
	},
}

// extensionList is a repeatable --extension flag.
type extensionList struct {
	set  bool
	list []string
}

func (l *extensionList) String() string { return strings.Join(l.list, ",") }
func (l *extensionList) Set(v string) error {
	if !l.set {
		l.set, l.list = true, nil // the first use replaces the default
	}
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			l.list = append(l.list, x)
		}
	}
	return nil
}

func waitFlags(fs *flag.FlagSet) *dbboot.WaitOptions {
	o := &dbboot.WaitOptions{}
	fs.BoolVar(&o.RetryMissingDatabase, "retry-missing-database", false, "keep waiting while the database does not exist yet (bundled server still initialising); by default a missing database fails at once")
	fs.DurationVar(&o.MaxBackoff, "max-backoff", 5*time.Second, "longest pause between connection attempts (exponential backoff with jitter from 200ms)")
	return o
}

func dbWait(fs *flag.FlagSet) action {
	o := waitFlags(fs)
	return func(ctx context.Context, inv *invocation) (string, error) {
		conn, cfg, attempts, err := inv.connect(ctx, nil, *o)
		if err != nil {
			return "", err
		}
		defer conn.Close(context.Background())
		return fmt.Sprintf("database %q on %s is ready after %d attempt(s)", cfg.Database, cfg.Host, attempts), nil
	}
}

func dbBootstrap(fs *flag.FlagSet) action {
	o := waitFlags(fs)
	exts := &extensionList{list: []string{"uuid-ossp"}}
	fs.Var(exts, "extension", "extension to create if missing; repeatable or comma-separated (default uuid-ossp)")
	return func(ctx context.Context, inv *invocation) (string, error) {
		cfg, err := inv.conn.Config()
		if err != nil {
			return "", usageError{err.Error()}
		}
		o.Logger = inv.log
		res, err := dbboot.Bootstrap(ctx, cfg, exts.list, *o)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("database %q bootstrapped: %d extension(s) created [%s], %d already present [%s], %d connection attempt(s)",
			cfg.Database, len(res.Created), strings.Join(res.Created, ","), len(res.Present), strings.Join(res.Present, ","), res.Attempts), nil
	}
}
