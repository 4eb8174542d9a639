package hookcli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/cachepruner/flowdbtest"
	"github.com/flotilla/flotilla/pkg/pgtest"
	"github.com/flotilla/flotilla/pkg/redistest"
)

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
	setRedisEnv(t)

	count := func() int {
		var n int
		require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM cache.cached").Scan(&n))
		return n
	}

	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, Run(ctx, []string{"cache", "status", "--json"}, &stdout, &stderr), stderr.String())
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
	require.Equal(t, 0, Run(ctx, []string{"cache", "prune", "--dry-run", "--max-size", "0"}, &stdout, &stderr), stderr.String())
	assert.Contains(t, stdout.String(), "q0")
	assert.Contains(t, stderr.String(), "would remove 4 entries")
	assert.Equal(t, 4, count(), "dry run changed nothing")

	stdout.Reset()
	stderr.Reset()
	require.Equal(t, 0, Run(ctx, []string{"cache", "invalidate", "q3", "--json"}, &stdout, &stderr), stderr.String())
	assert.Contains(t, stderr.String(), "removed 1 entries")
	assert.Contains(t, stderr.String(), "FlowMachine's Redis: 0 states set to known")
	assert.Equal(t, 3, count())

	stdout.Reset()
	stderr.Reset()
	assert.Equal(t, 1, Run(ctx, []string{"cache", "invalidate", "q3"}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "no such cache entry")

	stdout.Reset()
	stderr.Reset()
	require.Equal(t, 0, Run(ctx, []string{"cache", "prune", "--log-format", "json"}, &stdout, &stderr), stderr.String())
	logs := jsonLogs(t, stderr.String())
	assert.Contains(t, logs[len(logs)-1]["msg"], "removed 3 entries")
	assert.Zero(t, count())

	assert.Equal(t, 2, Run(ctx, []string{"cache", "prune", "--max-size", "lots"}, &stdout, &stderr))
	assert.Equal(t, 2, Run(ctx, []string{"cache", "invalidate"}, &stdout, &stderr))
}

func setRedisEnv(t *testing.T) *redistest.Server {
	r := redistest.Require(t)
	t.Setenv("REDIS_HOST", r.Host)
	t.Setenv("REDIS_PORT", strconv.Itoa(r.Port))
	t.Setenv("REDIS_PASSWORD", r.Password)
	return r
}

// cacheWithStates makes a FlowDB cache of entries q0..q(n-1) (q0 lowest) whose FlowMachine
// states are all completed, except those in busy.
func cacheWithStates(t *testing.T, n int, busy map[string]string) (count func() int, fm flowdbtest.FlowMachine) {
	s := pgtest.Require(t)
	db := s.NewDatabase(t)
	ctx := context.Background()
	conn := s.Connect(t, db)
	_, err := conn.Exec(ctx, flowdbtest.Schema)
	require.NoError(t, err)
	r := setRedisEnv(t)
	fm = flowdbtest.NewFlowMachine(r.Client(t), s.Host, s.Port, db)
	for i := range n {
		id := "q" + strconv.Itoa(i)
		require.NoError(t, flowdbtest.AddEntry(ctx, conn, id, 100, 1000, 48*time.Hour, i))
		path := flowdbtest.Paths["completed"]
		if st, ok := busy[id]; ok {
			path = flowdbtest.Paths[st]
		}
		require.NoError(t, fm.Drive(ctx, id, path...))
	}
	_, err = conn.Exec(ctx, "UPDATE cache.cache_config SET value = '0' WHERE key = 'cache_size'")
	require.NoError(t, err)
	setPGEnv(t, s, db, s.User)
	return func() int {
		var n int
		require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM cache.cached").Scan(&n))
		return n
	}, fm
}

// TestCacheRedis runs the commands against FlowMachine's Redis as FlowMachine writes it.
func TestCacheRedis(t *testing.T) {
	closed, err := pgtest.ClosedPort()
	require.NoError(t, err)
	tests := []struct {
		name      string
		busy      map[string]string
		env       map[string]string
		args      []string
		wantCode  int
		wantLog   string
		wantLeft  int
		wantState map[string]string
	}{
		{name: "prune sets removed queries known", args: []string{"cache", "prune"}, wantLog: "removed 3 entries",
			wantState: map[string]string{"q0": "known", "q2": "known"}},
		{name: "prune leaves an executing query", busy: map[string]string{"q1": "executing"}, args: []string{"cache", "prune"},
			wantLog: "left 1 in use by FlowMachine in place", wantLeft: 1, wantState: map[string]string{"q0": "known", "q1": "executing"}},
		{name: "Redis down: nothing removed", env: map[string]string{"REDIS_PORT": strconv.Itoa(closed)}, args: []string{"cache", "prune"},
			wantCode: 3, wantLog: "connect to FlowMachine's Redis", wantLeft: 3, wantState: map[string]string{"q0": "completed"}},
		{name: "wrong Redis password: nothing removed", env: map[string]string{"REDIS_PASSWORD": "nope"}, args: []string{"cache", "invalidate", "q0"},
			wantCode: 4, wantLog: "WRONGPASS", wantLeft: 3},
		{name: "no Redis configured", env: map[string]string{"REDIS_HOST": ""}, args: []string{"cache", "prune"}, wantCode: 2, wantLeft: 3},
		{name: "--no-redis prunes and warns", env: map[string]string{"REDIS_HOST": ""}, args: []string{"cache", "prune", "--no-redis"},
			wantLog: "FlowMachine's Redis NOT updated (--no-redis)", wantState: map[string]string{"q0": "completed"}},
		{name: "invalidate refuses an executing query", busy: map[string]string{"q2": "executing"}, args: []string{"cache", "invalidate", "q2"},
			wantCode: 1, wantLog: "q2 is executing", wantLeft: 3},
		{name: "resync refuses while a query executes", busy: map[string]string{"q2": "executing"}, args: []string{"cache", "resync-redis"},
			wantCode: 1, wantLog: "--force", wantLeft: 3, wantState: map[string]string{"q2": "executing"}},
		{name: "resync --force", busy: map[string]string{"q2": "executing"}, args: []string{"cache", "resync-redis", "--force"},
			wantLog: "3 states set to completed", wantLeft: 3, wantState: map[string]string{"q2": "completed"}},
		{name: "min-interval skips after a prune", args: []string{"cache", "prune", "--min-interval", "1h", "--max-size", "1GiB"},
			wantLog: "removed 0 entries", wantLeft: 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			count, fm := cacheWithStates(t, 3, tc.busy)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var stdout, stderr bytes.Buffer
			code := Run(context.Background(), append(tc.args, "--log-format", "json", "--timeout", "20s"), &stdout, &stderr)
			assert.Equal(t, tc.wantCode, code, stderr.String())
			if tc.wantLog != "" {
				assert.Contains(t, stderr.String(), tc.wantLog)
			}
			assert.Equal(t, tc.wantLeft, count())
			for id, want := range tc.wantState {
				got, err := fm.State(context.Background(), id)
				require.NoError(t, err)
				assert.Equal(t, want, got, id)
			}
		})
	}
}

