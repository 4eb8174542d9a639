// Package secretensure creates the Secrets a chart generates, in the cluster, once: what
// `flotilla-hook secrets ensure` runs in the charts' pre-install/pre-upgrade Job when
// secrets.generation is hook, so that `helm template` (Argo CD) renders no random value.
//
// A Secret that does not exist is created with values of the declared shapes
// (pkg/secretgen/genvalue); one that exists is never changed, except that keys it lacks are
// added (and only those). Concurrent runs are safe: creation is create-if-absent (AlreadyExists
// means another run won: re-read), and adding keys is a merge patch carrying the
// resourceVersion that was read, which the apiserver refuses with Conflict if the Secret changed
// meanwhile (then re-read). So every run ends with the same values, whoever wrote them.
package secretensure

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	cv "github.com/flotilla/flotilla/pkg/chartvalues"
	"github.com/flotilla/flotilla/pkg/secretgen/genvalue"
)

// FieldManager is the field manager of every write, and the value of the
// app.kubernetes.io/created-by label of the Secrets created.
const FieldManager = "flotilla-hook"

// CreatedByLabel marks the Secrets Ensure creates.
const CreatedByLabel = "app.kubernetes.io/created-by"

// maxAttempts bounds the re-reads after losing a race to a concurrent run.
const maxAttempts = 8

// Key is one key of a Secret and the shape of its value.
type Key struct {
	Name  string
	Shape cv.SecretShape
}

// Spec is one Secret to ensure.
type Spec struct {
	Name string
	Keys []Key
}

var (
	secretName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	keyName    = regexp.MustCompile(`^[-._a-zA-Z0-9]+$`)
)

// ParseSpec reads NAME:KEY=SHAPE[,KEY=SHAPE...], the form the charts pass to --secret. SHAPE is
// random:N (N letters and digits), fernet, rsa-private-key or rsa-public-key (the public key of
// the same Secret's private key; both or neither).
func ParseSpec(s string) (Spec, error) {
	name, rest, ok := strings.Cut(s, ":")
	if !ok || rest == "" {
		return Spec{}, fmt.Errorf("%q: want NAME:KEY=SHAPE[,KEY=SHAPE...]", s)
	}
	if len(name) > 253 || !secretName.MatchString(name) {
		return Spec{}, fmt.Errorf("%q: %q is not a valid Secret name (lower-case DNS subdomain)", s, name)
	}
	sp := Spec{Name: name}
	seen := map[string]bool{}
	var priv, pub bool
	for _, kv := range strings.Split(rest, ",") {
		k, shape, ok := strings.Cut(kv, "=")
		if !ok || !keyName.MatchString(k) {
			return Spec{}, fmt.Errorf("Secret %s: %q: want KEY=SHAPE with KEY of letters, digits, '-', '_' and '.'", name, kv)
		}
		if seen[k] {
			return Spec{}, fmt.Errorf("Secret %s: key %s given twice", name, k)
		}
		seen[k] = true
		sh, err := parseShape(shape)
		if err != nil {
			return Spec{}, fmt.Errorf("Secret %s key %s: %w", name, k, err)
		}
		priv = priv || sh.Kind == cv.SecretRSAPrivateKey
		pub = pub || sh.Kind == cv.SecretRSAPublicKey
		sp.Keys = append(sp.Keys, Key{Name: k, Shape: sh})
	}
	if priv != pub {
		return Spec{}, fmt.Errorf("Secret %s: rsa-private-key and rsa-public-key come as a pair: give both or neither", name)
	}
	return sp, nil
}

func parseShape(s string) (cv.SecretShape, error) {
	switch s {
	case string(cv.SecretFernet):
		return cv.Fernet, nil
	case string(cv.SecretRSAPrivateKey):
		return cv.RSAPrivateKey, nil
	case string(cv.SecretRSAPublicKey):
		return cv.RSAPublicKey, nil
	}
	if n, ok := strings.CutPrefix(s, string(cv.SecretRandom)+":"); ok {
		if l, err := strconv.Atoi(n); err == nil && l >= 8 && l <= 4096 {
			return cv.Random(l), nil
		}
		return cv.SecretShape{}, fmt.Errorf("shape %q: the length of random:N must be 8 to 4096", s)
	}
	return cv.SecretShape{}, fmt.Errorf("unknown shape %q: allowed random:N, fernet, rsa-private-key, rsa-public-key", s)
}

// Result is what Ensure did with one Secret.
type Result struct {
	Name string
	// Created is true when this run created the Secret.
	Created bool
	// Added lists the keys this run added to a Secret that lacked them.
	Added []string
	// Races counts the writes lost to a concurrent run (then re-read).
	Races int
}

