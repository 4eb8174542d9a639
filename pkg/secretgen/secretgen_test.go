package secretgen_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	"sigs.k8s.io/yaml"

	"github.com/flotilla/flotilla/pkg/catalog"
	"github.com/flotilla/flotilla/pkg/chartkit"
	cv "github.com/flotilla/flotilla/pkg/chartvalues"
	"github.com/flotilla/flotilla/pkg/render"
	"github.com/flotilla/flotilla/pkg/secretgen"
)

// checkShape fails unless value has the shape.
func checkShape(s cv.SecretShape, value string) error {
	switch s.Kind {
	case cv.SecretRandom:
		if !regexp.MustCompile(fmt.Sprintf(`^[A-Za-z0-9]{%d}$`, s.Length)).MatchString(value) {
			return fmt.Errorf("%q is not %d letters and digits", value, s.Length)
		}
	case cv.SecretFernet:
		b, err := base64.URLEncoding.DecodeString(value)
		if err != nil || len(b) != 32 {
			return fmt.Errorf("%q is not url-safe base64 of 32 bytes (%d bytes, %v)", value, len(b), err)
		}
	case cv.SecretRSAPrivateKey:
		blk, _ := pem.Decode([]byte(value))
		if blk == nil || blk.Type != "RSA PRIVATE KEY" {
			return fmt.Errorf("not a PKCS#1 PEM block: %.40q", value)
		}
		k, err := x509.ParsePKCS1PrivateKey(blk.Bytes)
		if err != nil {
			return err
		}
		if k.N.BitLen() != 4096 {
			return fmt.Errorf("RSA key of %d bits, want 4096", k.N.BitLen())
		}
	case cv.SecretRSAPublicKey:
		blk, _ := pem.Decode([]byte(value))
		if blk == nil || blk.Type != "PUBLIC KEY" {
			return fmt.Errorf("not an SPKI PEM block: %.40q", value)
		}
		if _, err := x509.ParsePKIXPublicKey(blk.Bytes); err != nil {
			return err
		}
	case cv.SecretPlaceholder:
		if value != cv.Placeholder {
			return fmt.Errorf("placeholder %q, want %s", value, cv.Placeholder)
		}
	}
	return nil
}

