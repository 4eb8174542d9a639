package hookcli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/flotilla/flotilla/pkg/pgtest"
	"github.com/flotilla/flotilla/pkg/redistest"
)

func TestMain(m *testing.M) { os.Exit(redistest.Run(func() int { return pgtest.Run(m) })) }

// clearPGEnv isolates a test from the caller's PG* variables.
func clearPGEnv(t *testing.T) {
	for _, k := range []string{"PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "PGSSLMODE", "PGSSLROOTCERT", "PGPASSFILE", "PGSERVICE", "PGAPPNAME", "PGCONNECT_TIMEOUT"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
}

func setPGEnv(t *testing.T, s *pgtest.Server, db, user string) {
	clearPGEnv(t)
	t.Setenv("PGHOST", s.Host)
	t.Setenv("PGPORT", strconv.Itoa(s.Port))
	t.Setenv("PGDATABASE", db)
	t.Setenv("PGUSER", user)
	t.Setenv("PGSSLMODE", "disable")
}

// jsonLogs parses stderr written with --log-format json.
func jsonLogs(t *testing.T, stderr string) []map[string]any {
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(stderr))
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), "log line is not JSON: %s", sc.Text())
		out = append(out, m)
	}
	return out
}

// wantOverview is "flotilla-hook --help"; the overview is assembled from groups, and must not
// drift when a group is added or reordered by mistake.
const wantOverview = `flotilla-hook: PostgreSQL bootstrap, FlowKit cache pruning, backups to S3, generated Secrets and the status endpoint for Flotilla's charts.

Usage:
  flotilla-hook db wait        [flags]   wait until the server accepts connections to the database
  flotilla-hook db bootstrap   [flags]   db wait, then CREATE EXTENSION IF NOT EXISTS each --extension
  flotilla-hook cache status   [flags]   entries, size, limit and the lowest-scored entries
  flotilla-hook cache prune    [flags]   shrink the FlowDB cache below its limit, lowest score first
  flotilla-hook cache invalidate QUERY_ID [flags]   remove one entry (--cascade: and its dependents)
  flotilla-hook cache resync-redis [flags]   rebuild FlowMachine's Redis query states from cache.cached
  flotilla-hook backup create  [flags]   stream pg_dump -Fc to S3, write its manifest, apply retention
  flotilla-hook backup list    [flags]   the backups of a release's database, newest first
  flotilla-hook backup restore [flags]   verify a backup's sha256, then pg_restore it into an empty database
  flotilla-hook backup stage   DIR [flags]   copy this binary into DIR (an emptyDir the postgres container runs it from)
  flotilla-hook kube recreate-statefulset [flags]   delete each --statefulset whose serviceName differs, keeping its pods and claims
  flotilla-hook status serve   [flags]   serve the health of apps, PostgreSQL, Redis and S3 over HTTP (200/500, JSON)
  flotilla-hook secrets ensure [flags]   create each missing --secret with random values; add only missing keys; never change a value

Connection settings come from the flags and the standard PG* environment variables (PGHOST,
PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE, PGSSLROOTCERT, PGPASSFILE, ...); flags win.
FlowMachine's Redis (cache prune, invalidate, resync-redis): --redis-host/REDIS_HOST,
--redis-port/REDIS_PORT, --redis-password-file/REDIS_PASSWORD, or --no-redis.
Run "flotilla-hook <group> <command> --help" for a command's flags.

Exit codes: 0 success, 1 failure, 2 usage, 3 unreachable until --timeout (or timed out),
4 rejected (wrong password, unknown role, missing database; S3 credentials or bucket), 5 missing privilege (or RBAC).
`

