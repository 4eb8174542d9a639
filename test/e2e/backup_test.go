//go:build e2e

package e2e

import (
	"encoding/json"
	"strings"
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

// checkBackupObjects: in a release with backups, every backup CronJob is installed with
// concurrencyPolicy Forbid, and every restore Job (restore mode) completed.
func checkBackupObjects(t *testing.T, ns, rel string) {
	t.Helper()
	out := must(t, "list backup CronJobs and restore Jobs", nil, "kubectl", "get", "cronjobs,jobs", "--namespace", ns,
		"-l", "app.kubernetes.io/instance="+rel, "-o", "json")
	var list struct {
		Items []struct {
			Kind     string
			Metadata struct {
				Name   string
				Labels map[string]string
			}
			Spec struct {
				ConcurrencyPolicy string
			}
			Status struct {
				Conditions []struct{ Type, Status string }
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("parsing CronJobs and Jobs: %v", err)
	}
	for _, o := range list.Items {
		component := o.Metadata.Labels["app.kubernetes.io/component"]
		switch {
		case o.Kind == "CronJob" && strings.HasPrefix(component, "backup"):
			if o.Spec.ConcurrencyPolicy != "Forbid" {
				t.Errorf("backup CronJob %s: concurrencyPolicy %q, want Forbid", o.Metadata.Name, o.Spec.ConcurrencyPolicy)
			}
			t.Logf("backup CronJob %s installed", o.Metadata.Name)
		case o.Kind == "Job" && o.Metadata.Labels["flotilla.dev/job"] == "restore":
			complete := false
			for _, c := range o.Status.Conditions {
				complete = complete || (c.Type == "Complete" && c.Status == "True")
			}
			if !complete {
				t.Errorf("restore Job %s is not Complete: %+v", o.Metadata.Name, o.Status.Conditions)
			}
			t.Logf("restore Job %s: Complete", o.Metadata.Name)
		}
	}
}
