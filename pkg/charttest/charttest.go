// Package charttest holds the checks every Flotilla chart's tests run on its rendered
// manifests: strict decoding into Kubernetes API types and the "restricted" Pod Security
// Standard. Chart packages call it from their _test.go files.
package charttest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"
	psapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/flotilla/flotilla/pkg/render"
)

var gatewayScheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	if err := gatewayv1.Install(s); err != nil {
		panic(err)
	}
	return s
}()

// Typed decodes a manifest strictly into its Kubernetes API type: an unknown or misspelt
// field is an error. Custom resources of the pinned operator CRDs (testdata/crds) are validated
// against the CRD's schema instead and come back as *unstructured.Unstructured.
func Typed(m render.Manifest) (runtime.Object, error) {
	gvk := schema.FromAPIVersionAndKind(m.APIVersion, m.Kind)
	if HasCRD(m.APIVersion, m.Kind) {
		// An operator's custom resource (CloudNativePG, KEDA): checked against its pinned CRD.
		return ValidateCRDObject(m)
	}
	obj, err := scheme.Scheme.New(gvk)
	if err != nil {
		if obj, err = gatewayScheme.New(gvk); err != nil {
			return nil, fmt.Errorf("%s %s: no Go type for %s: %w", m.Kind, m.Name, gvk, err)
		}
	}
	decoded, err := m.Object()
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(decoded)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(obj); err != nil {
		return nil, fmt.Errorf("%s %s (%s): %w", m.Kind, m.Name, m.Source, err)
	}
	return obj, nil
}

// RequireStrict decodes every manifest and hook of res strictly.
func RequireStrict(t testing.TB, res *render.Result) {
	t.Helper()
	for _, m := range append(append([]render.Manifest{}, res.Manifests...), res.Hooks...) {
		_, err := Typed(m)
		require.NoError(t, err)
	}
}

// PodSpecs returns every pod template (and bare pod) of res, keyed "Kind/name".
func PodSpecs(t testing.TB, res *render.Result) map[string]*corev1.PodTemplateSpec {
	t.Helper()
	out := map[string]*corev1.PodTemplateSpec{}
	for _, m := range append(append([]render.Manifest{}, res.Manifests...), res.Hooks...) {
		obj, err := Typed(m)
		require.NoError(t, err)
		key := m.Kind + "/" + m.Name
		switch o := obj.(type) {
		case *appsv1.Deployment:
			out[key] = &o.Spec.Template
		case *appsv1.StatefulSet:
			out[key] = &o.Spec.Template
		case *appsv1.DaemonSet:
			out[key] = &o.Spec.Template
		case *batchv1.Job:
			out[key] = &o.Spec.Template
		case *batchv1.CronJob:
			out[key] = &o.Spec.JobTemplate.Spec.Template
		case *corev1.Pod:
			out[key] = &corev1.PodTemplateSpec{ObjectMeta: o.ObjectMeta, Spec: o.Spec}
		}
	}
	return out
}

var evaluator = func() policy.Evaluator {
	e, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		panic(err)
	}
	return e
}()

// RestrictedViolations lists how a pod template fails the "restricted" Pod Security Standard
// (latest version), as the PodSecurity admission plugin would.
func RestrictedViolations(pod *corev1.PodTemplateSpec) []string {
	meta := pod.ObjectMeta
	results := evaluator.EvaluatePod(psapi.LevelVersion{Level: psapi.LevelRestricted, Version: psapi.LatestVersion()}, &meta, &pod.Spec)
	agg := policy.AggregateCheckResults(results)
	if agg.Allowed {
		return nil
	}
	return agg.ForbiddenReasons
}

// RequireRestricted fails the test for every pod of res that the restricted level refuses.
func RequireRestricted(t testing.TB, res *render.Result) {
	t.Helper()
	pods := PodSpecs(t, res)
	require.NotEmpty(t, pods, "no pod templates rendered")
	for name, pod := range pods {
		require.Empty(t, RestrictedViolations(pod), "%s violates PodSecurity restricted", name)
	}
}

// Env returns a container's environment as name → value, with secretKeyRef values shown as
// "secret:NAME/KEY".
func Env(c corev1.Container) map[string]string {
	out := map[string]string{}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil:
			out[e.Name] = "secret:" + e.ValueFrom.SecretKeyRef.Name + "/" + e.ValueFrom.SecretKeyRef.Key
		default:
			out[e.Name] = e.Value
		}
	}
	return out
}

// Object decodes one manifest of res by kind and name into T, failing when it is absent.
func Object[T runtime.Object](t testing.TB, res *render.Result, kind, name string) T {
	t.Helper()
	found := res.Find(kind, name)
	require.Len(t, found, 1, "want exactly one %s %q", kind, name)
	obj, err := Typed(found[0])
	require.NoError(t, err)
	typed, ok := obj.(T)
	require.True(t, ok, "%s %s decoded to %T", kind, name, obj)
	return typed
}

// Names lists the "Kind/name" of every manifest (hooks excluded).
func Names(res *render.Result) []string {
	var out []string
	for _, m := range res.Manifests {
		out = append(out, m.Kind+"/"+m.Name)
	}
	return out
}

// Container returns the named container of a pod template, failing the test when it is absent.
func Container(t testing.TB, pod corev1.PodTemplateSpec, name string) corev1.Container {
	t.Helper()
	for _, c := range pod.Spec.Containers {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no container %q", name)
	return corev1.Container{}
}

// RequireObjects checks that res has every "Kind/name" of want among its manifests and none of
// absent.
func RequireObjects(t testing.TB, res *render.Result, want, absent []string) {
	t.Helper()
	names := Names(res)
	for _, w := range want {
		assert.Contains(t, names, w)
	}
	for _, a := range absent {
		assert.NotContains(t, names, a)
	}
}

// ValuesFile writes doc (YAML) to a values file in a test directory and returns its path, for
// renders that take -f files.
func ValuesFile(t testing.TB, doc string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "values.yaml")
	require.NoError(t, os.WriteFile(p, []byte(doc), 0o600))
	return p
}
