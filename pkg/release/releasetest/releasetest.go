// Package releasetest makes throwaway signing keys for tests of pkg/release: an OpenPGP keyring
// as `gpg --export-secret-keys` writes it, and a cosign key pair as `cosign generate-key-pair`
// writes it.
package releasetest

import (
	"bytes"
	"crypto/elliptic"
	"os"
	"path/filepath"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/release"
)

// Keys are files under a test's temporary directory.
type Keys struct {
	// PGP is ready for release.Options.PGP (encrypted key, passphrase set).
	PGP release.PGPKey
	// PGPPublicRing is the public keyring `helm verify --keyring` takes.
	PGPPublicRing string
	// CosignKey is cosign's encrypted private key, CosignPassword its password, CosignPub the
	// public key `cosign verify --key` takes.
	CosignKey, CosignPub string
	CosignPassword       []byte
}

// NewKeys generates one OpenPGP key and one cosign key pair in dir.
func NewKeys(t testing.TB, dir string) Keys {
	t.Helper()
	k := Keys{
		PGP: release.PGPKey{
			Keyring: filepath.Join(dir, "secring.gpg"), Name: "Flotilla Test Release",
			Passphrase: []byte("pgp-pass"), PublicKeyURL: "https://example.invalid/flotilla.asc",
		},
		PGPPublicRing:  filepath.Join(dir, "pubring.gpg"),
		CosignKey:      filepath.Join(dir, "cosign.key"),
		CosignPub:      filepath.Join(dir, "cosign.pub"),
		CosignPassword: []byte("cosign-pass"),
	}
	e, err := openpgp.NewEntity(k.PGP.Name, "test only", "release@flotilla.invalid", nil)
	require.NoError(t, err)
	var pub bytes.Buffer
	require.NoError(t, e.Serialize(&pub))
	require.NoError(t, os.WriteFile(k.PGPPublicRing, pub.Bytes(), 0o644))
	require.NoError(t, e.EncryptPrivateKeys(k.PGP.Passphrase, nil))
	var sec bytes.Buffer
	require.NoError(t, e.SerializePrivateWithoutSigning(&sec, nil))
	require.NoError(t, os.WriteFile(k.PGP.Keyring, sec.Bytes(), 0o600))

	priv, pubPEM, err := cryptoutils.GeneratePEMEncodedECDSAKeyPair(elliptic.P256(), cryptoutils.StaticPasswordFunc(k.CosignPassword))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(k.CosignKey, priv, 0o600))
	require.NoError(t, os.WriteFile(k.CosignPub, pubPEM, 0o644))
	return k
}
