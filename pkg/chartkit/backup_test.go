package chartkit

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestBackupSection(t *testing.T) {
	tests := []struct {
		name string
		doc  BackupDoc
		want []string
	}{
		{
			name: "one database",
			doc:  BackupDoc{Chart: "app", Namespace: "ns", Databases: []string{"appdb"}, Objects: []string{""}, What: "What is in it.", Secrets: "Copy the key.", Extra: "More."},
			want: []string{"What is in it.", "`cronjob/app-backup`", "Databases: `appdb`.", "create job --from=cronjob/app-backup app-backup-now",
				"--release app --database appdb", "`app-restore-<hash>`", "Copy the key.", "kubectl -n ns-restored create secret", "\n\nMore."},
		},
		{
			name: "several databases",
			doc:  BackupDoc{Chart: "kit", Namespace: "k", Databases: []string{"a", "b"}, Objects: []string{"-a", "-b"}},
			want: []string{"`cronjob/kit-backup-a`, `cronjob/kit-backup-b`", "Databases: `a`, `b`.", "--from=cronjob/kit-backup-a", "`kit-restore-a-<hash>`, `kit-restore-b-<hash>`"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := BackupSection(tc.doc)
			assert.Equal(t, "Backup and restore", s.Title)
			for _, w := range tc.want {
				assert.Contains(t, s.Body, w)
			}
			assert.NotContains(t, s.Body, "%!", "formatting verbs and arguments match")
		})
	}
}
