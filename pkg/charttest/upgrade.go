package charttest

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"sigs.k8s.io/yaml"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
)

// secretsOnly answers Helm's lookup from a fake cluster that holds only Secrets.
type secretsOnly struct{ client dynamic.Interface }

func (s secretsOnly) GetClientFor(apiVersion, kind string) (dynamic.NamespaceableResourceInterface, bool, error) {
	return s.client.Resource(schema.GroupVersionResource{Version: "v1", Resource: "secrets"}), true, nil
}

// UpgradeSecrets renders ch as an upgrade through Helm's engine, its lookup calls answered by a
// fake cluster holding existing, and returns the data of every Secret the render produces (hooks
// included), by name. Charts use it to show that generated secrets survive an upgrade: render an
// install, feed its Secrets back here, compare.
func UpgradeSecrets(ch *chart.Chart, vals map[string]any, release, namespace string, existing []*corev1.Secret) (map[string]map[string][]byte, error) {
	scheme := runtime.NewScheme()
	if err := corev1.AddToScheme(scheme); err != nil {
		return nil, err
	}
	objs := make([]runtime.Object, 0, len(existing))
	for _, s := range existing {
		s = s.DeepCopy()
		s.Namespace = namespace
		objs = append(objs, s)
	}
	top, err := chartutil.ToRenderValues(ch, vals, chartutil.ReleaseOptions{Name: release, Namespace: namespace, IsUpgrade: true}, chartutil.DefaultCapabilities)
	if err != nil {
		return nil, fmt.Errorf("upgrade values: %w", err)
	}
	out, err := engine.RenderWithClientProvider(ch, top, secretsOnly{dynamicfake.NewSimpleDynamicClient(scheme, objs...)})
	if err != nil {
		return nil, fmt.Errorf("upgrade render: %w", err)
	}
	secrets := map[string]map[string][]byte{}
	for name, text := range out {
		if !strings.HasSuffix(name, ".yaml") {
			continue
		}
		for _, doc := range strings.Split(text, "\n---") {
			var meta struct{ Kind string }
			if err := yaml.Unmarshal([]byte(doc), &meta); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			if meta.Kind != "Secret" {
				continue
			}
			var s corev1.Secret
			if err := yaml.Unmarshal([]byte(doc), &s); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			secrets[s.Name] = s.Data
		}
	}
	return secrets, nil
}

// objectsOf answers Helm's lookup from a fake cluster holding Secrets, ConfigMaps and StatefulSets.
type objectsOf struct{ client dynamic.Interface }

func (o objectsOf) GetClientFor(apiVersion, kind string) (dynamic.NamespaceableResourceInterface, bool, error) {
	switch kind {
	case "Secret":
		return o.client.Resource(schema.GroupVersionResource{Version: "v1", Resource: "secrets"}), true, nil
	case "StatefulSet":
		return o.client.Resource(schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "statefulsets"}), true, nil
	case "ConfigMap": // NOTES look for kube-root-ca.crt to tell a cluster from helm template
		return o.client.Resource(schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}), true, nil
	}
	return nil, false, fmt.Errorf("lookup of %s %s: the fake cluster holds only Secrets, ConfigMaps and StatefulSets", apiVersion, kind)
}

// UpgradeDocuments renders ch as an upgrade through Helm's engine, its lookup calls answered by
// a fake cluster holding existing (Secrets, ConfigMaps, StatefulSets), and returns every rendered document
// (hooks included) as a map.
func UpgradeDocuments(ch *chart.Chart, vals map[string]any, release, namespace string, existing ...runtime.Object) ([]map[string]any, error) {
	scheme := runtime.NewScheme()
	if err := corev1.AddToScheme(scheme); err != nil {
		return nil, err
	}
	if err := appsv1.AddToScheme(scheme); err != nil {
		return nil, err
	}
	top, err := chartutil.ToRenderValues(ch, vals, chartutil.ReleaseOptions{Name: release, Namespace: namespace, IsUpgrade: true}, chartutil.DefaultCapabilities)
	if err != nil {
		return nil, fmt.Errorf("upgrade values: %w", err)
	}
	out, err := engine.RenderWithClientProvider(ch, top, objectsOf{dynamicfake.NewSimpleDynamicClient(scheme, existing...)})
	if err != nil {
		return nil, fmt.Errorf("upgrade render: %w", err)
	}
	var docs []map[string]any
	for name, text := range out {
		if !strings.HasSuffix(name, ".yaml") {
			continue
		}
		for _, doc := range strings.Split(text, "\n---") {
			m := map[string]any{}
			if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			if len(m) > 0 {
				docs = append(docs, m)
			}
		}
	}
	return docs, nil
}
