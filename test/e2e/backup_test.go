//go:build e2e

package e2e

import (
	"testing"

	"github.com/flotilla/flotilla/pkg/backup/backuptest"
	"github.com/flotilla/flotilla/pkg/backup/s3test"
	"github.com/flotilla/flotilla/pkg/pgtest"
)

// TestBackupBinary runs the real flotilla-hook binary, built as `make hook` builds it, against a
// real PostgreSQL and a real S3 server on this host: backup create → list → drop → restore, every
// row compared. (The charts' backup CronJobs and restore Jobs are installed from the registry by
// TestCharts, through each chart's backup.yaml and restore.yaml examples.)
func TestBackupBinary(t *testing.T) {
	pg, err := pgtest.Start()
	if err != nil {
		t.Fatalf("STEP FAILED: start PostgreSQL: %v", err)
	}
	defer pg.Stop()
	bin, err := backuptest.BuildHook(t.TempDir())
	if err != nil {
		t.Fatalf("STEP FAILED: build flotilla-hook: %v", err)
	}
	backuptest.RoundTrip(t, backuptest.Hook{Bin: bin, PG: pg, S3: s3test.Start(t, "backups"), Bucket: "backups", Release: "flowise"})
}