func chartDef(t *testing.T, name string) chartkit.Chart {
	t.Helper()
	for _, c := range catalog.Charts() {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no chart %s in the catalog", name)
	return chartkit.Chart{}
}

func declared(t *testing.T, name string) []cv.SecretDecl {
	t.Helper()
	d, err := cv.DeclaredSecrets(chartDef(t, name).Defaults)
	require.NoError(t, err)
	return d
}

func plan(t *testing.T, chart string, opts render.Options) []secretgen.Secret {
	t.Helper()
	ch, err := render.Load(context.Background(), chart, render.LoadOptions{})
	require.NoError(t, err)
	secrets, err := secretgen.Plan(ch, opts, declared(t, chart))
	require.NoError(t, err)
	return secrets
}

func find(secrets []secretgen.Secret, name string) *secretgen.Secret {
	for i := range secrets {
		if secrets[i].Name == name {
			return &secrets[i]
		}
	}
	return nil
}

func TestGeneratedValuesHaveTheirShape(t *testing.T) {
	// One Secret per shape, through a chart that references them all: flowkit's full scenario.
	secrets := plan(t, "flowkit", render.Options{ValueFiles: []string{"../../examples/flowkit/full-autoflow.yaml"}})
	tests := []struct {
		secret, key string
		shape       cv.SecretShape
	}{
		{"flowdb-passwords", "postgres-password", cv.Random(40)},
		{"flowapi-identifier", "flowapi-identifier", cv.Random(24)},
		{"flowauth-secrets", "secret-key", cv.Random(64)},
		{"flowauth-secrets", "fernet-key", cv.Fernet},
		{"flowetl-secrets", "fernet-key", cv.Fernet},
		{"flowkit-jwt", "private-key", cv.RSAPrivateKey},
		{"flowkit-jwt", "public-key", cv.RSAPublicKey},
		{"autoflow-flowapi-token", "flowapi-token", cv.Provided("")},
		{"flowapi-tls", "tls.crt", cv.Provided("")},
		{"flowapi-tls", "tls.key", cv.Provided("")},
	}
	for _, tc := range tests {
		t.Run(tc.secret+"/"+tc.key, func(t *testing.T) {
			s := find(secrets, tc.secret)
			require.NotNil(t, s)
			var got *secretgen.Key
			for i := range s.Keys {
				if s.Keys[i].Name == tc.key {
					got = &s.Keys[i]
				}
			}
			require.NotNil(t, got, "keys %v", s.Keys)
			assert.Equal(t, tc.shape.Kind, got.Shape.Kind)
			assert.NoError(t, checkShape(tc.shape, got.Value))
		})
	}
	assert.Equal(t, "kubernetes.io/tls", find(secrets, "flowapi-tls").Type)

	// The JWT pair is one key: the public key is the private key's.
	jwt := find(secrets, "flowkit-jwt")
	blk, _ := pem.Decode([]byte(jwt.Keys[0].Value))
	priv, err := x509.ParsePKCS1PrivateKey(blk.Bytes)
	require.NoError(t, err)
	blk, _ = pem.Decode([]byte(jwt.Keys[1].Value))
	pub, err := x509.ParsePKIXPublicKey(blk.Bytes)
	require.NoError(t, err)
	assert.True(t, priv.PublicKey.Equal(pub.(*rsa.PublicKey)), "public key is not the private key's")

	// Two plans never share a value.
	again := plan(t, "flowkit", render.Options{ValueFiles: []string{"../../examples/flowkit/full-autoflow.yaml"}})
	assert.NotEqual(t, find(secrets, "flowdb-passwords").Keys[0].Value, find(again, "flowdb-passwords").Keys[0].Value)
}

// Every field naming a Secret (existingSecret, …ExistingSecret) and every field naming one of its
// keys (…ExistingSecret…Key) of every chart's values is covered by a declaration: a new value
// naming a Secret cannot be added without saying what its keys hold.
func TestDeclarationsCoverEveryExistingSecretField(t *testing.T) {
	for _, c := range catalog.Charts() {
		t.Run(c.Name, func(t *testing.T) {
			decls, err := cv.DeclaredSecrets(c.Defaults)
			require.NoError(t, err)
			covered := map[string]bool{}
			for _, d := range decls {
				covered[d.SecretPath], covered[d.KeyPath] = true, true
			}
			for _, p := range stringPaths(reflect.TypeOf(c.Defaults), "") {
				last := p[strings.LastIndex(p, ".")+1:]
				names := last == "existingSecret" || strings.HasSuffix(last, "ExistingSecret")
				keys := (strings.HasPrefix(last, "existingSecret") || strings.Contains(last, "ExistingSecret")) && strings.HasSuffix(last, "Key")
				if (names || keys) && !covered[p] {
					t.Errorf("%s names a Secret or one of its keys but no SecretKeys method declares it", p)
				}
			}
		})
	}
}

// stringPaths lists the dotted JSON paths of every string field of a values type.
func stringPaths(t reflect.Type, prefix string) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		p := strings.TrimPrefix(prefix+"."+name, ".")
		if f.Anonymous && name == "" {
			p = prefix
		}
		switch f.Type.Kind() {
		case reflect.Struct:
			out = append(out, stringPaths(f.Type, p)...)
		case reflect.String:
			out = append(out, p)
		}
	}
	return out
}

// forEachExample runs a subtest per examples/<chart>/<name>.yaml.
func forEachExample(t *testing.T, test func(t *testing.T, chart, file string)) {
	files, err := filepath.Glob("../../examples/*/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		chart := filepath.Base(filepath.Dir(f))
		t.Run(chart+"/"+filepath.Base(f), func(t *testing.T) { test(t, chart, f) })
	}
}

