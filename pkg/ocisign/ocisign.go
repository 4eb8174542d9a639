// Package ocisign signs and verifies OCI artifacts (images, Helm charts) the way
// `cosign sign --key KEY --tlog-upload=false` and `cosign verify --key KEY.pub
// --insecure-ignore-tlog` do: a "simple signing" payload naming the manifest digest, signed with
// a local key through sigstore's signature library, stored as a layer of the image tagged
// sha256-<digest>.sig in the artifact's repository. No transparency log, no certificates.
package ocisign

import (
	"bytes"
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/payload"
)

// Cosign's names for the signature layer and its annotation.
const (
	SimpleSigningMediaType types.MediaType = "application/vnd.dev.cosign.simplesigning.v1+json"
	SignatureAnnotation                    = "dev.cosignproject.cosign/signature"
)

// Signer signs artifact digests with one private key.
type Signer struct {
	sv signature.SignerVerifier
}

// LoadSigner reads a PEM private key: cosign's encrypted key (`cosign generate-key-pair`,
// password as COSIGN_PASSWORD gives it) or an unencrypted PKCS#8/SEC 1 key (nil password).
func LoadSigner(pemFile string, password []byte) (*Signer, error) {
	data, err := os.ReadFile(pemFile)
	if err != nil {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	priv, err := cryptoutils.UnmarshalPEMToPrivateKey(data, cryptoutils.StaticPasswordFunc(password))
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", pemFile, err)
	}
	return NewSigner(priv)
}

// NewSigner signs with priv (ECDSA, RSA or Ed25519) and SHA-256, as cosign does.
func NewSigner(priv crypto.PrivateKey) (*Signer, error) {
	sv, err := signature.LoadSignerVerifier(priv, crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("load signing key: %w", err)
	}
	return &Signer{sv: sv}, nil
}

// PublicKeyPEM is the verification key, as cosign writes cosign.pub.
func (s *Signer) PublicKeyPEM() ([]byte, error) {
	pub, err := s.sv.PublicKey()
	if err != nil {
		return nil, err
	}
	return cryptoutils.MarshalPublicKeyToPEM(pub)
}

// SignatureTag is where cosign keeps the signatures of d: <repo>:sha256-<hex>.sig.
func SignatureTag(d name.Digest) name.Tag {
	return d.Context().Tag(strings.Replace(d.DigestStr(), ":", "-", 1) + ".sig")
}

// Sign signs d and pushes the signature to SignatureTag(d), keeping signatures already there
// (cosign appends too). It returns the signature tag.
func (s *Signer) Sign(ctx context.Context, d name.Digest, opts ...remote.Option) (name.Tag, error) {
	tag := SignatureTag(d)
	body, err := payload.Cosign{Image: d}.MarshalJSON()
	if err != nil {
		return tag, fmt.Errorf("signature payload for %s: %w", d, err)
	}
	sig, err := s.sv.SignMessage(bytes.NewReader(body))
	if err != nil {
		return tag, fmt.Errorf("sign %s: %w", d, err)
	}
	opts = append(slices.Clone(opts), remote.WithContext(ctx))
	base, err := existing(tag, opts)
	if err != nil {
		return tag, err
	}
	img, err := mutate.Append(base, mutate.Addendum{
		Layer:       static.NewLayer(body, SimpleSigningMediaType),
		Annotations: map[string]string{SignatureAnnotation: base64.StdEncoding.EncodeToString(sig)},
	})
	if err != nil {
		return tag, fmt.Errorf("signature image for %s: %w", d, err)
	}
	if err := remote.Write(tag, img, opts...); err != nil {
		return tag, fmt.Errorf("push signature %s: %w", tag, err)
	}
	return tag, nil
}

// existing is the signature image already at tag, or an empty OCI image.
func existing(tag name.Tag, opts []remote.Option) (v1.Image, error) {
	img, err := remote.Image(tag, opts...)
	if err == nil {
		return img, nil
	}
	if !IsNotFound(err) {
		return nil, fmt.Errorf("read signatures %s: %w", tag, err)
	}
	return mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON), nil
}