func (r Result) String() string {
	switch {
	case r.Created:
		return "created " + r.Name
	case len(r.Added) > 0:
		return fmt.Sprintf("added %s to %s", strings.Join(r.Added, ","), r.Name)
	}
	return r.Name + " unchanged"
}

// Options of Ensure.
type Options struct {
	// Labels of the Secrets created (besides CreatedByLabel); existing Secrets keep theirs.
	Labels map[string]string
}

// Ensure makes every Secret of specs exist with every key of its spec, through client (one
// namespace). It needs get and patch on those Secret names and create on Secrets.
func Ensure(ctx context.Context, client Client, specs []Spec, o Options) ([]Result, error) {
	out := make([]Result, 0, len(specs))
	for _, sp := range specs {
		r, err := ensure(ctx, client, sp, o)
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

func ensure(ctx context.Context, client Client, sp Spec, o Options) (Result, error) {
	r := Result{Name: sp.Name}
	for attempt := 0; attempt < maxAttempts; attempt++ {
		cur, err := client.Get(ctx, sp.Name)
		switch {
		case apierrors.IsNotFound(err):
			data, err := values(sp, sp.Keys, nil)
			if err != nil {
				return r, err
			}
			err = client.Create(ctx, newSecret(sp.Name, data, o))
			if apierrors.IsAlreadyExists(err) {
				r.Races++ // a concurrent run created it first: keep its values
				continue
			}
			if err != nil {
				return r, fmt.Errorf("create Secret %s: %w", sp.Name, err)
			}
			r.Created = true
			return r, nil
		case err != nil:
			return r, fmt.Errorf("get Secret %s: %w", sp.Name, err)
		}
		var missing []Key
		for _, k := range sp.Keys {
			if _, ok := cur.Data[k.Name]; !ok {
				missing = append(missing, k)
			}
		}
		if len(missing) == 0 {
			return r, nil
		}
		data, err := values(sp, missing, cur.Data)
		if err != nil {
			return r, err
		}
		patch, err := json.Marshal(map[string]any{
			// The resourceVersion read is a precondition: Conflict if the Secret changed since.
			"metadata": map[string]any{"resourceVersion": cur.ResourceVersion},
			"data":     data, // []byte values marshal to base64, as the API wants
		})
		if err != nil {
			return r, err
		}
		err = client.MergePatch(ctx, sp.Name, patch)
		if apierrors.IsConflict(err) {
			r.Races++
			continue
		}
		if err != nil {
			return r, fmt.Errorf("add keys to Secret %s: %w", sp.Name, err)
		}
		for _, k := range missing {
			r.Added = append(r.Added, k.Name)
		}
		return r, nil
	}
	return r, fmt.Errorf("Secret %s: still changing under concurrent writers after %d attempts", sp.Name, maxAttempts)
}

// values makes the values of keys; have is what the Secret already holds (nil when new), from
// which a missing RSA public key is derived.
func values(sp Spec, keys []Key, have map[string][]byte) (map[string][]byte, error) {
	pair := &genvalue.KeyPair{}
	for _, k := range sp.Keys {
		if k.Shape.Kind != cv.SecretRSAPrivateKey {
			continue
		}
		priv, ok := have[k.Name]
		if !ok {
			break
		}
		if err := pair.Use(string(priv)); err != nil {
			return nil, fmt.Errorf("Secret %s key %s: %w; cannot derive the public key", sp.Name, k.Name, err)
		}
	}
	out := map[string][]byte{}
	for _, k := range keys {
		if k.Shape.Kind == cv.SecretRSAPrivateKey && hasKind(sp, have, cv.SecretRSAPublicKey) {
			return nil, fmt.Errorf("Secret %s holds a public key but not its private key %s: a new private key would not match it; delete the Secret (both keys are then made) or add the private key yourself", sp.Name, k.Name)
		}
		v, err := genvalue.Value(k.Shape, pair)
		if err != nil {
			return nil, fmt.Errorf("Secret %s key %s: %w", sp.Name, k.Name, err)
		}
		out[k.Name] = []byte(v)
	}
	return out, nil
}

// hasKind reports whether the existing data has a key of the spec with that shape kind.
func hasKind(sp Spec, have map[string][]byte, kind cv.SecretKind) bool {
	for _, k := range sp.Keys {
		if _, ok := have[k.Name]; ok && k.Shape.Kind == kind {
			return true
		}
	}
	return false
}

func newSecret(name string, data map[string][]byte, o Options) *Secret {
	labels := map[string]string{}
	for k, v := range o.Labels {
		labels[k] = v
	}
	labels[CreatedByLabel] = FieldManager
	return &Secret{Name: name, Labels: labels, Data: data}
}
