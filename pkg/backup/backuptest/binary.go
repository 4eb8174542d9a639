package backuptest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/flotilla/flotilla/pkg/backup/s3test"
	"github.com/flotilla/flotilla/pkg/pgtest"
)

// BuildHook builds cmd/flotilla-hook as the Makefile does (static, trimmed) into dir and
// returns its path.
func BuildHook(dir string) (string, error) {
	root, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "flotilla-hook")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, "./cmd/flotilla-hook")
	cmd.Dir = strings.TrimSpace(string(root))
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", errors.New(string(out))
	}
	return bin, nil
}

// Hook runs the flotilla-hook binary against a test PostgreSQL and S3 server, with the S3
// credentials in AWS_* variables and the connection in PG* variables, as the chart's pods do.
type Hook struct {
	Bin     string
	PG      *pgtest.Server
	S3      *s3test.Server
	Bucket  string
	Release string
}

// Command is "flotilla-hook args... <bucket flags>" for database db.
func (h Hook) Command(ctx context.Context, db string, args ...string) *exec.Cmd {
	args = append(args, "--s3-endpoint", h.S3.URL, "--s3-bucket", h.Bucket, "--s3-force-path-style", "--release", h.Release, "--log-format", "json")
	if args[1] != "list" && args[1] != "stage" {
		args = append(args, "--pg-bin-dir", h.PG.BinDir())
	}
	cmd := exec.CommandContext(ctx, h.Bin, args...)
	cmd.Env = append(os.Environ(), "PGHOST="+h.PG.Host, "PGPORT="+strconv.Itoa(h.PG.Port), "PGUSER="+h.PG.User, "PGDATABASE="+db,
		"PGSSLMODE=disable", "AWS_ACCESS_KEY_ID="+s3test.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+s3test.SecretAccessKey)
	return cmd
}

// Result is a finished run: exit code, stdout and the last log line (the summary).
type Result struct {
	Code    int
	Stdout  string
	Summary map[string]any
	Stderr  string
}

// Run runs the command to its end.
func (h Hook) Run(t testing.TB, db string, args ...string) Result {
	t.Helper()
	cmd := h.Command(context.Background(), db, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run %s: %v", h.Bin, err)
	}
	return Result{Code: cmd.ProcessState.ExitCode(), Stdout: stdout.String(), Stderr: stderr.String(), Summary: LastLog(stderr.String())}
}

// LastLog parses the last JSON log line of stderr (nil when there is none).
func LastLog(stderr string) map[string]any {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	var m map[string]any
	if json.Unmarshal([]byte(lines[len(lines)-1]), &m) != nil {
		return nil
	}
	return m
}

// RoundTrip seeds a Flowise-shaped database, backs it up with the binary, drops and recreates
// it, restores it with the binary and compares every row; a restore into the now non-empty
// database is refused.
func RoundTrip(t *testing.T, h Hook) {
	t.Helper()
	db := h.PG.NewDatabase(t)
	conn := h.PG.Connect(t, db)
	SeedFlowise(t, conn, 2000, 8<<20)
	want := Digest(t, conn)
	conn.Close(context.Background())

	check := func(r Result, code int, msg string) {
		t.Helper()
		if r.Code != code || r.Summary == nil || !strings.Contains(r.Summary["msg"].(string), msg) {
			t.Fatalf("exit %d (want %d), last log %v (want %q); stderr:\n%s", r.Code, code, r.Summary, msg, r.Stderr)
		}
	}
	check(h.Run(t, db, "backup", "create", "--chart", "flowise", "--chart-version", "0.1.0", "--keep-last", "3", "--part-size", "5MiB"), 0, "uploaded to")
	list := h.Run(t, db, "backup", "list", "--json")
	check(list, 0, "1 backup(s)")
	var listed []struct{ ID, SHA256 string }
	if err := json.Unmarshal([]byte(list.Stdout), &listed); err != nil || len(listed) != 1 {
		t.Fatalf("backup list --json: %v %s", err, list.Stdout)
	}
	Recreate(t, h.PG, db)
	check(h.Run(t, db, "backup", "restore", "--backup", listed[0].ID), 0, "sha256 verified")
	got := Digest(t, h.PG.Connect(t, db))
	for table, d := range want {
		if got[table] != d {
			t.Errorf("table %s differs after restore: %s, want %s", table, got[table], d)
		}
	}
	check(h.Run(t, db, "backup", "restore"), 1, "is not empty")
}