// After `flotilla secrets`, every Secret reference of every example resolves to a key of a
// Secret it prints or the release renders, and every printed key is declared by the chart.
func TestExamplesEveryReferenceResolves(t *testing.T) {
	forEachExample(t, func(t *testing.T, chart, f string) {
		opts := render.Options{ValueFiles: []string{f}}
		secrets := plan(t, chart, opts)
		ch, err := render.Load(context.Background(), chart, render.LoadOptions{})
		require.NoError(t, err)
		res, err := render.Render(ch, opts)
		require.NoError(t, err)
		refs, have, err := secretgen.ReleaseRefs(res)
		require.NoError(t, err)
		require.NotEmpty(t, refs)
		for _, s := range secrets {
			_, rendered := have[s.Name]
			require.False(t, rendered, "printed Secret %s is one the release creates", s.Name)
			keys := map[string]bool{}
			for _, k := range s.Keys {
				keys[k.Name] = true
				assert.NotNil(t, k.Decl, "%s/%s is not declared by the chart", s.Name, k.Name)
				if k.Decl != nil && !k.Inline {
					assert.NoError(t, checkShape(k.Shape, k.Value), "%s/%s", s.Name, k.Name)
				}
			}
			have[s.Name] = keys
		}
		assert.Empty(t, secretgen.Unresolved(refs, have))
	})
}

// The values the charts generate themselves (existingSecret empty) have the shapes declared for
// the same keys: the declarations and the templates agree.
func TestChartsGenerateTheDeclaredShapes(t *testing.T) {
	forEachExample(t, func(t *testing.T, chart, f string) {
		ch, err := render.Load(context.Background(), chart, render.LoadOptions{})
		require.NoError(t, err)
		vals, err := render.MergeValues(render.Options{ValueFiles: []string{f}})
		require.NoError(t, err)
		with, err := render.Render(ch, render.Options{ValueFiles: []string{f}})
		require.NoError(t, err)
		// The same example with every generable Secret left to the chart.
		var clear []string
		for _, d := range declared(t, chart) {
			if d.Shape.Kind != cv.SecretPlaceholder && cv.LookupString(vals, d.SecretPath) != "" && cv.LookupString(vals, d.InlinePath) == "" {
				clear = append(clear, d.SecretPath+"=")
			}
		}
		if len(clear) == 0 {
			t.Skip("the example names no Secret the chart could generate")
		}
		without, err := render.Render(ch, render.Options{ValueFiles: []string{f}, Set: clear})
		require.NoError(t, err)
		generated := envValues(t, without)
		checked := 0
		for use, ref := range envRefs(t, with) {
			shape, ok := declaredShape(t, chart, vals, ref)
			if !ok || shape.Kind == cv.SecretPlaceholder {
				continue
			}
			v, ok := generated[use]
			if !ok {
				continue // the chart reads it from one of its own Secrets with an explicit value
			}
			assert.NoError(t, checkShape(shape, v), "%s (%s/%s)", use, ref.Secret, ref.Key)
			checked++
		}
		assert.Positive(t, checked)
	})
}

func declaredShape(t *testing.T, chart string, vals map[string]any, ref secretgen.Ref) (cv.SecretShape, bool) {
	t.Helper()
	for _, d := range declared(t, chart) {
		key := d.FixedKey
		if d.KeyPath != "" {
			key = cv.LookupString(vals, d.KeyPath)
			if key == "" {
				key = cv.LookupString(defaults(t, chart), d.KeyPath)
			}
		}
		if cv.LookupString(vals, d.SecretPath) == ref.Secret && key == ref.Key {
			return d.Shape, true
		}
	}
	return cv.SecretShape{}, false
}

func defaults(t *testing.T, chart string) map[string]any {
	t.Helper()
	b, err := yaml.Marshal(chartDef(t, chart).Defaults)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, yaml.Unmarshal(b, &m))
	return m
}

// envRefs maps "object/container/env" to the Secret reference of every secretKeyRef env var.
func envRefs(t *testing.T, res *render.Result) map[string]secretgen.Ref {
	refs, _, err := secretgen.ReleaseRefs(res)
	require.NoError(t, err)
	out := map[string]secretgen.Ref{}
	for _, r := range refs {
		if strings.HasPrefix(r.Use, "env ") {
			out[r.Object+" "+r.Use] = r
		}
	}
	return out
}

// envValues maps "object/container/env" to the value of every env var read from a Secret the
// release renders.
func envValues(t *testing.T, res *render.Result) map[string]string {
	data := map[string]map[string]string{}
	for _, m := range res.Find("Secret", "") {
		var s corev1.Secret
		require.NoError(t, yaml.Unmarshal([]byte(m.YAML), &s))
		data[s.Name] = map[string]string{}
		for k, v := range s.Data {
			data[s.Name][k] = string(v)
		}
		for k, v := range s.StringData {
			data[s.Name][k] = v
		}
	}
	out := map[string]string{}
	for use, r := range envRefs(t, res) {
		if v, ok := data[r.Secret][r.Key]; ok {
			out[use] = v
		}
	}
	return out
}

