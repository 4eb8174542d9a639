package release

import (
	"fmt"
	"os"
	"strings"

	"helm.sh/helm/v3/pkg/provenance"
)

// PGPKey signs chart packages with Helm provenance files, as `helm package --sign --keyring
// KEYRING --key NAME` does.
type PGPKey struct {
	// Keyring is an OpenPGP secret keyring in binary form (`gpg --export-secret-keys NAME`).
	Keyring string
	// Name selects the key by its user id (or a part of it) in the keyring.
	Name string
	// Passphrase unlocks an encrypted key; nil when the key is not encrypted.
	Passphrase []byte
	// PublicKeyURL is where users fetch the public key; it goes to artifacthub.io/signKey.
	PublicKeyURL string
}

// provSigner is a loaded, unlocked PGP key.
type provSigner struct {
	sig         *provenance.Signatory
	fingerprint string
	url         string
}

func loadPGP(k PGPKey) (*provSigner, error) {
	if k.Keyring == "" || k.Name == "" || k.PublicKeyURL == "" {
		return nil, fmt.Errorf("PGP signing needs a keyring, a key name and the public key's URL (for artifacthub.io/signKey)")
	}
	sig, err := provenance.NewFromKeyring(k.Keyring, k.Name)
	if err != nil {
		return nil, fmt.Errorf("PGP keyring %s: %w", k.Keyring, err)
	}
	if sig.Entity == nil {
		return nil, fmt.Errorf("PGP keyring %s has no key named %q", k.Keyring, k.Name)
	}
	if err := sig.DecryptKey(func(string) ([]byte, error) { return k.Passphrase, nil }); err != nil {
		return nil, fmt.Errorf("PGP key %q: %w", k.Name, err)
	}
	return &provSigner{sig: sig, fingerprint: strings.ToUpper(fmt.Sprintf("%x", sig.Entity.PrimaryKey.Fingerprint)), url: k.PublicKeyURL}, nil
}

// signKey is the artifacthub.io/signKey annotation.
func (p *provSigner) signKey() string {
	return fmt.Sprintf("fingerprint: %s\nurl: %s\n", p.fingerprint, p.url)
}

// sign writes tgz+".prov", Helm's clear-signed provenance of the package.
func (p *provSigner) sign(tgz string) (string, error) {
	prov, err := p.sig.ClearSign(tgz)
	if err != nil {
		return "", fmt.Errorf("sign %s: %w", tgz, err)
	}
	if err := os.WriteFile(tgz+".prov", []byte(prov), 0o644); err != nil {
		return "", err
	}
	return tgz + ".prov", nil
}
