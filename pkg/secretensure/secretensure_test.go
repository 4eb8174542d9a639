package secretensure_test

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	k8stesting "k8s.io/client-go/testing"

	cv "github.com/flotilla/flotilla/pkg/chartvalues"
	"github.com/flotilla/flotilla/pkg/secretensure"
)

const ns = "apps"

var secretsGR = schema.GroupResource{Resource: "secrets"}

// fakeClient is secretensure.Client over client-go's fake clientset (unit level only: the REST
// client flotilla-hook uses is tested against a real kube-apiserver by test/e2e TestGitOpsSecrets).
type fakeClient struct{ c corev1client.SecretInterface }

func (f fakeClient) Get(ctx context.Context, name string) (*secretensure.Secret, error) {
	s, err := f.c.Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	return &secretensure.Secret{Name: s.Name, ResourceVersion: s.ResourceVersion, Labels: s.Labels, Data: s.Data}, nil
}

func (f fakeClient) Create(ctx context.Context, s *secretensure.Secret) error {
	_, err := f.c.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: s.Name, Labels: s.Labels}, Type: corev1.SecretTypeOpaque, Data: s.Data}, metav1.CreateOptions{})
	return err
}

func (f fakeClient) MergePatch(ctx context.Context, name string, patch []byte) error {
	_, err := f.c.Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{})
	return err
}

func TestParseSpec(t *testing.T) {
	tests := []struct {
		in      string
		want    secretensure.Spec
		wantErr string
	}{
		{in: "rel-auth:A_B=random:40,c.d=fernet", want: secretensure.Spec{Name: "rel-auth", Keys: []secretensure.Key{{"A_B", cv.Random(40)}, {"c.d", cv.Fernet}}}},
		{in: "jwt:private-key=rsa-private-key,public-key=rsa-public-key", want: secretensure.Spec{Name: "jwt", Keys: []secretensure.Key{{"private-key", cv.RSAPrivateKey}, {"public-key", cv.RSAPublicKey}}}},
		{in: "rel-auth", wantErr: "want NAME:KEY=SHAPE"},
		{in: "Rel:a=fernet", wantErr: `"Rel" is not a valid Secret name`},
		{in: "rel:a", wantErr: "want KEY=SHAPE"},
		{in: "rel:a/b=fernet", wantErr: "want KEY=SHAPE"},
		{in: "rel:a=fernet,a=random:40", wantErr: "key a given twice"},
		{in: "rel:a=random:4", wantErr: "8 to 4096"},
		{in: "rel:a=random:x", wantErr: "8 to 4096"},
		{in: "rel:a=placeholder", wantErr: `unknown shape "placeholder": allowed random:N, fernet, rsa-private-key, rsa-public-key`},
		{in: "rel:a=rsa-private-key", wantErr: "come as a pair"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := secretensure.ParseSpec(tc.in)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func specs(t *testing.T, in ...string) []secretensure.Spec {
	t.Helper()
	var out []secretensure.Spec
	for _, s := range in {
		sp, err := secretensure.ParseSpec(s)
		require.NoError(t, err)
		out = append(out, sp)
	}
	return out
}

func get(t *testing.T, c *fake.Clientset, name string) *corev1.Secret {
	t.Helper()
	s, err := c.CoreV1().Secrets(ns).Get(context.Background(), name, metav1.GetOptions{})
	require.NoError(t, err)
	return s
}

func TestEnsureCreatesOnceWithTheShapes(t *testing.T) {
	c := fake.NewClientset()
	all := specs(t, "rel-auth:A=random:40,B=random:64,F=fernet", "rel-jwt:private-key=rsa-private-key,public-key=rsa-public-key")
	res, err := secretensure.Ensure(context.Background(), fakeClient{c.CoreV1().Secrets(ns)}, all, secretensure.Options{Labels: map[string]string{"app.kubernetes.io/name": "x"}})
	require.NoError(t, err)
	require.Len(t, res, 2)
	assert.True(t, res[0].Created)
	assert.True(t, res[1].Created)

	auth := get(t, c, "rel-auth")
	assert.Regexp(t, regexp.MustCompile(`^[A-Za-z0-9]{40}$`), string(auth.Data["A"]))
	assert.Regexp(t, regexp.MustCompile(`^[A-Za-z0-9]{64}$`), string(auth.Data["B"]))
	f, err := base64.URLEncoding.DecodeString(string(auth.Data["F"]))
	require.NoError(t, err)
	assert.Len(t, f, 32)
	assert.Equal(t, map[string]string{"app.kubernetes.io/name": "x", secretensure.CreatedByLabel: "flotilla-hook"}, auth.Labels)
	checkPair(t, get(t, c, "rel-jwt"))

	// A second run changes nothing.
	before := get(t, c, "rel-auth").Data
	res, err = secretensure.Ensure(context.Background(), fakeClient{c.CoreV1().Secrets(ns)}, all, secretensure.Options{})
	require.NoError(t, err)
	assert.Equal(t, "rel-auth unchanged", res[0].String())
	assert.Equal(t, "rel-jwt unchanged", res[1].String())
	assert.Equal(t, before, get(t, c, "rel-auth").Data)
}

func checkPair(t *testing.T, s *corev1.Secret) {
	t.Helper()
	blk, _ := pem.Decode(s.Data["private-key"])
	require.NotNil(t, blk)
	priv, err := x509.ParsePKCS1PrivateKey(blk.Bytes)
	require.NoError(t, err)
	assert.Equal(t, 4096, priv.N.BitLen())
	blk, _ = pem.Decode(s.Data["public-key"])
	require.NotNil(t, blk)
	pub, err := x509.ParsePKIXPublicKey(blk.Bytes)
	require.NoError(t, err)
	assert.True(t, priv.PublicKey.Equal(pub.(*rsa.PublicKey)), "the public key is not the private key's")
}

func TestEnsureAddsOnlyMissingKeys(t *testing.T) {
	existing := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "rel-auth", Namespace: ns, Labels: map[string]string{"mine": "yes"}, ResourceVersion: "7"},
		Data:       map[string][]byte{"A": []byte("kept-by-the-user"), "extra": []byte("x")},
	}
	c := fake.NewClientset(existing)
	res, err := secretensure.Ensure(context.Background(), fakeClient{c.CoreV1().Secrets(ns)}, specs(t, "rel-auth:A=random:40,B=random:40"), secretensure.Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"B"}, res[0].Added)
	assert.Equal(t, "added B to rel-auth", res[0].String())
	got := get(t, c, "rel-auth")
	assert.Equal(t, "kept-by-the-user", string(got.Data["A"]))
	assert.Equal(t, "x", string(got.Data["extra"]))
	assert.Regexp(t, `^[A-Za-z0-9]{40}$`, string(got.Data["B"]))
	assert.Equal(t, map[string]string{"mine": "yes"}, got.Labels)
}

