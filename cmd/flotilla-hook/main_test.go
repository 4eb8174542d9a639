package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/cachepruner/flowdbtest"
	"github.com/flotilla/flotilla/pkg/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

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

func TestDBCommands(t *testing.T) {
	s := pgtest.Require(t)
	db := s.NewDatabase(t)
	pwRole := s.CreateRole(t, db, "secret")
	plain := s.CreateRole(t, db, "")
	pwFile := filepath.Join(t.TempDir(), "password")
	require.NoError(t, os.WriteFile(pwFile, []byte("secret\n"), 0o600))
	closed, err := pgtest.ClosedPort()
	require.NoError(t, err)

	tests := []struct {
		name     string
		user     string
		env      map[string]string
		args     []string
		wantCode int
		wantLog  string // in the last log record's message
	}{
		{name: "wait ready", user: s.User, args: []string{"db", "wait"}, wantCode: 0, wantLog: "is ready after 1 attempt"},
		{name: "wait with password file", user: pwRole, args: []string{"db", "wait", "--password-file", pwFile}, wantCode: 0, wantLog: "is ready"},
		{name: "wait refused until timeout", user: s.User, args: []string{"db", "wait", "--port", strconv.Itoa(closed), "--timeout", "1200ms"}, wantCode: 3, wantLog: "connection refused"},
		{name: "wait DNS until timeout", user: s.User, args: []string{"db", "wait", "--host", "nonexistent.invalid", "--timeout", "1200ms"}, wantCode: 3, wantLog: "nonexistent.invalid"},
		{name: "wrong password", user: pwRole, env: map[string]string{"PGPASSWORD": "nope"}, args: []string{"db", "wait"}, wantCode: 4, wantLog: "wrong password"},
		{name: "unknown role", user: "ghost", args: []string{"db", "bootstrap"}, wantCode: 4, wantLog: `role "ghost"`},
		{name: "missing database", user: s.User, args: []string{"db", "bootstrap", "--dbname", "ghost_db"}, wantCode: 4, wantLog: `database "ghost_db" does not exist`},
		{name: "bootstrap unprivileged", user: plain, args: []string{"db", "bootstrap"}, wantCode: 5, wantLog: "GRANT CREATE ON DATABASE"},
		{name: "bootstrap", user: s.User, args: []string{"db", "bootstrap", "--extension", "uuid-ossp,pgcrypto"}, wantCode: 0, wantLog: "2 extension(s) created [uuid-ossp,pgcrypto]"},
		{name: "bootstrap again", user: s.User, args: []string{"db", "bootstrap", "--extension", "uuid-ossp", "--extension", "pgcrypto"}, wantCode: 0, wantLog: "0 extension(s) created [], 2 already present"},
		{name: "unknown flag", user: s.User, args: []string{"db", "wait", "--nope"}, wantCode: 2},
		{name: "unknown command", user: s.User, args: []string{"db", "drop"}, wantCode: 2},
		{name: "help", user: s.User, args: []string{"db", "bootstrap", "--help"}, wantCode: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			setPGEnv(t, s, db, tc.user)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var stdout, stderr bytes.Buffer
			start := time.Now()
			code := run(append(tc.args, "--log-format", "json"), &stdout, &stderr)
			assert.Equal(t, tc.wantCode, code, "stderr: %s", stderr.String())
			if tc.wantCode == 4 || tc.wantCode == 5 {
				assert.Less(t, time.Since(start), 3*time.Second, "no retry loop")
			}
			if tc.wantLog == "" {
				return
			}
			logs := jsonLogs(t, stderr.String())
			require.NotEmpty(t, logs)
			last := logs[len(logs)-1]
			assert.Contains(t, last["msg"], tc.wantLog)
			assert.Contains(t, last, "duration")
			if tc.wantCode == 0 {
				assert.Equal(t, "INFO", last["level"])
			} else {
				assert.Equal(t, "ERROR", last["level"])
				assert.EqualValues(t, tc.wantCode, last["exit_code"])
			}
		})
	}
}

func TestCacheCommands(t *testing.T) {
	s := pgtest.Require(t)
	db := s.NewDatabase(t)
	ctx := context.Background()
	conn := s.Connect(t, db)
	_, err := conn.Exec(ctx, flowdbtest.Schema)
	require.NoError(t, err)
	for i, id := range []string{"q0", "q1", "q2", "q3"} {
		require.NoError(t, flowdbtest.AddEntry(ctx, conn, id, 100, 1000, 48*time.Hour, i))
	}
	_, err = conn.Exec(ctx, "UPDATE cache.cache_config SET value = '1' WHERE key = 'cache_size'")
	require.NoError(t, err)
	setPGEnv(t, s, db, s.User)

	count := func() int {
		var n int
		require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM cache.cached").Scan(&n))
		return n
	}

	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run([]string{"cache", "status", "--json"}, &stdout, &stderr), stderr.String())
	var st struct {
		Entries int
		Size    int64 `json:"size_bytes"`
		Limit   int64 `json:"limit_bytes"`
		Lowest  []struct {
			QueryID string `json:"query_id"`
		}
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &st))
	assert.Equal(t, 4, st.Entries)
	assert.Equal(t, int64(1), st.Limit)
	require.Len(t, st.Lowest, 4)
	assert.Equal(t, "q0", strings.TrimSpace(st.Lowest[0].QueryID))

	stdout.Reset()
	stderr.Reset()
	require.Equal(t, 0, run([]string{"cache", "prune", "--dry-run", "--max-size", "0"}, &stdout, &stderr), stderr.String())
	assert.Contains(t, stdout.String(), "q0")
	assert.Contains(t, stderr.String(), "would remove 4 entries")
	assert.Equal(t, 4, count(), "dry run changed nothing")

	stdout.Reset()
	stderr.Reset()
	require.Equal(t, 0, run([]string{"cache", "invalidate", "q3", "--json"}, &stdout, &stderr), stderr.String())
	assert.Contains(t, stderr.String(), "removed 1 entries")
	assert.Contains(t, stderr.String(), "resync_redis_with_cache")
	assert.Equal(t, 3, count())

	stdout.Reset()
	stderr.Reset()
	assert.Equal(t, 1, run([]string{"cache", "invalidate", "q3"}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "no such cache entry")

	stdout.Reset()
	stderr.Reset()
	require.Equal(t, 0, run([]string{"cache", "prune", "--log-format", "json"}, &stdout, &stderr), stderr.String())
	logs := jsonLogs(t, stderr.String())
	assert.Contains(t, logs[len(logs)-1]["msg"], "removed 3 entries")
	assert.Zero(t, count())

	assert.Equal(t, 2, run([]string{"cache", "prune", "--max-size", "lots"}, &stdout, &stderr))
	assert.Equal(t, 2, run([]string{"cache", "invalidate"}, &stdout, &stderr))
}

func TestByteSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  bool
	}{
		{in: "1024", want: 1024},
		{in: "1KiB", want: 1024},
		{in: "10GiB", want: 10 << 30},
		{in: "500MB", want: 500e6},
		{in: "2G", want: 2 << 30},
		{in: "-1", err: true},
		{in: "lots", err: true},
	}
	for _, tc := range tests {
		got, err := byteSize(tc.in)
		if tc.err {
			assert.Error(t, err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}
