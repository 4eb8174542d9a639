package cli_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// migrate writes the file in the chart's keys, says what it renamed and what it could not carry
// over, and the result validates.
func TestMigrate(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "old.yaml")
	require.NoError(t, os.WriteFile(old, []byte("# ours\ngateway:\n  enabled: true\n  parentRefs: [{name: gw}]\nauth:\n  existingSecret: a\n  encryptionKey: x\n"), 0o600))
	migrated := filepath.Join(dir, "new.yaml")
	code, out, errOut := run("migrate", "--from", "helmforge", "-f", old, "-o", migrated)
	require.Equal(t, 0, code, errOut)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "renamed gateway.enabled → httpRoute.enabled")
	assert.Contains(t, errOut, "NOT carried over: auth.encryptionKey (a helmforge chart key) is not supported: inline secrets")
	data, err := os.ReadFile(migrated)
	require.NoError(t, err)
	assert.Equal(t, "# ours\nauth:\n  existingSecret: a\nhttpRoute:\n  enabled: true\n  parentRefs: [{name: gw}]\n", string(data))

	code, _, errOut = run("validate", "flowise", "-f", migrated)
	assert.Equal(t, 0, code, errOut)

	for _, args := range [][]string{
		{"migrate", "-f", old},
		{"migrate", "--from", "bitnami", "-f", old},
		{"migrate", "flagsmith", "--from", "helmforge", "-f", old},
	} {
		code, _, errOut = run(args...)
		assert.Equal(t, 2, code, "%v: %s", args, errOut)
	}
}