func TestEnsureDerivesAMissingPublicKey(t *testing.T) {
	c := fake.NewClientset()
	all := specs(t, "rel-jwt:private-key=rsa-private-key,public-key=rsa-public-key")
	_, err := secretensure.Ensure(context.Background(), fakeClient{c.CoreV1().Secrets(ns)}, all, secretensure.Options{})
	require.NoError(t, err)
	s := get(t, c, "rel-jwt")
	priv := s.Data["private-key"]
	delete(s.Data, "public-key")
	_, err = c.CoreV1().Secrets(ns).Update(context.Background(), s, metav1.UpdateOptions{})
	require.NoError(t, err)

	res, err := secretensure.Ensure(context.Background(), fakeClient{c.CoreV1().Secrets(ns)}, all, secretensure.Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"public-key"}, res[0].Added)
	s = get(t, c, "rel-jwt")
	assert.Equal(t, priv, s.Data["private-key"])
	checkPair(t, s)

	// A public key without its private key cannot be completed.
	delete(s.Data, "private-key")
	_, err = c.CoreV1().Secrets(ns).Update(context.Background(), s, metav1.UpdateOptions{})
	require.NoError(t, err)
	_, err = secretensure.Ensure(context.Background(), fakeClient{c.CoreV1().Secrets(ns)}, all, secretensure.Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "holds a public key but not its private key")
}

// A concurrent run creates the Secret between this run's Get and Create: this run keeps the
// winner's values.
func TestEnsureLosesTheCreateRace(t *testing.T) {
	c := fake.NewClientset()
	winner := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "rel-auth", Namespace: ns}, Data: map[string][]byte{"A": []byte("the-winners-value")}}
	raced := false
	c.PrependReactor("create", "secrets", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if raced {
			return false, nil, nil
		}
		raced = true
		require.NoError(t, c.Tracker().Add(winner))
		return true, nil, apierrors.NewAlreadyExists(secretsGR, "rel-auth")
	})
	res, err := secretensure.Ensure(context.Background(), fakeClient{c.CoreV1().Secrets(ns)}, specs(t, "rel-auth:A=random:40"), secretensure.Options{})
	require.NoError(t, err)
	assert.False(t, res[0].Created)
	assert.Equal(t, 1, res[0].Races)
	assert.Equal(t, "the-winners-value", string(get(t, c, "rel-auth").Data["A"]))
}

// A concurrent run adds the missing key between this run's Get and Patch: the patch carries
// the resourceVersion read, the apiserver answers Conflict, this run re-reads and keeps it.
func TestEnsureLosesThePatchRace(t *testing.T) {
	c := fake.NewClientset(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "rel-auth", Namespace: ns, ResourceVersion: "1"}, Data: map[string][]byte{"A": []byte("a")}})
	var patches []string
	c.PrependReactor("patch", "secrets", func(a k8stesting.Action) (bool, runtime.Object, error) {
		patches = append(patches, string(a.(k8stesting.PatchAction).GetPatch()))
		o, err := c.Tracker().Get(corev1.SchemeGroupVersion.WithResource("secrets"), ns, "rel-auth")
		require.NoError(t, err)
		s := o.(*corev1.Secret).DeepCopy()
		s.Data["B"] = []byte("the-winners-value")
		s.ResourceVersion = "2"
		require.NoError(t, c.Tracker().Update(corev1.SchemeGroupVersion.WithResource("secrets"), s, ns))
		return true, nil, apierrors.NewConflict(secretsGR, "rel-auth", nil)
	})
	res, err := secretensure.Ensure(context.Background(), fakeClient{c.CoreV1().Secrets(ns)}, specs(t, "rel-auth:A=random:40,B=random:40"), secretensure.Options{})
	require.NoError(t, err)
	require.Len(t, patches, 1)
	assert.Contains(t, patches[0], `"resourceVersion":"1"`)
	assert.Equal(t, 1, res[0].Races)
	assert.Empty(t, res[0].Added)
	assert.Equal(t, "the-winners-value", string(get(t, c, "rel-auth").Data["B"]))
}

func TestEnsureReportsForbidden(t *testing.T) {
	c := fake.NewClientset()
	c.PrependReactor("get", "secrets", func(a k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(secretsGR, "rel-auth", nil)
	})
	_, err := secretensure.Ensure(context.Background(), fakeClient{c.CoreV1().Secrets(ns)}, specs(t, "rel-auth:A=random:40"), secretensure.Options{})
	require.Error(t, err)
	assert.True(t, apierrors.IsForbidden(err), "%v", err)
	assert.Contains(t, err.Error(), "get Secret rel-auth")
}
