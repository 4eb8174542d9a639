package pgbin

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDirAndVersion(t *testing.T) {
	dir, err := Dir("", "pg_dump")
	if err != nil {
		t.Skipf("SKIPPED, NO POSTGRESQL CLIENT: %v", err)
	}
	for _, program := range []string{"pg_dump", "pg_restore"} {
		major, full, err := Version(filepath.Join(dir, program))
		require.NoError(t, err, program)
		assert.GreaterOrEqual(t, major, 13, program)
		assert.Regexp(t, `^\d+(\.\d+)?$`, full, program)
	}
	got, err := Dir(dir, "pg_restore")
	require.NoError(t, err)
	assert.Equal(t, dir, got, "an explicit directory wins")

	for _, tc := range []struct{ dir, program string }{
		{t.TempDir(), "pg_dump"},
		{"", "pg_nonexistent_program"},
	} {
		_, err := Dir(tc.dir, tc.program)
		assert.ErrorIs(t, err, ErrNotFound, tc.program)
	}
	_, _, err = Version("/bin/true")
	assert.ErrorContains(t, err, "unexpected output")
}
