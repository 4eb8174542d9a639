package catalog_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/catalog"
	"github.com/flotilla/flotilla/pkg/chartkit"
)

// The committed lock is what the generator records for the committed charts.
func TestVersionsLockIsCurrent(t *testing.T) {
	files, err := chartkit.Generate(root, catalog.Charts())
	require.NoError(t, err)
	lock, err := chartkit.ReadLock(root)
	require.NoError(t, err)
	assert.Equal(t, chartkit.NewLock(catalog.Charts(), files), lock)
}

// A chart whose generated files differ from what the lock records under its version is refused
// by name; bumping the version (with a changelog entry) lets it through.
func TestGenerateRefusesChangedContentUnderSameVersion(t *testing.T) {
	tmp := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(tmp, "go.mod"), []byte("module "+chartkit.Module+"\n"), 0o644))
	abs, err := filepath.Abs(root)
	require.NoError(t, err)
	for _, dir := range []string{"pkg", "examples"} { // doc comments and examples come from the checkout
		require.NoError(t, os.Symlink(filepath.Join(abs, dir), filepath.Join(tmp, dir)))
	}
	lock, err := chartkit.ReadLock(root)
	require.NoError(t, err)
	// The lock says flowise 0.1.0 had other content: today's files are a change under 0.1.0.
	e := lock["flowise"]
	e.Hash = "sha256:" + string(slices.Repeat([]byte("0"), 64))
	lock["flowise"] = e
	require.NoError(t, os.MkdirAll(filepath.Join(tmp, "charts"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(tmp, chartkit.LockFile), lock.Marshal(), 0o644))

	charts := catalog.Charts()
	_, err = chartkit.Generate(tmp, charts)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "flowise: generated files changed but version "+e.Version+" is unchanged")
	assert.Contains(t, err.Error(), "pkg/charts/flowise/chart.go")
	assert.NotContains(t, err.Error(), "flowkit")

	i := slices.IndexFunc(charts, func(c chartkit.Chart) bool { return c.Name == "flowise" })
	charts[i].Version = "99.0.0"
	charts[i].Changelog = append([]chartkit.Release{{Version: "99.0.0", Changes: []chartkit.Change{{Kind: "changed", Description: "test bump"}}}}, charts[i].Changelog...)
	files, err := chartkit.Generate(tmp, charts)
	require.NoError(t, err)
	bumped, err := chartkit.ParseLock(files[chartkit.LockFile])
	require.NoError(t, err)
	assert.Equal(t, "99.0.0", bumped["flowise"].Version)
	assert.Contains(t, string(files["charts/flowise/Chart.yaml"]), "test bump")
}