// TestHelpAndMistakes covers what needs no database: --help at every level prints help on
// stdout with exit 0; a mistake exits 2 with the reason (and usage) on stderr.
func TestHelpAndMistakes(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string // nothing on stdout when empty
		wantStderr []string // nothing on stderr when empty
		notStdout  string   // another level's help must not leak in
	}{
		{name: "no arguments", args: nil, wantCode: 2, wantStdout: []string{wantOverview}},
		{name: "top", args: []string{"--help"}, wantStdout: []string{wantOverview}},
		{name: "top -h", args: []string{"-h"}, wantStdout: []string{wantOverview}},
		{name: "top help", args: []string{"help"}, wantStdout: []string{wantOverview}},
		{name: "group", args: []string{"cache", "--help"}, notStdout: "db wait",
			wantStdout: []string{"flotilla-hook cache status   [flags]", "flotilla-hook cache invalidate QUERY_ID [flags]", `Run "flotilla-hook cache <command> --help"`}},
		{name: "group -h", args: []string{"db", "-h"}, notStdout: "cache prune",
			wantStdout: []string{"flotilla-hook db wait        [flags]", "flotilla-hook db bootstrap   [flags]"}},
		{name: "group help", args: []string{"db", "help"}, wantStdout: []string{"flotilla-hook db bootstrap"}},
		{name: "command", args: []string{"cache", "prune", "--help"}, notStdout: "-lowest",
			wantStdout: []string{"Usage: flotilla-hook cache prune [flags]\n  shrink the FlowDB cache below its size limit\n\nFlags:\n", "-max-size string", "-timeout duration", "-password-file string"}},
		{name: "command -h", args: []string{"db", "bootstrap", "-h"}, wantStdout: []string{"Usage: flotilla-hook db bootstrap [flags]", "-extension value"}},
		{name: "command help after positional", args: []string{"cache", "invalidate", "q1", "--help"}, wantStdout: []string{"Usage: flotilla-hook cache invalidate [flags]"}},

		{name: "group without command", args: []string{"cache"}, wantCode: 2, wantStderr: []string{"flotilla-hook: unknown command \"cache\"\n\n" + wantOverview}},
		{name: "unknown group", args: []string{"nope", "x", "y"}, wantCode: 2, wantStderr: []string{`unknown command "nope x"`}},
		{name: "unknown flag", args: []string{"cache", "prune", "--nope"}, wantCode: 2, wantStderr: []string{"flag provided but not defined: -nope\nUsage: flotilla-hook cache prune [flags]", "-batch-size int"}},
		{name: "bad flag value", args: []string{"db", "wait", "--timeout", "x"}, wantCode: 2, wantStderr: []string{`invalid value "x" for flag -timeout`, "Usage: flotilla-hook db wait [flags]"}},
		{name: "log level", args: []string{"db", "wait", "--log-level", "loud"}, wantCode: 2, wantStderr: []string{"flotilla-hook: --log-level: slog: level string \"loud\": unknown name\n"}},
		{name: "log format", args: []string{"db", "wait", "--log-format", "xml"}, wantCode: 2, wantStderr: []string{"flotilla-hook: --log-format must be text or json, not \"xml\"\n"}},
		{name: "stray argument", args: []string{"db", "wait", "extra"}, wantCode: 2, wantStderr: []string{"flotilla-hook db wait: db wait takes no arguments\n"}},
		{name: "missing argument", args: []string{"cache", "invalidate"}, wantCode: 2, wantStderr: []string{"flotilla-hook cache invalidate: cache invalidate takes exactly one QUERY_ID\n"}},
		{name: "bad size", args: []string{"cache", "prune", "--max-size", "lots"}, wantCode: 2, wantStderr: []string{"flotilla-hook cache prune: --max-size: not a size in bytes: \"lots\"\n"}},
		{name: "secrets without --secret", args: []string{"secrets", "ensure"}, wantCode: 2, wantStderr: []string{"flotilla-hook secrets ensure: --secret: give at least one NAME:KEY=SHAPE\n"}},
		{name: "bad secret spec", args: []string{"secrets", "ensure", "--secret", "rel-auth:k=placeholder"}, wantCode: 2,
			wantStderr: []string{`flotilla-hook secrets ensure: --secret Secret rel-auth key k: unknown shape "placeholder": allowed random:N, fernet, rsa-private-key, rsa-public-key`}},
		{name: "bad label", args: []string{"secrets", "ensure", "--secret", "rel-auth:k=fernet", "--label", "nolabel"}, wantCode: 2, wantStderr: []string{`--label "nolabel": want KEY=VALUE`}},
		{name: "secrets help", args: []string{"secrets", "ensure", "--help"}, wantStdout: []string{"Usage: flotilla-hook secrets ensure [flags]", "-secret value", "-kubeconfig string"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			assert.Equal(t, tc.wantCode, Run(context.Background(), tc.args, &stdout, &stderr))
			for _, out := range []struct {
				got  string
				want []string
			}{{stdout.String(), tc.wantStdout}, {stderr.String(), tc.wantStderr}} {
				if len(out.want) == 0 {
					assert.Empty(t, out.got)
				}
				for _, want := range out.want {
					assert.Contains(t, out.got, want)
				}
			}
			if tc.notStdout != "" {
				assert.NotContains(t, stdout.String(), tc.notStdout)
			}
		})
	}
}

// RBAC refusing the secrets hook is a missing privilege (exit 5), like a missing GRANT.
func TestForbiddenIsPrivilege(t *testing.T) {
	err := fmt.Errorf("get Secret x: %w", apierrors.NewForbidden(schema.GroupResource{Resource: "secrets"}, "x", nil))
	assert.Equal(t, exitPrivilege, exitCode(err))
}
