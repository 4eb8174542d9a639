// Package genvalue makes Secret values of the shapes the charts declare (chartvalues.SecretShape):
// random letters and digits, Fernet keys, RSA key pairs. It has no Helm or Kubernetes
// dependency, so flotilla-hook links it without the renderer (pkg/secretgen plans with it,
// pkg/secretensure creates Secrets in a cluster with it).
package genvalue

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"

	cv "github.com/flotilla/flotilla/pkg/chartvalues"
)

const alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// RSABits is the size of generated RSA keys: what the charts' own flotilla.generatedSecret makes.
const RSABits = 4096

// KeyPair makes the RSA key of one Secret once, so its private and public keys match. The zero
// value is ready; Use sets an existing private key instead.
type KeyPair struct{ key *rsa.PrivateKey }

// Use makes the pair the private key of privatePEM (PKCS#1 or PKCS#8 RSA), so a missing public
// key is derived from the private key a Secret already holds.
func (p *KeyPair) Use(privatePEM string) error {
	blk, _ := pem.Decode([]byte(privatePEM))
	if blk == nil {
		return errors.New("not a PEM block")
	}
	if k, err := x509.ParsePKCS1PrivateKey(blk.Bytes); err == nil {
		p.key = k
		return nil
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return fmt.Errorf("not an RSA private key: %w", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return fmt.Errorf("a %T, not an RSA private key", k)
	}
	p.key = rk
	return nil
}

func (p *KeyPair) get() (*rsa.PrivateKey, error) {
	if p.key == nil {
		k, err := rsa.GenerateKey(rand.Reader, RSABits)
		if err != nil {
			return nil, fmt.Errorf("generate RSA key: %w", err)
		}
		p.key = k
	}
	return p.key, nil
}

// Value makes a value of the shape; the RSA shapes of one Secret share pair. A placeholder
// shape gives chartvalues.Placeholder.
func Value(s cv.SecretShape, pair *KeyPair) (string, error) {
	switch s.Kind {
	case cv.SecretRandom:
		return Random(s.Length)
	case cv.SecretFernet:
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
		return base64.URLEncoding.EncodeToString(b), nil
	case cv.SecretRSAPrivateKey:
		k, err := pair.get()
		if err != nil {
			return "", err
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})), nil
	case cv.SecretRSAPublicKey:
		k, err := pair.get()
		if err != nil {
			return "", err
		}
		der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
		if err != nil {
			return "", err
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
	case cv.SecretPlaceholder:
		return cv.Placeholder, nil
	}
	return "", fmt.Errorf("unknown secret shape %q", s.Kind)
}

// Random is n random letters and digits (crypto/rand, uniform).
func Random(n int) (string, error) {
	if n <= 0 {
		return "", fmt.Errorf("random value of length %d", n)
	}
	b := make([]byte, n)
	max := big.NewInt(int64(len(alphanumeric)))
	for i := range b {
		x, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", err
		}
		b[i] = alphanumeric[x.Int64()]
	}
	return string(b), nil
}
