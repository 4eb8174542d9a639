package chartvalues

import (
	"fmt"
	"reflect"
	"strings"
)

// Placeholder is the value `flotilla secrets` writes where only the user knows the real one
// (credentials issued elsewhere, certificates).
const Placeholder = "CHANGE_ME"

// SecretKind is how a Secret key's value is made.
type SecretKind string

// The kinds of value a Secret key can hold.
const (
	// SecretRandom is SecretShape.Length random letters and digits (URL-safe: passwords go into connection URLs).
	SecretRandom SecretKind = "random"
	// SecretFernet is a Fernet key: url-safe base64 of 32 random bytes.
	SecretFernet SecretKind = "fernet"
	// SecretRSAPrivateKey is a 4096-bit RSA private key, PKCS#1 PEM.
	SecretRSAPrivateKey SecretKind = "rsa-private-key"
	// SecretRSAPublicKey is the public half of the RSA private key in the same Secret, SubjectPublicKeyInfo PEM.
	SecretRSAPublicKey SecretKind = "rsa-public-key"
	// SecretPlaceholder is a value only the user has (SecretShape.Hint says which): written as Placeholder.
	SecretPlaceholder SecretKind = "placeholder"
)

// SecretShape is what a Secret key's value looks like.
type SecretShape struct {
	Kind SecretKind
	// Length of a SecretRandom value.
	Length int
	// Hint tells the user what to put in a SecretPlaceholder value.
	Hint string
}

// Random is the shape of length random letters and digits.
func Random(length int) SecretShape { return SecretShape{Kind: SecretRandom, Length: length} }

// Provided is the shape of a value only the user has; hint says which.
func Provided(hint string) SecretShape { return SecretShape{Kind: SecretPlaceholder, Hint: hint} }

// The shapes of keys and key pairs.
var (
	Fernet        = SecretShape{Kind: SecretFernet}
	RSAPrivateKey = SecretShape{Kind: SecretRSAPrivateKey}
	RSAPublicKey  = SecretShape{Kind: SecretRSAPublicKey}
)

// Describe says in a few words what a value of this shape is.
func (s SecretShape) Describe() string {
	switch s.Kind {
	case SecretRandom:
		return fmt.Sprintf("%d random letters and digits", s.Length)
	case SecretFernet:
		return "a Fernet key (url-safe base64 of 32 random bytes)"
	case SecretRSAPrivateKey:
		return "a 4096-bit RSA private key (PKCS#1 PEM)"
	case SecretRSAPublicKey:
		return "the public key of that RSA key (SubjectPublicKeyInfo PEM)"
	case SecretPlaceholder:
		return Placeholder + ": " + s.Hint
	}
	return string(s.Kind)
}

// SecretKey declares one key of a Secret that a values block names by its fields. Each values
// type that names Secrets declares them with a SecretKeys method, next to its fields: that
// table is the one place `flotilla secrets` and the chart READMEs learn what a key must hold.
type SecretKey struct {
	// Secret is the JSON name of the block's field holding the Secret's name (existingSecret).
	Secret string
	// Key is the JSON name of the field holding the key's name; empty when FixedKey is set.
	Key string
	// FixedKey is the key's name when the chart fixes it (tls.crt of a kubernetes.io/tls Secret).
	FixedKey string
	// Inline is the JSON name of a field that may give the value in the values (password);
	// when it is set there, that value goes into the Secret instead of a generated one.
	Inline string
	// Type of the Secret; empty means Opaque.
	Type string
	// Use says what the value is for (the variable the app reads it as).
	Use   string
	Shape SecretShape
}

// SecretDeclarer is a values block that names Secrets.
type SecretDeclarer interface {
	SecretKeys() []SecretKey
}

// SecretDecl is a declared SecretKey with its block's fields as dotted values paths.
type SecretDecl struct {
	SecretKey
	// SecretPath, KeyPath and InlinePath are SecretKey's fields as paths from the values root
	// (KeyPath and InlinePath empty when the declaration has no such field).
	SecretPath, KeyPath, InlinePath string
}

