package hookimage_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/hookimage"
)

func TestBuildLabelsAndReproducibility(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "flotilla-hook")
	require.NoError(t, os.WriteFile(bin, []byte("static binary"), 0o755))
	ca := filepath.Join(dir, "ca.crt")
	require.NoError(t, os.WriteFile(ca, []byte("-----BEGIN CERTIFICATE-----\n"), 0o644))
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	o := hookimage.Options{Binaries: map[string]string{"linux/amd64": bin, "linux/arm64": bin}, CACerts: ca, Version: "1.2.3", Revision: "abc"}

	idx, err := hookimage.Build(context.Background(), o)
	require.NoError(t, err)
	m, err := idx.IndexManifest()
	require.NoError(t, err)
	assert.Len(t, m.Manifests, 2)
	assert.Equal(t, "1.2.3", m.Annotations["org.opencontainers.image.version"])
	assert.Equal(t, "abc", m.Annotations["org.opencontainers.image.revision"])
	img, err := idx.Image(m.Manifests[0].Digest)
	require.NoError(t, err)
	cf, err := img.ConfigFile()
	require.NoError(t, err)
	assert.Equal(t, time.Unix(1700000000, 0).UTC(), cf.Created.UTC(), "SOURCE_DATE_EPOCH stamps the image")

	again, err := hookimage.Build(context.Background(), o)
	require.NoError(t, err)
	d1, err := idx.Digest()
	require.NoError(t, err)
	d2, err := again.Digest()
	require.NoError(t, err)
	assert.Equal(t, d1, d2, "same binaries and labels give the same digest")
}

func TestCreatedFromEnv(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "")
	assert.Equal(t, time.Unix(0, 0).UTC(), hookimage.CreatedFromEnv())
	t.Setenv("SOURCE_DATE_EPOCH", "not a number")
	assert.Equal(t, time.Unix(0, 0).UTC(), hookimage.CreatedFromEnv())
	t.Setenv("SOURCE_DATE_EPOCH", "42")
	assert.Equal(t, time.Unix(42, 0).UTC(), hookimage.CreatedFromEnv())
}

// Compile builds the real binary from this checkout (host platform only, to stay quick).
func TestCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles flotilla-hook")
	}
	bins, err := hookimage.Compile(context.Background(), hookimage.Options{
		Root: filepath.Join("..", ".."), BinDir: t.TempDir(), Platforms: []string{"linux/amd64"},
	})
	require.NoError(t, err)
	fi, err := os.Stat(bins["linux/amd64"])
	require.NoError(t, err)
	assert.Greater(t, fi.Size(), int64(1<<20))

	_, err = hookimage.Compile(context.Background(), hookimage.Options{Root: ".", Platforms: []string{"linux"}})
	assert.ErrorContains(t, err, `platform "linux" is not os/arch`)
}
