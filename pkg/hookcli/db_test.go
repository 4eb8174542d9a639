package hookcli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/pgtest"
)

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
			code := Run(context.Background(), append(tc.args, "--log-format", "json"), &stdout, &stderr)
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
