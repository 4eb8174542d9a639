package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/backup"
	"github.com/flotilla/flotilla/pkg/backup/backuptest"
	"github.com/flotilla/flotilla/pkg/backup/s3test"
	"github.com/flotilla/flotilla/pkg/pgtest"
)

// hookBin is the flotilla-hook binary built once for these tests.
var hookBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "flotilla-hook-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if hookBin, err = backuptest.BuildHook(dir); err != nil {
		fmt.Fprintf(os.Stderr, "build flotilla-hook: %v\n", err)
		os.Exit(1)
	}
	defer os.RemoveAll(dir)
	pgtest.Main(m)
}

func newHook(t testing.TB) backuptest.Hook {
	t.Helper()
	return backuptest.Hook{Bin: hookBin, PG: pgtest.Require(t), S3: s3test.Start(t, "backups"), Bucket: "backups", Release: "flowise"}
}

// TestBinaryBackupRestore runs the real binary as the chart's Jobs do: backup → list → drop →
// restore, every row compared.
func TestBinaryBackupRestore(t *testing.T) {
	backuptest.RoundTrip(t, newHook(t))
}

// TestBinaryStoppedDuringUpload stops the binary while it uploads, by SIGTERM (what Kubernetes
// sends at a Job's deadline) and by SIGKILL (no chance to clean up): neither leaves a backup that
// list or restore would offer, SIGTERM aborts its multipart upload, and SIGKILL's incomplete
// upload is aborted by a later run's retention once stale.
func TestBinaryStoppedDuringUpload(t *testing.T) {
	h := newHook(t)
	db := h.PG.NewDatabase(t)
	conn := h.PG.Connect(t, db)
	backuptest.SeedFlowise(t, conn, 100, 24<<20)
	store, err := backup.Open(context.Background(), backup.S3Config{Endpoint: h.S3.URL, Bucket: h.Bucket, ForcePathStyle: true,
		AccessKeyID: s3test.AccessKeyID, SecretAccessKey: s3test.SecretAccessKey})
	require.NoError(t, err)
	loc := backup.Location{Release: h.Release, Database: db}

	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := h.Command(context.Background(), db, "backup", "create", "--part-size", "5MiB")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			var once sync.Once
			h.S3.Intercept(func(r *http.Request) (int, bool) {
				if r.URL.Query().Get("partNumber") == "2" {
					once.Do(func() { _ = cmd.Process.Signal(sig) })
					time.Sleep(200 * time.Millisecond) // let the signal land before the part is stored
				}
				return 0, false
			})
			defer h.S3.Intercept(nil)
			require.NoError(t, cmd.Start())
			err := cmd.Wait()
			require.Error(t, err, "stderr: %s", stderr.String())

			listed, err := backup.List(context.Background(), store, loc)
			require.NoError(t, err)
			assert.Empty(t, listed, "nothing to restore")
			r := h.Run(t, db, "backup", "restore", "--force")
			assert.Equal(t, 1, r.Code)
			assert.Contains(t, r.Summary["msg"], "no backup found")

			res, err := backup.Prune(context.Background(), store, loc, backup.Retention{KeepLast: 1}, time.Now().Add(25*time.Hour), slog.New(slog.DiscardHandler))
			require.NoError(t, err)
			if sig == syscall.SIGTERM {
				assert.Contains(t, backuptest.LastLog(stderr.String())["msg"], "backup create failed")
				assert.Zero(t, res.StaleUploads, "SIGTERM aborts its own upload")
			} else {
				assert.Equal(t, 1, res.StaleUploads, "a killed run's upload is aborted once stale")
			}
		})
	}
}

// BenchmarkBackup compares "flotilla-hook backup create" with "pg_dump -Fc > /dev/null" of the
// same database in the same run, and reports flotilla-hook's peak RSS. BENCH_BACKUP_MB sets the
// database size (default 1024: about 1 GB of Flowise-like rows and bytea).
func BenchmarkBackup(b *testing.B) {
	mb := 1024
	if v := os.Getenv("BENCH_BACKUP_MB"); v != "" {
		var err error
		if mb, err = strconv.Atoi(v); err != nil || mb <= 0 {
			b.Fatalf("BENCH_BACKUP_MB=%q: want megabytes", v)
		}
	}
	h := newHook(b)
	db := h.PG.NewDatabase(b)
	conn := h.PG.Connect(b, db)
	start := time.Now()
	backuptest.SeedLarge(b, conn, mb)
	var size int64
	require.NoError(b, conn.QueryRow(context.Background(), "SELECT pg_database_size(current_database())").Scan(&size))
	b.Logf("database: %d MiB on disk, generated in %s", size>>20, time.Since(start).Round(time.Second))
	env := h.Command(context.Background(), db, "backup", "list").Env
	pgDump := filepath.Join(h.PG.BinDir(), "pg_dump")

	b.ResetTimer()
	for range b.N {
		dumpStart := time.Now()
		devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		require.NoError(b, err)
		cmd := exec.Command(pgDump, "--format=custom", "--no-password")
		cmd.Env, cmd.Stdout = env, devnull
		require.NoError(b, cmd.Run())
		devnull.Close()
		dumpTime := time.Since(dumpStart)
		dumpRSS := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss

		hookStart := time.Now()
		hook := h.Command(context.Background(), db, "backup", "create", "--keep-last", "1", "--timeout", "2h")
		out, err := hook.CombinedOutput()
		require.NoError(b, err, "%s", out)
		hookTime := time.Since(hookStart)
		// ru_maxrss of a waited child covers its own waited children: the larger of
		// flotilla-hook's and pg_dump's peaks (pg_dump alone: dumpRSS).
		hookRSS := hook.ProcessState.SysUsage().(*syscall.Rusage).Maxrss

		b.ReportMetric(dumpTime.Seconds(), "pg_dump-s")
		b.ReportMetric(hookTime.Seconds(), "backup-s")
		b.ReportMetric(hookTime.Seconds()/dumpTime.Seconds(), "ratio")
		b.ReportMetric(float64(hookRSS)/1024, "peak-rss-MiB")
		b.ReportMetric(float64(dumpRSS)/1024, "pg_dump-rss-MiB")
		b.Logf("summary: %v", backuptest.LastLog(string(out))["msg"])
	}
}