// DeclaredSecrets walks a chart's values struct and returns every SecretKey its blocks declare,
// in field order. A declaration naming a field its block lacks is an error.
func DeclaredSecrets(values any) ([]SecretDecl, error) {
	var out []SecretDecl
	var walk func(v reflect.Value, prefix string) error
	walk = func(v reflect.Value, prefix string) error {
		t := v.Type()
		if d, ok := v.Interface().(SecretDeclarer); ok {
			fields := jsonFields(t)
			path := func(name string) (string, error) {
				if name == "" {
					return "", nil
				}
				if !fields[name] {
					return "", fmt.Errorf("%s (%s) declares a Secret field %q it does not have", strings.TrimPrefix(prefix, "."), t, name)
				}
				return strings.TrimPrefix(prefix+"."+name, "."), nil
			}
			for _, k := range d.SecretKeys() {
				var dec SecretDecl
				var err error
				dec.SecretKey = k
				if dec.SecretPath, err = path(k.Secret); err != nil {
					return err
				}
				if dec.KeyPath, err = path(k.Key); err != nil {
					return err
				}
				if dec.InlinePath, err = path(k.Inline); err != nil {
					return err
				}
				if k.Secret == "" || (k.Key == "") == (k.FixedKey == "") {
					return fmt.Errorf("%s (%s): a SecretKey needs Secret and exactly one of Key and FixedKey", strings.TrimPrefix(prefix, "."), t)
				}
				out = append(out, dec)
			}
		}
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			if !sf.IsExported() || sf.Type.Kind() != reflect.Struct {
				continue
			}
			name := jsonFieldName(sf)
			if sf.Anonymous && sf.Tag.Get("json") == "" {
				name = "" // embedded block: its fields sit at this level, as in JSON
			}
			p := prefix
			if name != "" {
				p += "." + name
			}
			if err := walk(v.Field(i), p); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(reflect.Indirect(reflect.ValueOf(values)), ""); err != nil {
		return nil, err
	}
	return out, nil
}

func jsonFields(t reflect.Type) map[string]bool {
	out := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		if n := jsonFieldName(t.Field(i)); n != "" && n != "-" {
			out[n] = true
		}
	}
	return out
}

func jsonFieldName(sf reflect.StructField) string {
	name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
	if name == "" {
		return sf.Name
	}
	return name
}

// Lookup returns the value at a dotted path of a values map.
func Lookup(values map[string]any, path string) (any, bool) {
	var cur any = values
	for _, p := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// LookupString is Lookup for a string value; "" when absent or not a string.
func LookupString(values map[string]any, path string) string {
	v, _ := Lookup(values, path)
	s, _ := v.(string)
	return s
}

// RandomKeys declares keys of a block's existingSecret that hold random values of one length:
// fieldAndUse alternates the JSON name of each key's field and the variable the app reads it as.
func RandomKeys(length int, fieldAndUse ...string) []SecretKey {
	var out []SecretKey
	for i := 0; i+1 < len(fieldAndUse); i += 2 {
		out = append(out, SecretKey{Secret: "existingSecret", Key: fieldAndUse[i], Use: fieldAndUse[i+1], Shape: Random(length)})
	}
	return out
}

// S3CredentialKeys declares an existingSecret holding S3-style credentials issued by a provider
// (named in the hints), in the fields existingSecretAccessKeyIdKey and existingSecretSecretAccessKeyKey;
// idUse and secretUse are the variables the app reads them as.
func S3CredentialKeys(provider, idUse, secretUse string) []SecretKey {
	return []SecretKey{
		{Secret: "existingSecret", Key: "existingSecretAccessKeyIdKey", Use: idUse,
			Shape: Provided("the access key ID of your " + provider + " credentials")},
		{Secret: "existingSecret", Key: "existingSecretSecretAccessKeyKey", Use: secretUse,
			Shape: Provided("the secret access key of your " + provider + " credentials")},
	}
}

// Declarations of the shared blocks.

// SecretKeys: the bundled PostgreSQL is initialised with whatever the Secret holds. With mode
// cloudnative-pg, CloudNativePG's initdb reads the owner's name from the key username too.
func (PostgreSQLAuth) SecretKeys() []SecretKey {
	return []SecretKey{
		{Secret: "existingSecret", Key: "existingSecretPasswordKey", Inline: "password",
			Use: "password of the bundled PostgreSQL", Shape: Random(40)},
		{Secret: "existingSecret", FixedKey: "username", Inline: "username",
			Use: "owner role CloudNativePG's initdb creates (mode cloudnative-pg)", Shape: Provided("the value of auth.username")},
	}
}

// SecretKeys: the bundled Redis starts with whatever the Secret holds.
func (RedisAuth) SecretKeys() []SecretKey {
	return []SecretKey{{Secret: "existingSecret", Key: "existingSecretPasswordKey", Inline: "password",
		Use: "password of the bundled Redis", Shape: Random(40)}}
}

// SecretKeys: an external Redis already has its password.
func (ExternalRedis) SecretKeys() []SecretKey {
	return []SecretKey{{Secret: "existingSecret", Key: "existingSecretPasswordKey", Inline: "password",
		Use: "password of the external Redis", Shape: Provided("the password of your Redis")}}
}