// IsNotFound tells a missing manifest or repository from other registry errors.
func IsNotFound(err error) bool {
	var te *transport.Error
	if errors.As(err, &te) {
		if te.StatusCode == 404 {
			return true
		}
		for _, d := range te.Errors {
			if d.Code == transport.ManifestUnknownErrorCode || d.Code == transport.NameUnknownErrorCode {
				return true
			}
		}
	}
	return false
}

// LoadPublicKey reads a PEM public key (cosign.pub).
func LoadPublicKey(pemBytes []byte) (crypto.PublicKey, error) {
	pub, err := cryptoutils.UnmarshalPEMToPublicKey(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("public key: %w", err)
	}
	return pub, nil
}

// Verify checks that a signature stored for d verifies with pub and names d's digest and
// repository, as `cosign verify --key` does without a transparency log.
func Verify(ctx context.Context, d name.Digest, pub crypto.PublicKey, opts ...remote.Option) error {
	verifier, err := signature.LoadVerifier(pub, crypto.SHA256)
	if err != nil {
		return fmt.Errorf("load verification key: %w", err)
	}
	tag := SignatureTag(d)
	img, err := remote.Image(tag, append(slices.Clone(opts), remote.WithContext(ctx))...)
	if err != nil {
		return fmt.Errorf("%s has no signature (%s): %w", d, tag, err)
	}
	m, err := img.Manifest()
	if err != nil {
		return fmt.Errorf("read %s: %w", tag, err)
	}
	var problems []error
	for _, desc := range m.Layers {
		if desc.MediaType != SimpleSigningMediaType {
			continue
		}
		if err := verifyLayer(img, desc, d, verifier); err != nil {
			problems = append(problems, err)
			continue
		}
		return nil
	}
	if len(problems) == 0 {
		return fmt.Errorf("%s: no cosign signature layer", tag)
	}
	return fmt.Errorf("no signature of %s verifies with the key: %w", d, errors.Join(problems...))
}

func verifyLayer(img v1.Image, desc v1.Descriptor, d name.Digest, verifier signature.Verifier) error {
	sig, err := base64.StdEncoding.DecodeString(desc.Annotations[SignatureAnnotation])
	if err != nil || len(sig) == 0 {
		return fmt.Errorf("layer %s: no base64 %s annotation", desc.Digest, SignatureAnnotation)
	}
	layer, err := img.LayerByDigest(desc.Digest)
	if err != nil {
		return fmt.Errorf("layer %s: %w", desc.Digest, err)
	}
	rc, err := layer.Compressed() // verifies the blob against its digest
	if err != nil {
		return fmt.Errorf("layer %s: %w", desc.Digest, err)
	}
	defer rc.Close()
	body, err := io.ReadAll(rc)
	if err != nil {
		return fmt.Errorf("layer %s: %w", desc.Digest, err)
	}
	if err := verifier.VerifySignature(bytes.NewReader(sig), bytes.NewReader(body)); err != nil {
		return fmt.Errorf("layer %s: %w", desc.Digest, err)
	}
	var p payload.SimpleContainerImage
	if err := json.Unmarshal(body, &p); err != nil {
		return fmt.Errorf("layer %s: payload: %w", desc.Digest, err)
	}
	if p.Critical.Type != payload.CosignSignatureType || p.Critical.Image.DockerManifestDigest != d.DigestStr() {
		return fmt.Errorf("layer %s: signed payload is for %q (%s), not %s", desc.Digest, p.Critical.Image.DockerManifestDigest, p.Critical.Type, d.DigestStr())
	}
	if p.Critical.Identity.DockerReference != d.Context().Name() {
		return fmt.Errorf("layer %s: signed payload names %s, not %s", desc.Digest, p.Critical.Identity.DockerReference, d.Context().Name())
	}
	return nil
}
