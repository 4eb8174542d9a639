package ocisign_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/ocisign"
)

// pushRandom pushes a random image to a fresh in-process registry and returns its digest.
func pushRandom(t *testing.T, repo string) name.Digest {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	return pushTo(t, strings.TrimPrefix(srv.URL, "http://")+"/"+repo)
}

func pushTo(t *testing.T, repo string) name.Digest {
	t.Helper()
	img, err := random.Image(64, 1)
	require.NoError(t, err)
	ref, err := name.ParseReference(repo+":v1", name.Insecure)
	require.NoError(t, err)
	require.NoError(t, remote.Write(ref, img))
	d, err := img.Digest()
	require.NoError(t, err)
	return ref.Context().Digest(d.String())
}

func newSigner(t *testing.T) (*ocisign.Signer, []byte) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	s, err := ocisign.NewSigner(priv)
	require.NoError(t, err)
	pub, err := s.PublicKeyPEM()
	require.NoError(t, err)
	return s, pub
}

func TestSignVerify(t *testing.T) {
	ctx := context.Background()
	d := pushRandom(t, "flotilla/flotilla-hook")
	signer, pubPEM := newSigner(t)
	_, otherPEM := newSigner(t)
	pub, err := ocisign.LoadPublicKey(pubPEM)
	require.NoError(t, err)
	other, err := ocisign.LoadPublicKey(otherPEM)
	require.NoError(t, err)

	assert.ErrorContains(t, ocisign.Verify(ctx, d, pub), "has no signature", "unsigned")

	tag, err := signer.Sign(ctx, d)
	require.NoError(t, err)
	assert.Equal(t, "sha256-"+strings.TrimPrefix(d.DigestStr(), "sha256:")+".sig", tag.TagStr())
	require.NoError(t, ocisign.Verify(ctx, d, pub))
	assert.ErrorContains(t, ocisign.Verify(ctx, d, other), "no signature of "+d.String()+" verifies with the key")

	// A second signature is appended, as cosign does; both keys then verify.
	otherSigner, _ := newSigner(t)
	_, err = otherSigner.Sign(ctx, d)
	require.NoError(t, err)
	img, err := remote.Image(tag)
	require.NoError(t, err)
	layers, err := img.Layers()
	require.NoError(t, err)
	assert.Len(t, layers, 2)
	require.NoError(t, ocisign.Verify(ctx, d, pub))
}

// A signature copied to another artifact's signature tag does not verify it: the payload names
// the digest it was made for.
func TestVerifyRejectsSignatureOfAnotherDigest(t *testing.T) {
	ctx := context.Background()
	d := pushRandom(t, "charts/flowise")
	other := pushTo(t, d.Context().Name())
	signer, pubPEM := newSigner(t)
	pub, err := ocisign.LoadPublicKey(pubPEM)
	require.NoError(t, err)
	tag, err := signer.Sign(ctx, d)
	require.NoError(t, err)
	sigImg, err := remote.Image(tag)
	require.NoError(t, err)
	require.NoError(t, remote.Write(ocisign.SignatureTag(other), sigImg))

	err = ocisign.Verify(ctx, other, pub)
	assert.ErrorContains(t, err, "signed payload is for \""+d.DigestStr()+"\"")
}

func TestLoadSignerCosignKey(t *testing.T) {
	dir := t.TempDir()
	privPEM, pubPEM, err := cryptoutils.GeneratePEMEncodedECDSAKeyPair(elliptic.P256(), cryptoutils.StaticPasswordFunc([]byte("s3cret")))
	require.NoError(t, err)
	keyFile := filepath.Join(dir, "cosign.key")
	require.NoError(t, os.WriteFile(keyFile, privPEM, 0o600))

	s, err := ocisign.LoadSigner(keyFile, []byte("s3cret"))
	require.NoError(t, err)
	got, err := s.PublicKeyPEM()
	require.NoError(t, err)
	assert.Equal(t, string(pubPEM), string(got))

	_, err = ocisign.LoadSigner(keyFile, []byte("wrong"))
	assert.ErrorContains(t, err, "signing key "+keyFile)
	_, err = ocisign.LoadSigner(filepath.Join(dir, "missing.key"), nil)
	assert.ErrorContains(t, err, "read signing key")
}