func TestNothingForValuesGivenInline(t *testing.T) {
	// The password inline and no existingSecret: the chart renders the Secret, nothing is printed.
	secrets := plan(t, "flowise", render.Options{Set: []string{
		"database.mode=external", "database.external.host=db.example.com", "database.external.password=from-values",
		"auth.existingSecret=",
	}})
	assert.Empty(t, secrets)

	// existingSecret named and the password inline too: the Secret gets the inline password.
	secrets = plan(t, "flowkit", render.Options{ValueFiles: []string{"../../examples/flowkit/db-etl.yaml"},
		Set: []string{"flowetl.postgresql.auth.password=from-values"}})
	db := find(secrets, "flowetl-db")
	require.NotNil(t, db)
	require.Len(t, db.Keys, 2)
	assert.Equal(t, "password", db.Keys[0].Name)
	assert.Equal(t, "from-values", db.Keys[0].Value)
	assert.True(t, db.Keys[0].Inline)
	assert.Equal(t, kv("username", "flowetl"), kv(db.Keys[1].Name, db.Keys[1].Value), "the owner's name, as CloudNativePG reads it")
}

func kv(name, value string) string { return name + "=" + value }

// A CloudNativePG Cluster's initdb Secret is a reference too: a user's existingSecret gets the
// keys username and password it reads.
func TestCloudNativePGInitdbSecret(t *testing.T) {
	secrets := plan(t, "flowise", render.Options{Set: []string{"postgresql.enabled=true", "postgresql.mode=cloudnative-pg",
		"postgresql.auth.existingSecret=pg", "postgresql.auth.username=app"}})
	pg := find(secrets, "pg")
	require.NotNil(t, pg)
	assert.Contains(t, pg.UsedBy, "Cluster/release-flowise-postgresql")
	got := map[string]string{}
	for _, k := range pg.Keys {
		got[k.Name] = k.Value
	}
	assert.Equal(t, "app", got["username"])
	assert.Regexp(t, `^[A-Za-z0-9]{40}$`, got["password"])
}

// Secrets an ExternalSecret of the release fills are the operator's: nothing to create.
func TestNothingForExternalSecrets(t *testing.T) {
	opts := render.Options{ValueFiles: []string{"../../examples/flowise/queue-external.yaml"}}
	require.NotEmpty(t, plan(t, "flowise", opts))
	opts.Set = []string{"externalSecrets.enabled=true", "externalSecrets.secretStoreRef.name=vault"}
	assert.Empty(t, plan(t, "flowise", opts))
}

func TestUndeclaredReferenceGetsAPlaceholder(t *testing.T) {
	secrets := plan(t, "flowise", render.Options{Set: []string{
		"flowise.extraEnv[0].name=OPENAI_API_KEY",
		"flowise.extraEnv[0].valueFrom.secretKeyRef.name=openai",
		"flowise.extraEnv[0].valueFrom.secretKeyRef.key=api-key",
	}})
	require.Len(t, secrets, 1)
	s := secrets[0]
	assert.Equal(t, "openai", s.Name)
	require.Len(t, s.Keys, 1)
	assert.Nil(t, s.Keys[0].Decl)
	assert.Equal(t, cv.Placeholder, s.Keys[0].Value)
	assert.Equal(t, []string{"api-key"}, s.Placeholders())
	assert.Contains(t, s.Keys[0].Shape.Hint, "env OPENAI_API_KEY of container flowise")
}

