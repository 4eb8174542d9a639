package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The full release runs in pkg/release's tests (in-process registry) and in make e2e (the
// loopback registry); here: the command line and that bad input stops it before any work.
func TestReleaseArguments(t *testing.T) {
	dir := t.TempDir()
	pass := filepath.Join(dir, "pass")
	assert.NoError(t, os.WriteFile(pass, []byte("x\n"), 0o600))
	t.Setenv("FLOTILLA_PGP_KEYRING", filepath.Join(dir, "missing.gpg"))
	t.Setenv("FLOTILLA_PGP_KEY", "Flotilla")
	t.Setenv("FLOTILLA_PGP_KEY_URL", "https://example.invalid/key.asc")
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"release"}, 2, "--registry and --version are required"},
		{[]string{"release", "--registry", "r.example"}, 2, "--registry and --version are required"},
		{[]string{"release", "extra", "--registry", "r", "--version", "1.0.0"}, 2, "release takes no arguments"},
		{[]string{"release", "--registry", "r", "--version", "1.0.0", "--pgp-passphrase-file", filepath.Join(dir, "nope")}, 1, "read passphrase"},
		{[]string{"release", "--registry", "r", "--version", "v1", "--charts", dir}, 1, `version "v1" is not SemVer`},
		{[]string{"release", "--registry", "r", "--version", "1.0.0", "--charts", dir, "--pgp-passphrase-file", pass}, 1, "PGP keyring " + filepath.Join(dir, "missing.gpg")},
		{[]string{"release", "--help"}, 0, "FLOTILLA_COSIGN_KEY"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errOut := run(tc.args...)
			assert.Equal(t, tc.code, code, errOut)
			assert.Contains(t, out+errOut, tc.want)
		})
	}
}
