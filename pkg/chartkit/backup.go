package chartkit

import (
	"fmt"
	"strings"
)

// backupOn holds when a chart's backup block runs anything: the CronJob or restore mode.
var backupOn = Or(Eq("backup.enabled", true), Eq("backup.restore.enabled", true))

// BackupRules are the rules of a chart's chartvalues.Backup block: a bucket, and a PostgreSQL
// database (database; nil when the chart always has one), refused otherwise with noDatabase,
// which says what to do.
func BackupRules(database Cond, noDatabase string) []Rule {
	rules := []Rule{{Message: "backup.s3.bucket is required when backup.enabled or backup.restore.enabled is true: backups go to an existing S3 bucket",
		If: backupOn, Then: NotEmpty("backup.s3.bucket")}}
	if database != nil {
		rules = append(rules, Rule{Message: noDatabase, If: backupOn, Then: database})
	}
	return rules
}

// BackupOn is BackupRules' condition, for a chart's own backup rules.
func BackupOn() Cond { return backupOn }

// BackupDoc describes a chart's databases for its "Backup and restore" README section.
type BackupDoc struct {
	Chart     string
	Namespace string // of the commands' examples
	// Databases are the backed-up databases' names, e.g. ["flowise"]; Objects the suffixes of
	// the CronJobs and restore Jobs ("" for a chart with one database, else the database label).
	Databases []string
	Objects   []string
	// What tells which data is (and is not) in the backup.
	What string
	// Secrets the restored app needs from the old release besides the database (encryption keys).
	Secrets string
	// Extra is appended (chart-specific notes).
	Extra string
}

