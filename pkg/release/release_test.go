package release_test

import (
	"context"
	"io"
	"log"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/provenance"
	helmregistry "helm.sh/helm/v3/pkg/registry"

	"github.com/flotilla/flotilla/pkg/catalog"
	"github.com/flotilla/flotilla/pkg/hookimage"
	"github.com/flotilla/flotilla/pkg/ocisign"
	"github.com/flotilla/flotilla/pkg/release"
	"github.com/flotilla/flotilla/pkg/release/releasetest"
)

// setup starts an in-process registry and returns release options for it with fake hook
// binaries (nothing is compiled) and fresh keys.
func setup(t *testing.T) (release.Options, releasetest.Keys) {
	t.Helper()
	srv := httptest.NewServer(ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	bin := filepath.Join(dir, "flotilla-hook")
	require.NoError(t, os.WriteFile(bin, []byte("static binary"), 0o755))
	ca := filepath.Join(dir, "ca.crt")
	require.NoError(t, os.WriteFile(ca, []byte("-----BEGIN CERTIFICATE-----\n"), 0o644))
	keys := releasetest.NewKeys(t, t.TempDir())
	// Helm's registry client keeps credentials and cache under HELM_*; keep them in the test.
	t.Setenv("HELM_REGISTRY_CONFIG", filepath.Join(dir, "registry.json"))
	t.Setenv("HELM_CACHE_HOME", filepath.Join(dir, "cache"))
	return release.Options{
		Registry:  strings.TrimPrefix(srv.URL, "http://") + "/flotilla",
		PlainHTTP: true,
		Version:   "1.2.3",
		ChartsDir: filepath.Join("..", "..", "charts"),
		OutDir:    filepath.Join(dir, "out"),
		PGP:       keys.PGP, CosignKey: keys.CosignKey, CosignPassword: keys.CosignPassword,
		Hook: hookimage.Options{Binaries: map[string]string{"linux/amd64": bin, "linux/arm64": bin}, CACerts: ca},
		Log:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, keys
}

// snapshot lists every tag of every repository with its digest.
func snapshot(t *testing.T, reg string) map[string]string {
	t.Helper()
	r, err := name.NewRegistry(strings.Split(reg, "/")[0], name.Insecure)
	require.NoError(t, err)
	repos, err := remote.Catalog(context.Background(), r)
	require.NoError(t, err)
	out := map[string]string{}
	for _, repo := range repos {
		rr := r.Repo(repo)
		tags, err := remote.List(rr)
		require.NoError(t, err)
		for _, tag := range tags {
			d, err := remote.Head(rr.Tag(tag))
			require.NoError(t, err)
			out[repo+":"+tag] = d.Digest.String()
		}
	}
	return out
}

func TestRelease(t *testing.T) {
	ctx := context.Background()
	o, keys := setup(t)
	res, err := release.Run(ctx, o)
	require.NoError(t, err)

	// The image is in the registry under its tag and digest.
	desc, err := remote.Head(res.Image.Context().Tag("1.2.3"))
	require.NoError(t, err)
	assert.Equal(t, res.Image.DigestStr(), desc.Digest.String())

	pubPEM, err := os.ReadFile(keys.CosignPub)
	require.NoError(t, err)
	pub, err := ocisign.LoadPublicKey(pubPEM)
	require.NoError(t, err)
	require.NoError(t, ocisign.Verify(ctx, res.Image, pub), "image signature")
	written, err := os.ReadFile(filepath.Join(o.OutDir, "cosign.pub"))
	require.NoError(t, err)
	assert.Equal(t, string(pubPEM), string(written))

	client, err := helmregistry.NewClient(helmregistry.ClientOptPlainHTTP())
	require.NoError(t, err)
	require.Len(t, res.Charts, 3)
	for _, c := range res.Charts {
		t.Run(c.Name, func(t *testing.T) {
			assert.Equal(t, "helm install "+c.Name+" oci://"+o.Registry+"/charts/"+c.Name+" --version "+c.Version+" --plain-http", c.InstallCommand(true))
			require.NoError(t, ocisign.Verify(ctx, c.Digest, pub), "chart signature")

			// helm pull --prov, then helm verify's check with the public keyring.
			pulled, err := client.Pull(strings.TrimPrefix(c.Repository, "oci://")+":"+c.Version, helmregistry.PullOptWithProv(true))
			require.NoError(t, err)
			assert.Equal(t, c.Digest.DigestStr(), pulled.Manifest.Digest)
			dir := t.TempDir()
			tgz := filepath.Join(dir, c.Name+"-"+c.Version+".tgz") // the name the provenance file signs
			require.NoError(t, os.WriteFile(tgz, pulled.Chart.Data, 0o644))
			require.NoError(t, os.WriteFile(tgz+".prov", pulled.Prov.Data, 0o644))
			verifier, err := provenance.NewFromKeyring(keys.PGPPublicRing, "")
			require.NoError(t, err)
			_, err = verifier.Verify(tgz, tgz+".prov")
			require.NoError(t, err, "helm verify")

			ch, err := loader.LoadFile(tgz)
			require.NoError(t, err)
			img := ch.Values["hook"].(map[string]any)["image"].(map[string]any)
			assert.Equal(t, res.Image.Context().Name(), img["repository"])
			assert.Equal(t, "1.2.3", img["tag"])
			assert.Equal(t, res.Image.DigestStr(), img["digest"])
			_, err = remote.Head(res.Image.Context().Digest(img["digest"].(string)))
			require.NoError(t, err, "the pinned image resolves by digest")
			assert.Contains(t, ch.Metadata.Annotations["artifacthub.io/images"], res.Image.Context().Name()+":1.2.3@"+res.Image.DigestStr())
			assert.Contains(t, ch.Metadata.Annotations["artifacthub.io/signKey"], "url: "+keys.PGP.PublicKeyURL)
			assert.NotEmpty(t, ch.Metadata.Annotations["artifacthub.io/changes"])

			// A tampered package fails helm verify.
			require.NoError(t, os.WriteFile(tgz, append(pulled.Chart.Data, 0), 0o644))
			_, err = verifier.Verify(tgz, tgz+".prov")
			assert.ErrorContains(t, err, "sha256 sum does not match")
		})
	}
}

// Re-releasing a version the registry has fails before pushing anything, whether the image tag
// or only a chart version exists.
func TestReleaseRefusesToOverwrite(t *testing.T) {
	ctx := context.Background()
	o, _ := setup(t)
	_, err := release.Run(ctx, o)
	require.NoError(t, err)
	before := snapshot(t, o.Registry)

	_, err = release.Run(ctx, o)
	require.ErrorIs(t, err, release.ErrExists)
	wants := []string{"flotilla/flotilla-hook:1.2.3", "nothing was pushed"}
	for _, c := range catalog.Charts() {
		wants = append(wants, "flotilla/charts/"+c.Name+":"+c.Version)
	}
	for _, want := range wants {
		assert.Contains(t, err.Error(), want)
	}
	assert.Equal(t, before, snapshot(t, o.Registry))

	// A new hook version with unchanged chart versions is refused too: the charts would pin
	// another image under a published version.
	o.Version = "1.2.4"
	_, err = release.Run(ctx, o)
	require.ErrorIs(t, err, release.ErrExists)
	assert.NotContains(t, err.Error(), "flotilla-hook:1.2.4")
	assert.Equal(t, before, snapshot(t, o.Registry))
}

func TestReleaseChecksInputsFirst(t *testing.T) {
	o, _ := setup(t)
	tests := []struct {
		name    string
		edit    func(*release.Options)
		wantErr string
	}{
		{name: "no registry", edit: func(o *release.Options) { o.Registry = "" }, wantErr: "no registry"},
		{name: "version", edit: func(o *release.Options) { o.Version = "v1" }, wantErr: `version "v1" is not SemVer`},
		{name: "build metadata", edit: func(o *release.Options) { o.Version = "1.0.0+abc" }, wantErr: "cannot be an image tag"},
		{name: "pgp passphrase", edit: func(o *release.Options) { o.PGP.Passphrase = []byte("wrong") }, wantErr: "PGP key"},
		{name: "pgp key url", edit: func(o *release.Options) { o.PGP.PublicKeyURL = "" }, wantErr: "public key's URL"},
		{name: "cosign password", edit: func(o *release.Options) { o.CosignPassword = []byte("wrong") }, wantErr: "signing key"},
		{name: "no charts", edit: func(o *release.Options) { o.ChartsDir = t.TempDir() }, wantErr: "no chart"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			oo := o
			tt.edit(&oo)
			_, err := release.Run(context.Background(), oo)
			assert.ErrorContains(t, err, tt.wantErr)
			assert.Empty(t, snapshot(t, o.Registry), "nothing pushed")
		})
	}
}
