package hookcli

import (
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/flotilla/flotilla/pkg/cachepruner"
)

// redisFlags name FlowMachine's Redis for the cache commands that remove entries or rebuild
// states. The environment variables are the ones FlowMachine's server reads.
type redisFlags struct {
	host         string
	port         int
	passwordFile string
	db           int
	dbID         string
	none         bool
}

func (r *redisFlags) register(fs *flag.FlagSet, optional bool) {
	fs.StringVar(&r.host, "redis-host", "", "FlowMachine's Redis host (env REDIS_HOST)")
	fs.IntVar(&r.port, "redis-port", 0, "FlowMachine's Redis port (env REDIS_PORT, default 6379)")
	fs.StringVar(&r.passwordFile, "redis-password-file", "", "read the Redis password from this file, e.g. a mounted Secret (overrides REDIS_PASSWORD)")
	fs.IntVar(&r.db, "redis-db", 0, "Redis database number (FlowMachine uses 0)")
	fs.StringVar(&r.dbID, "flowmachine-db-id", "", "FlowMachine's connection id, the infix of its Redis keys; default: md5 of this connection's host, port and database, "+
		"which matches when FlowMachine reaches FlowDB by the same host name, port and database")
	if optional {
		fs.BoolVar(&r.none, "no-redis", false, "do not keep FlowMachine's Redis query states in step (no FlowMachine, or resync later with cache resync-redis)")
	}
}

// states resolves the flags into FlowMachine's query states for the FlowDB of pg; nil with
// --no-redis. The caller closes the client.
func (r *redisFlags) states(pg *pgx.ConnConfig) (*cachepruner.QueryStates, error) {
	if r.none {
		return nil, nil
	}
	host := firstNonEmpty(r.host, os.Getenv("REDIS_HOST"))
	if host == "" {
		return nil, usageError{"FlowMachine's Redis is not configured: set --redis-host (or REDIS_HOST), or pass --no-redis to leave its query states alone"}
	}
	port := r.port
	if port == 0 {
		port = 6379
		if v := os.Getenv("REDIS_PORT"); v != "" {
			var err error
			if port, err = strconv.Atoi(v); err != nil {
				return nil, usageError{fmt.Sprintf("REDIS_PORT %q is not a port number", v)}
			}
		}
	}
	if port < 1 || port > 65535 {
		return nil, usageError{fmt.Sprintf("--redis-port %d is out of range: allowed 1 to 65535", port)}
	}
	if r.db < 0 || r.db > 15 {
		return nil, usageError{fmt.Sprintf("--redis-db %d is out of range: allowed 0 to 15", r.db)}
	}
	password := os.Getenv("REDIS_PASSWORD")
	if r.passwordFile != "" {
		b, err := os.ReadFile(r.passwordFile)
		if err != nil {
			return nil, usageError{fmt.Sprintf("read --redis-password-file: %v", err)}
		}
		password = strings.TrimRight(string(b), "\r\n")
	}
	id := r.dbID
	if id == "" {
		id = cachepruner.DBID(pg.Host, pg.Port, pg.Database)
	}
	client := redis.NewClient(&redis.Options{
		Addr: net.JoinHostPort(host, strconv.Itoa(port)), Password: password, DB: r.db,
		DialTimeout: 5 * time.Second, ClientName: "flotilla-hook",
	})
	return &cachepruner.QueryStates{Client: client, DBID: id}, nil
}

// closeStates closes the client states holds, if any.
func closeStates(q *cachepruner.QueryStates) {
	if q == nil {
		return
	}
	if c, ok := q.Client.(*redis.Client); ok {
		_ = c.Close()
	}
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
