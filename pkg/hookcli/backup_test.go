package hookcli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/backup"
	"github.com/flotilla/flotilla/pkg/backup/backuptest"
	"github.com/flotilla/flotilla/pkg/backup/s3test"
	"github.com/flotilla/flotilla/pkg/pgtest"
)

// TestBackupCommands runs backup create, list and restore as the chart's Jobs do, against a
// real PostgreSQL and S3 server, and checks exit codes and summary lines of the mistakes.
func TestBackupCommands(t *testing.T) {
	s := pgtest.Require(t)
	db := s.NewDatabase(t)
	s3 := s3test.Start(t, "backups")
	closed, err := pgtest.ClosedPort()
	require.NoError(t, err)
	conn := s.Connect(t, db)
	backuptest.SeedFlowise(t, conn, 500, 256<<10)
	want := backuptest.Digest(t, conn)
	conn.Close(context.Background())
	stage := t.TempDir()

	bucket := []string{"--s3-endpoint", s3.URL, "--s3-bucket", "backups", "--s3-force-path-style", "--prefix", "flotilla", "--release", "flowise"}
	with := func(args ...string) []string {
		if args[1] != "list" {
			args = append(args, "--pg-bin-dir", s.BinDir())
		}
		return append(args, bucket...)
	}
	good := map[string]string{"AWS_ACCESS_KEY_ID": s3test.AccessKeyID, "AWS_SECRET_ACCESS_KEY": s3test.SecretAccessKey}
	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		before   func(t *testing.T)
		wantCode int
		wantLog  string
		wantOut  string
	}{
		{name: "create", env: good, args: with("backup", "create", "--chart", "flowise", "--chart-version", "0.1.0", "--keep-last", "7", "--keep-within", "30d"),
			wantLog: `of database "` + db + `" (PostgreSQL `},
		{name: "list", env: good, args: with("backup", "list"), wantLog: "1 backup(s) of release \"flowise\"", wantOut: "flowise-0.1.0"},
		{name: "restore refuses a non-empty database", env: good, args: with("backup", "restore"), wantCode: 1, wantLog: "is not empty"},
		{name: "restore into the emptied database", env: good, args: with("backup", "restore", "--backup", "latest"),
			before: func(t *testing.T) { backuptest.Recreate(t, s, db) }, wantLog: "sha256 verified"},
		{name: "wrong S3 secret", env: map[string]string{"AWS_ACCESS_KEY_ID": s3test.AccessKeyID, "AWS_SECRET_ACCESS_KEY": "nope"},
			args: with("backup", "create"), wantCode: 4, wantLog: "credentials rejected"},
		{name: "missing bucket", env: good, args: append(with("backup", "list"), "--s3-bucket", "nope"), wantCode: 4, wantLog: "bucket does not exist"},
		{name: "unreachable endpoint", env: good, args: append(with("backup", "list"), "--s3-endpoint", "http://127.0.0.1:"+strconv.Itoa(closed)),
			wantCode: 3, wantLog: "endpoint unreachable"},
		{name: "unknown backup", env: good, args: with("backup", "restore", "--force", "--backup", "20990101T000000.000Z"), wantCode: 1, wantLog: "no backup found"},
		{name: "no bucket flag", env: good, args: []string{"backup", "list", "--release", "x"}, wantCode: 2},
		{name: "bad keep-within", env: good, args: with("backup", "create", "--keep-within", "soon"), wantCode: 2},
		{name: "stage", args: []string{"backup", "stage", stage}, wantLog: "copied"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			setPGEnv(t, s, db, s.User)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			if tc.before != nil {
				tc.before(t)
			}
			var stdout, stderr bytes.Buffer
			code := Run(context.Background(), append(tc.args, "--log-format", "json", "--timeout", "2m"), &stdout, &stderr)
			require.Equal(t, tc.wantCode, code, "stderr: %s", stderr.String())
			assert.Contains(t, stdout.String(), tc.wantOut)
			if tc.wantLog == "" {
				return
			}
			logs := jsonLogs(t, stderr.String())
			require.NotEmpty(t, logs)
			assert.Contains(t, logs[len(logs)-1]["msg"], tc.wantLog)
		})
	}

	restored := s.Connect(t, db)
	assert.Equal(t, want, backuptest.Digest(t, restored), "every row restored")
	info, err := os.Stat(filepath.Join(stage, "flotilla-hook"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o755), info.Mode().Perm())

	setPGEnv(t, s, db, s.User)
	t.Setenv("AWS_ACCESS_KEY_ID", s3test.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", s3test.SecretAccessKey)
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, Run(context.Background(), with("backup", "list", "--json"), &stdout, &stderr), stderr.String())
	var listed []backup.Manifest
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &listed))
	require.Len(t, listed, 1)
	assert.Equal(t, "flowise", listed[0].Chart)
}
