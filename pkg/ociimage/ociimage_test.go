package ociimage_test

import (
	"archive/tar"
	"context"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/ociimage"
)

func build(t *testing.T) (v1.ImageIndex, map[string]string) {
	dir := t.TempDir()
	bins := map[string]string{}
	for _, p := range []string{"linux/amd64", "linux/arm64"} {
		f := filepath.Join(dir, strings.ReplaceAll(p, "/", "-"))
		require.NoError(t, os.WriteFile(f, []byte("binary for "+p), 0o755))
		bins[p] = f
	}
	ca := filepath.Join(dir, "ca.crt")
	require.NoError(t, os.WriteFile(ca, []byte("-----BEGIN CERTIFICATE-----\n"), 0o644))
	labels := map[string]string{
		"org.opencontainers.image.title":    "flotilla-hook",
		"org.opencontainers.image.version":  "v1.2.3",
		"org.opencontainers.image.source":   "https://github.com/flotilla/flotilla",
		"org.opencontainers.image.licenses": "NOASSERTION",
	}
	idx, err := ociimage.Build(ociimage.Options{Binaries: bins, CACerts: ca, Labels: labels})
	require.NoError(t, err)
	return idx, labels
}

// checkIndex asserts the index covers both platforms with a correct image each.
func checkIndex(t *testing.T, idx v1.ImageIndex, labels map[string]string) {
	mt, err := idx.MediaType()
	require.NoError(t, err)
	assert.Equal(t, types.OCIImageIndex, mt)
	im, err := idx.IndexManifest()
	require.NoError(t, err)
	require.Len(t, im.Manifests, 2)
	var arches []string
	for _, d := range im.Manifests {
		require.NotNil(t, d.Platform)
		arches = append(arches, d.Platform.OS+"/"+d.Platform.Architecture)
		img, err := idx.Image(d.Digest)
		require.NoError(t, err)
		cf, err := img.ConfigFile()
		require.NoError(t, err)
		assert.Equal(t, d.Platform.Architecture, cf.Architecture)
		assert.Equal(t, "65532:65532", cf.Config.User)
		assert.Equal(t, []string{"/flotilla-hook"}, cf.Config.Entrypoint)
		assert.Equal(t, labels, cf.Config.Labels)
		layers, err := img.Layers()
		require.NoError(t, err)
		require.Len(t, layers, 1, "empty base plus one layer")
		files := readLayer(t, layers[0])
		assert.Equal(t, "binary for "+arches[len(arches)-1], files["flotilla-hook"].data)
		assert.EqualValues(t, 0o755, files["flotilla-hook"].mode)
		assert.Contains(t, files["etc/passwd"].data, "nonroot:x:65532:65532:")
		assert.Contains(t, files["etc/ssl/certs/ca-certificates.crt"].data, "BEGIN CERTIFICATE")
		assert.Equal(t, 65532, files["home/nonroot/"].uid)
	}
	assert.ElementsMatch(t, []string{"linux/amd64", "linux/arm64"}, arches)
}

type tarFile struct {
	data string
	mode int64
	uid  int
}

func readLayer(t *testing.T, l v1.Layer) map[string]tarFile {
	rc, err := l.Uncompressed()
	require.NoError(t, err)
	defer rc.Close()
	out := map[string]tarFile{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		b, err := io.ReadAll(tr)
		require.NoError(t, err)
		out[h.Name] = tarFile{data: string(b), mode: h.Mode, uid: h.Uid}
	}
	return out
}

func TestBuildWriteLayoutPush(t *testing.T) {
	idx, labels := build(t)
	checkIndex(t, idx, labels)

	t.Run("OCI layout", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "layout")
		require.NoError(t, ociimage.WriteLayout(dir, idx, "dev"))
		p, err := layout.FromPath(dir)
		require.NoError(t, err)
		root, err := p.ImageIndex()
		require.NoError(t, err)
		rm, err := root.IndexManifest()
		require.NoError(t, err)
		require.Len(t, rm.Manifests, 1)
		assert.Equal(t, "dev", rm.Manifests[0].Annotations["org.opencontainers.image.ref.name"])
		inner, err := root.ImageIndex(rm.Manifests[0].Digest)
		require.NoError(t, err)
		checkIndex(t, inner, labels)
	})

	t.Run("push to a loopback registry over HTTP", func(t *testing.T) {
		srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
		defer srv.Close()
		ref := strings.TrimPrefix(srv.URL, "http://") + "/flotilla-hook:dev"
		_, err := ociimage.Push(context.Background(), idx, ref)
		require.NoError(t, err)
		r, err := name.ParseReference(ref, name.Insecure)
		require.NoError(t, err)
		got, err := remote.Index(r)
		require.NoError(t, err)
		checkIndex(t, got, labels)
	})
}

func TestBuildErrors(t *testing.T) {
	_, err := ociimage.Build(ociimage.Options{})
	require.ErrorContains(t, err, "no binaries")
	_, err = ociimage.Build(ociimage.Options{Binaries: map[string]string{"linux/amd64": "/nonexistent"}, CACerts: "/nonexistent-ca"})
	require.ErrorContains(t, err, "ca-certificates")
}
