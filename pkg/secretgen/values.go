package secretgen

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"

	cv "github.com/flotilla/flotilla/pkg/chartvalues"
)

const alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// rsaBits is the size of generated RSA keys: what the charts' own flotilla.rsaKeyPairSecret makes.
const rsaBits = 4096

// keyPair makes the RSA key of one Secret once, so its private and public keys match.
type keyPair struct{ key *rsa.PrivateKey }

func (p *keyPair) get() (*rsa.PrivateKey, error) {
	if p.key == nil {
		k, err := rsa.GenerateKey(rand.Reader, rsaBits)
		if err != nil {
			return nil, fmt.Errorf("generate RSA key: %w", err)
		}
		p.key = k
	}
	return p.key, nil
}

// value makes a value of the shape; the RSA shapes of one Secret share pair.
func value(s cv.SecretShape, pair *keyPair) (string, error) {
	switch s.Kind {
	case cv.SecretRandom:
		return randomString(s.Length)
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

func randomString(n int) (string, error) {
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
