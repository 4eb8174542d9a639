package charttest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/flotilla/flotilla/pkg/chartkit"
	"github.com/flotilla/flotilla/pkg/render"
)

// EmptyRefs lists every reference of res's pods to a Secret or ConfigMap (env valueFrom,
// envFrom, volumes, projected volumes) whose name or key is empty: the API server accepts some
// of them, and the pod then never starts. A schema that says "valid" must not render one.
func EmptyRefs(t testing.TB, res *render.Result) []string {
	t.Helper()
	var out []string
	bad := func(pod, where, name string, keys ...string) {
		if name == "" {
			out = append(out, fmt.Sprintf("%s: %s has no name", pod, where))
		}
		for _, k := range keys {
			if k == "" {
				out = append(out, fmt.Sprintf("%s: %s (%s) has an empty key", pod, where, name))
			}
		}
	}
	items := func(its []corev1.KeyToPath) []string {
		var ks []string
		for _, i := range its {
			ks = append(ks, i.Key)
		}
		return ks
	}
	pods := PodSpecs(t, res)
	for _, podName := range sortedKeys(pods) {
		spec := pods[podName].Spec
		containers := append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...)
		for _, c := range containers {
			for _, e := range c.Env {
				if e.ValueFrom == nil {
					continue
				}
				if r := e.ValueFrom.SecretKeyRef; r != nil {
					bad(podName, "env "+e.Name+" secretKeyRef", r.Name, r.Key)
				}
				if r := e.ValueFrom.ConfigMapKeyRef; r != nil {
					bad(podName, "env "+e.Name+" configMapKeyRef", r.Name, r.Key)
				}
			}
			for _, e := range c.EnvFrom {
				if e.SecretRef != nil {
					bad(podName, "envFrom secretRef", e.SecretRef.Name)
				}
				if e.ConfigMapRef != nil {
					bad(podName, "envFrom configMapRef", e.ConfigMapRef.Name)
				}
			}
		}
		for _, v := range spec.Volumes {
			if s := v.Secret; s != nil {
				bad(podName, "volume "+v.Name+" secret", s.SecretName, items(s.Items)...)
			}
			if c := v.ConfigMap; c != nil {
				bad(podName, "volume "+v.Name+" configMap", c.Name, items(c.Items)...)
			}
			if p := v.Projected; p != nil {
				for _, src := range p.Sources {
					if s := src.Secret; s != nil {
						bad(podName, "volume "+v.Name+" projected secret", s.Name, items(s.Items)...)
					}
					if c := src.ConfigMap; c != nil {
						bad(podName, "volume "+v.Name+" projected configMap", c.Name, items(c.Items)...)
					}
				}
			}
			if c := v.PersistentVolumeClaim; c != nil {
				bad(podName, "volume "+v.Name+" persistentVolumeClaim", c.ClaimName)
			}
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// RequireValidRendersNamed renders every example of examplesDir and the accepted document of
// every rule case (after prefix), and fails on any empty Secret/ConfigMap reference (EmptyRefs):
// whatever the schema accepts must name what its pods mount; and on a StatefulSet without a
// headless governing Service (UngovernedStatefulSets).
func RequireValidRendersNamed(t *testing.T, chartName, examplesDir, prefix string, cases []RuleCase) {
	t.Helper()
	ch, err := render.Load(context.Background(), chartName, render.LoadOptions{})
	require.NoError(t, err)
	docs := map[string][]map[string]any{}
	entries, err := os.ReadDir(examplesDir)
	require.NoError(t, err)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".yaml") {
			data, err := os.ReadFile(filepath.Join(examplesDir, e.Name()))
			require.NoError(t, err)
			docs["example "+e.Name()] = []map[string]any{Doc(t, prefix), Doc(t, string(data))}
		}
	}
	for _, c := range cases {
		docs["rule "+c.Name+" (valid)"] = []map[string]any{Doc(t, prefix+c.Valid)}
	}
	for _, name := range sortedKeys(docs) {
		res, err := render.Render(ch, render.Options{ReleaseName: "rel", Namespace: "apps", Values: docs[name]})
		require.NoError(t, err, name)
		assert.Empty(t, EmptyRefs(t, res), name)
		assert.Empty(t, UngovernedStatefulSets(t, res), name)
	}
}

// RequireEveryValueRead fails when a declared value of the chart is read by no template
// (chartkit's generator check, which generate --check runs too).
func RequireEveryValueRead(t *testing.T, c chartkit.Chart) {
	t.Helper()
	wd, err := os.Getwd()
	require.NoError(t, err)
	root, err := chartkit.FindRoot(wd)
	require.NoError(t, err)
	unread, err := c.UnreadValues(root)
	require.NoError(t, err)
	assert.Empty(t, unread, "values of %s no template reads", c.Name)
}
