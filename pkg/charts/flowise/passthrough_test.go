package flowise_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/charttest"
	"github.com/flotilla/flotilla/pkg/render"
)

// TestPassThroughObjectsAccepted feeds the Kubernetes objects values pass to pod specs in the
// forms users write (every affinity form, tolerations, numeric and extended resources, full
// Gateway parentRefs): the schema accepts them, Helm too, and the manifests decode strictly into
// the Kubernetes API types.
func TestPassThroughObjectsAccepted(t *testing.T) {
	docs := map[string]string{
		"node affinity": `affinity:
  nodeAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      nodeSelectorTerms:
      - matchExpressions: [{key: kubernetes.io/arch, operator: In, values: [amd64, arm64]}]
        matchFields: [{key: metadata.name, operator: NotIn, values: [node-1]}]
    preferredDuringSchedulingIgnoredDuringExecution:
    - {weight: 50, preference: {matchExpressions: [{key: disk, operator: Exists}]}}`,
		"pod (anti-)affinity": `affinity:
  podAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
    - {labelSelector: {matchLabels: {app: redis}}, topologyKey: topology.kubernetes.io/zone, namespaces: [data]}
  podAntiAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        labelSelector: {matchExpressions: [{key: app.kubernetes.io/name, operator: In, values: [flowise]}]}
        namespaceSelector: {}
        topologyKey: kubernetes.io/hostname
        matchLabelKeys: [pod-template-hash]`,
		"tolerations": `tolerations:
- {key: dedicated, operator: Equal, value: ai, effect: NoSchedule}
- {operator: Exists}
- {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 30}`,
		"resources": `flowise:
  resources:
    requests: {cpu: 0.5, memory: 512Mi, ephemeral-storage: 1Gi, hugepages-2Mi: 0}
    limits: {cpu: 2, memory: 1.5Gi, nvidia.com/gpu: 1}
postgresql: {enabled: true, resources: {requests: {cpu: 250m, memory: 1e9}, limits: {memory: 1e9}}}`,
		"parentRefs": `httpRoute:
  enabled: true
  hostnames: [flowise.example.com]
  parentRefs:
  - {name: gateway, namespace: gateway-system, sectionName: https, port: 443}
  - {group: gateway.networking.k8s.io, kind: Gateway, name: internal}`,
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			res, err := render.Render(loadChart(t), render.Options{ReleaseName: release, Namespace: "apps", Values: []map[string]any{charttest.Doc(t, doc)}})
			require.NoError(t, err)
			charttest.RequireStrict(t, res)
			_, err = charttest.HelmTemplate(loadChart(t), charttest.Doc(t, doc), release, "apps")
			require.NoError(t, err)
		})
	}
}

// TestPassThroughObjectsRefused: what the API server would refuse is refused before install,
// naming the field, by pkg/render and (but for a request above its limit, which JSON Schema
// cannot compare) by Helm itself.
func TestPassThroughObjectsRefused(t *testing.T) {
	tests := []struct {
		name, doc, path string
		helmToo         bool
	}{
		{"negative quantity", "flowise: {resources: {requests: {cpu: '-1'}}}", "flowise.resources.requests.cpu", true},
		{"negative number", "flowise: {resources: {limits: {memory: -5}}}", "flowise.resources.limits.memory", true},
		{"nested object as a quantity", "flowise: {resources: {limits: {memory: {size: 1Gi}}}}", "flowise.resources.limits.memory", true},
		{"quantity with a unit typo", "flowise: {resources: {requests: {memory: 512MB}}}", "flowise.resources.requests.memory", true},
		{"unknown resource name", "flowise: {resources: {requests: {cpus: 1}}}", "flowise.resources.requests.cpus", true},
		{"requests misspelt", "flowise: {resources: {request: {cpu: 1}}}", "flowise.resources.request", true},
		{"request above its limit", "flowise: {resources: {requests: {memory: 2Gi}, limits: {memory: 1Gi}}}", "flowise.resources.requests.memory", false},
		{"cpu request above its limit", "backup: {resources: {requests: {cpu: '1.5'}, limits: {cpu: 1}}}", "backup.resources.requests.cpu", false},
		{"parentRef namespace an object", "httpRoute: {enabled: true, parentRefs: [{name: gw, namespace: {}}]}", "httpRoute.parentRefs.0.namespace", true},
		{"parentRef without a name", "httpRoute: {enabled: true, parentRefs: [{namespace: gw}]}", "httpRoute.parentRefs.0.name", true},
		{"parentRef unknown key", "httpRoute: {enabled: true, parentRefs: [{name: gw, section: https}]}", "httpRoute.parentRefs.0.section", true},
		{"affinity unknown key", "affinity: {nodeAfinity: {}}", "affinity.nodeAfinity", true},
		{"affinity operator", "affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: a, operator: Is}]}]}}}", "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.0.matchExpressions.0.operator", true},
		{"affinity term without topologyKey", "affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{labelSelector: {matchLabels: {a: b}}}]}}", "affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution.0.topologyKey", true},
		{"affinity weight", "affinity: {podAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 0, podAffinityTerm: {topologyKey: k}}]}}", "affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution.0.weight", true},
		{"toleration effect", "tolerations: [{key: a, operator: Exists, effect: NoScheduled}]", "tolerations.0.effect", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := render.Render(loadChart(t), render.Options{Values: []map[string]any{charttest.Doc(t, tc.doc)}})
			var ve *render.ValidationError
			require.True(t, errors.As(err, &ve), "want a ValidationError, got %v", err)
			var paths []string
			for _, p := range ve.Problems {
				paths = append(paths, p.Path)
			}
			assert.Contains(t, paths, tc.path)
			_, helmErr := charttest.HelmTemplate(loadChart(t), charttest.Doc(t, tc.doc), release, "apps")
			if tc.helmToo {
				assert.Error(t, helmErr, "helm accepts what pkg/render refuses")
			} else {
				assert.NoError(t, helmErr, "JSON Schema cannot compare quantities: Helm leaves this to the API server")
			}
		})
	}
}