func TestWriteRoundTrips(t *testing.T) {
	secrets := plan(t, "flowise", render.Options{ValueFiles: []string{"../../examples/flowise/queue.yaml"}})
	require.Len(t, secrets, 2)
	for _, ns := range []string{"", "ai"} {
		var b bytes.Buffer
		require.NoError(t, secretgen.Write(&b, secrets, ns))
		out := b.String()
		assert.Contains(t, out, "# Secret flowise-s3-credentials, named by storage.s3.existingSecret")
		assert.Contains(t, out, "Replace CHANGE_ME in access-key-id, secret-access-key before installing")
		assert.Contains(t, out, "# FLOWISE_SECRETKEY_OVERWRITE (auth.existingSecretEncryptionKeyKey): 40 random letters and digits")
		docs := strings.Split(out, "\n---\n")
		require.Len(t, docs, len(secrets))
		for i, doc := range docs {
			var got corev1.Secret
			require.NoError(t, yaml.UnmarshalStrict([]byte(doc), &got))
			assert.Equal(t, secrets[i].Name, got.Name)
			assert.Equal(t, ns, got.Namespace)
			assert.Equal(t, secretgen.CreatedBy, got.Labels[secretgen.CreatedByLabel])
			for _, k := range secrets[i].Keys {
				assert.Equal(t, k.Value, got.StringData[k.Name])
			}
		}
	}
	var b bytes.Buffer
	require.NoError(t, secretgen.Write(&b, nil, ""))
	assert.Contains(t, b.String(), "nothing to create")
}

func TestApplyCreatesOnlyMissingSecrets(t *testing.T) {
	secrets := plan(t, "flowise", render.Options{ValueFiles: []string{"../../examples/flowise/queue-external.yaml"}})
	existing := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "flowise-auth-secrets", Namespace: "ai"},
		Data: map[string][]byte{"encryption-key": []byte("mine")}}
	complete := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "flowise-redis-credentials", Namespace: "ai"},
		Data: map[string][]byte{"redis-password": []byte("mine")}}
	client := fake.NewClientset(existing, complete)
	ctx := context.Background()

	outcomes, err := secretgen.Apply(ctx, client.CoreV1().Secrets("ai"), secrets)
	require.ErrorIs(t, err, secretgen.ErrMissingKeys)
	assert.Contains(t, err.Error(), "flowise-auth-secrets")
	// auth, Redis and database credentials, S3, and the database's and Redis's CA certificates.
	require.Len(t, outcomes, 6)
	byName := map[string]secretgen.Outcome{}
	for _, o := range outcomes {
		byName[o.Secret.Name] = o
	}
	assert.False(t, byName["flowise-auth-secrets"].Created)
	assert.ElementsMatch(t, []string{"jwt-auth-token-secret", "jwt-refresh-token-secret", "express-session-secret", "token-hash-secret"},
		byName["flowise-auth-secrets"].MissingKeys)
	assert.Contains(t, byName["flowise-auth-secrets"].String(), "not changed; add them yourself")
	assert.False(t, byName["flowise-redis-credentials"].Created)
	assert.Empty(t, byName["flowise-redis-credentials"].MissingKeys)
	assert.True(t, byName["flowise-s3-credentials"].Created)
	assert.Contains(t, byName["flowise-s3-credentials"].String(), "its keys access-key-id, secret-access-key hold the placeholder CHANGE_ME")
	assert.Contains(t, byName["flowise-db-credentials"].String(), "its key database-password holds the placeholder CHANGE_ME")
	for _, ca := range []string{"flowise-db-ca", "flowise-redis-ca"} {
		assert.True(t, byName[ca].Created, ca)
		assert.Contains(t, byName[ca].String(), "its key ca.crt holds the placeholder CHANGE_ME", ca)
	}

	// Existing Secrets are untouched; the created ones hold the planned values.
	got, err := client.CoreV1().Secrets("ai").Get(ctx, "flowise-auth-secrets", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, existing.Data, got.Data)
	got, err = client.CoreV1().Secrets("ai").Get(ctx, "flowise-db-credentials", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, cv.Placeholder, got.StringData["database-password"])
	assert.Equal(t, secretgen.CreatedBy, got.Labels[secretgen.CreatedByLabel])

	// A second run changes nothing and creates nothing.
	for _, s := range []string{"flowise-auth-secrets"} {
		require.NoError(t, client.CoreV1().Secrets("ai").Delete(ctx, s, metav1.DeleteOptions{}))
	}
	outcomes, err = secretgen.Apply(ctx, client.CoreV1().Secrets("ai"), secrets)
	require.NoError(t, err)
	created := 0
	for _, o := range outcomes {
		if o.Created {
			created++
		}
	}
	assert.Equal(t, 1, created, "only the deleted Secret is created again")
	assert.False(t, errors.Is(err, secretgen.ErrMissingKeys))
}