// BackupSection is the "Backup and restore" README section with the exact commands.
func BackupSection(d BackupDoc) Section {
	rel, ns, repo := d.Chart, d.Namespace, "oci://REGISTRY/charts/"+d.Chart
	var cron, jobs []string
	for _, o := range d.Objects {
		cron = append(cron, "`cronjob/"+rel+"-backup"+o+"`")
		jobs = append(jobs, "`"+rel+"-restore"+o+"-<hash>`")
	}
	first := d.Objects[0]
	var b strings.Builder
	fmt.Fprintf(&b, `%s

`+"`backup.enabled`"+` runs %s on `+"`backup.schedule`"+` (default `+"`0 3 * * *`"+`, `+"`concurrencyPolicy: Forbid`"+`, `+"`backup.activeDeadlineSeconds`"+`).
Each run's init container copies `+"`flotilla-hook`"+` into an emptyDir; the container of the official postgres image
(`+"`backup.image`"+`, **its major version must be the server's**) runs `+"`flotilla-hook backup create`"+`, which runs
`+"`pg_dump --format=custom`"+` and streams it to S3 as a multipart upload (two 16 MiB parts in memory, nothing on disk),
optionally encrypted (AES-256-GCM, `+"`backup.encryption.existingSecret`"+`). Objects:
`+"`<backup.prefix>/<release>/<database>/<release>-<database>-<UTC time>.dump`"+` and a `+"`.manifest.json`"+` written last
(database, server version, size, sha256, chart version); only backups with a manifest are listed or restored, so a killed
run never offers a partial dump. `+"`backup.retention`"+` (newest `+"`keepLast`"+` and/or younger than `+"`keepWithin`"+`) runs only
after a successful upload. The Job's log ends with one summary line (object, size, sha256, what retention removed).
Databases: %[10]s. Pods pass the restricted Pod Security Standard (uid 999, read-only root filesystem).

Set up (S3 credentials and an optional encryption key as Secrets, then enable):

`+"```sh"+`
kubectl -n %[3]s create secret generic %[4]s-backup-s3 --from-literal=access-key-id=AKIA... --from-literal=secret-access-key=...
kubectl -n %[3]s create secret generic %[4]s-backup-key --from-literal=backup-encryption-key="$(openssl rand -base64 32)"
helm upgrade %[4]s %[5]s --reuse-values \
  --set backup.enabled=true --set backup.s3.bucket=%[4]s-backups \
  --set backup.s3.endpoint=https://minio.example:9000 --set backup.s3.forcePathStyle=true \
  --set backup.s3.existingSecret=%[4]s-backup-s3 --set backup.encryption.existingSecret=%[4]s-backup-key
kubectl -n %[3]s create job --from=cronjob/%[4]s-backup%[6]s %[4]s-backup-now     # a backup now
kubectl -n %[3]s logs -f job/%[4]s-backup-now -c backup                            # ends with the summary line
`+"```"+`

List backups from anywhere with the S3 credentials (the same binary; `+"`--json`"+` for the manifests):

`+"```sh"+`
AWS_ACCESS_KEY_ID=AKIA... AWS_SECRET_ACCESS_KEY=... flotilla-hook backup list \
  --s3-endpoint https://minio.example:9000 --s3-bucket %[4]s-backups --s3-force-path-style --release %[4]s --database %[7]s
`+"```"+`

**Restore in place.** Restore mode (`+"`backup.restore.enabled`"+`) scales the app's Deployments to 0 replicas (the
databases keep running) and runs %[8]s: it waits for the database, refuses a non-empty one unless
`+"`backup.restore.clean`"+` (drop and recreate the backup's objects) or `+"`backup.restore.force`"+`, verifies the backup's
sha256, then streams it into `+"`pg_restore --single-transaction --no-owner --no-privileges`"+`, so a failure changes nothing.
`+"`backup.restore.backup`"+` is `+"`latest`"+` or an ID from `+"`backup list`"+`.

`+"```sh"+`
helm upgrade %[4]s %[5]s --reuse-values \
  --set backup.restore.enabled=true --set backup.restore.backup=latest --set backup.restore.clean=true
kubectl -n %[3]s wait --for=condition=complete job -l app.kubernetes.io/instance=%[4]s,flotilla.dev/job=restore --timeout=6h
kubectl -n %[3]s logs -l app.kubernetes.io/instance=%[4]s,flotilla.dev/job=restore -c restore --tail=1
helm upgrade %[4]s %[5]s --reuse-values --set backup.restore.enabled=false   # the app starts on the restored data
`+"```"+`

**Restore into a fresh release in another namespace** (the database is empty, so no clean is needed). %[9]s

`+"```sh"+`
kubectl create namespace %[3]s-restored
kubectl -n %[3]s-restored create secret generic %[4]s-backup-s3 --from-literal=access-key-id=AKIA... --from-literal=secret-access-key=...
kubectl -n %[3]s-restored create secret generic %[4]s-backup-key --from-literal=backup-encryption-key="$(kubectl -n %[3]s get secret %[4]s-backup-key -o jsonpath='{.data.backup-encryption-key}' | base64 -d)"
helm install %[4]s %[5]s -n %[3]s-restored -f my-values.yaml \
  --set backup.restore.enabled=true --set backup.restore.fromRelease=%[4]s
kubectl -n %[3]s-restored wait --for=condition=complete job -l app.kubernetes.io/instance=%[4]s,flotilla.dev/job=restore --timeout=6h
helm upgrade %[4]s %[5]s -n %[3]s-restored --reuse-values --set backup.restore.enabled=false
`+"```"+`

A restore Job's name carries a hash of what it restores: an upgrade that changes nothing does not restore twice. A
backup restores into the same PostgreSQL major version (a warning is logged otherwise).`,
		strings.TrimSpace(d.What), strings.Join(cron, ", "), ns, rel, repo, first, d.Databases[0], strings.Join(jobs, ", "), strings.TrimSpace(d.Secrets), "`"+strings.Join(d.Databases, "`, `")+"`")
	if d.Extra != "" {
		b.WriteString("\n\n" + strings.TrimSpace(d.Extra))
	}
	return Section{Title: "Backup and restore", Body: b.String()}
}