// TestOutOfRangeInputs: flag and cache.cache_config values that used to overflow, or fall back
// to another limit, or fail later with a misleading error, are usage errors (exit 2) naming
// the flag or key and the allowed range; nothing is removed.
func TestOutOfRangeInputs(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		config string // cache.cache_config key=value set for the run
		want   string
	}{
		{name: "protected period past time.Duration", args: []string{"--protected-period", "1e10"}, want: "--protected-period = 1e+10 is out of range: allowed seconds from -9223372036 to 9223372036"},
		{name: "protected period NaN", args: []string{"--protected-period", "NaN"}, want: "--protected-period = NaN is out of range"},
		{name: "protected period Inf", args: []string{"--protected-period", "Inf"}, want: "--protected-period = +Inf is out of range"},
		{name: "protected period duration overflow", args: []string{"--protected-period", "3000000h"}, want: "allowed seconds from -9223372036"},
		{name: "max size past int64", args: []string{"--max-size", "1e19"}, want: "--max-size = 1e+19 is out of range: allowed bytes from 0 to 9223372036854775807"},
		{name: "max size inf", args: []string{"--max-size", "inf"}, want: "--max-size = +Inf is out of range"},
		{name: "max size NaN", args: []string{"--max-size", "NaN"}, want: "--max-size = NaN is out of range"},
		{name: "timeout past statement_timeout", args: []string{"--timeout", "597h"}, want: "--timeout 597h0m0s is out of range: allowed 1ms to 596h31m23.647s"},
		{name: "timeout zero", args: []string{"--timeout", "0"}, want: "--timeout 0s is out of range"},
		{name: "timeout negative", args: []string{"--timeout", "-5s"}, want: "--timeout -5s is out of range"},
		{name: "batch size past the lock table", args: []string{"--batch-size", "20000"}, want: "--batch-size = 20000 is out of range: allowed 1 to 1000 entries"},
		{name: "batch size zero", args: []string{"--batch-size", "0"}, want: "--batch-size = 0 is out of range"},
		{name: "negative min interval", args: []string{"--min-interval", "-1s"}, want: "--min-interval = -1s is out of range"},
		{name: "cache_protected_period past time.Duration", config: "cache_protected_period=1e10", want: "cache.cache_config cache_protected_period = 1e+10 is out of range"},
		{name: "cache_protected_period NaN", config: "cache_protected_period=NaN", want: "cache.cache_config cache_protected_period = NaN is out of range"},
		{name: "cache_size past int64", config: "cache_size=1e19", want: "cache.cache_config cache_size = 1e+19 is out of range: allowed bytes from 0"},
		{name: "cache_size inf", config: "cache_size=Infinity", want: "cache.cache_config cache_size = +Inf is out of range"},
	}
	count, _ := cacheWithStates(t, 3, nil)
	s := pgtest.Require(t)
	conn := s.Connect(t, os.Getenv("PGDATABASE"))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.config != "" {
				kv := strings.SplitN(tc.config, "=", 2)
				_, err := conn.Exec(context.Background(), "UPDATE cache.cache_config SET value = $2 WHERE key = $1", kv[0], kv[1])
				require.NoError(t, err)
				t.Cleanup(func() {
					_, _ = conn.Exec(context.Background(), "UPDATE cache.cache_config SET value = $2 WHERE key = $1", kv[0], map[string]string{"cache_size": "0", "cache_protected_period": "86400"}[kv[0]])
				})
			}
			var stdout, stderr bytes.Buffer
			code := Run(context.Background(), append([]string{"cache", "prune", "--protected-period", "-1"}, tc.args...), &stdout, &stderr)
			assert.Equal(t, 2, code, stderr.String())
			assert.Contains(t, stderr.String(), tc.want)
			assert.Equal(t, 3, count(), "nothing removed")
		})
	}
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 2, Run(context.Background(), []string{"cache", "status", "--lowest", "-1"}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "--lowest -1 is out of range")
}
