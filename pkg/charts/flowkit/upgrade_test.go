package flowkit_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"sigs.k8s.io/yaml"

	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"

	"github.com/flotilla/flotilla/pkg/charttest"
	"github.com/flotilla/flotilla/pkg/render"
)

// secretsOnly answers Helm's lookup from a fake cluster holding the given Secrets.
type secretsOnly struct{ client dynamic.Interface }

func (s secretsOnly) GetClientFor(apiVersion, kind string) (dynamic.NamespaceableResourceInterface, bool, error) {
	return s.client.Resource(schema.GroupVersionResource{Version: "v1", Resource: "secrets"}), true, nil
}

// TestUpgradeKeepsGeneratedSecrets renders an install, puts its generated Secrets in a fake
// cluster, renders an upgrade through Helm's engine with lookup wired to that cluster, and
// requires every generated value (passwords, Fernet keys, the RSA pair) to come back unchanged.
func TestUpgradeKeepsGeneratedSecrets(t *testing.T) {
	install := renderWith(t, nil)
	var objs []runtime.Object
	before := map[string]map[string][]byte{}
	for _, m := range install.Manifests {
		if m.Kind != "Secret" {
			continue
		}
		s := charttest.Object[*corev1.Secret](t, install, "Secret", m.Name)
		s.Namespace = "apps"
		objs = append(objs, s)
		before[s.Name] = s.Data
	}
	require.Contains(t, before, "rel-flowkit-jwt")
	scheme := runtime.NewScheme()
	require.NoError(t, corev1.AddToScheme(scheme))
	cluster := secretsOnly{dynamicfake.NewSimpleDynamicClient(scheme, objs...)}

	ch := loadChart(t)
	vals, err := render.MergeValues(render.Options{})
	require.NoError(t, err)
	top, err := chartutil.ToRenderValues(ch, vals, chartutil.ReleaseOptions{Name: release, Namespace: "apps", IsUpgrade: true}, chartutil.DefaultCapabilities)
	require.NoError(t, err)
	out, err := engine.RenderWithClientProvider(ch, top, cluster)
	require.NoError(t, err)

	after := map[string]map[string][]byte{}
	for name, text := range out {
		if !strings.HasSuffix(name, ".yaml") {
			continue
		}
		for _, doc := range strings.Split(text, "\n---") {
			var s corev1.Secret
			require.NoError(t, yaml.Unmarshal([]byte(doc), &s), name)
			if s.Kind == "Secret" {
				after[s.Name] = s.Data
			}
		}
	}
	require.Len(t, after, len(before), "the upgrade renders the same Secrets")
	for name, data := range before {
		assert.Equal(t, data, after[name], "%s must not rotate on upgrade", name)
	}
}
