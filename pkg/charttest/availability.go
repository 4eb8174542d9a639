package charttest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"

	"github.com/flotilla/flotilla/pkg/render"
)

// RequireHighAvailability checks the Deployments the highAvailability profile replicates: at
// least replicas pods, RollingUpdate with maxUnavailable 0, a zone and a node spread constraint
// over the Deployment's own pods (cordoned nodes not counted), a preferred pod anti-affinity
// per node, and a PodDisruptionBudget with maxUnavailable 1 selecting exactly those pods.
func RequireHighAvailability(t testing.TB, res *render.Result, replicas int32, deployments ...string) {
	t.Helper()
	require.NotEmpty(t, deployments)
	var pdbs []*policyv1.PodDisruptionBudget
	for _, m := range res.Manifests {
		if m.Kind == "PodDisruptionBudget" {
			pdbs = append(pdbs, Object[*policyv1.PodDisruptionBudget](t, res, m.Kind, m.Name))
		}
	}
	for _, name := range deployments {
		d := Object[*appsv1.Deployment](t, res, "Deployment", name)
		own := d.Spec.Selector.MatchLabels
		if d.Spec.Replicas == nil {
			// An autoscaled Deployment: its HorizontalPodAutoscaler keeps the floor.
			hpa := Object[*autoscalingv2.HorizontalPodAutoscaler](t, res, "HorizontalPodAutoscaler", name)
			require.NotNil(t, hpa.Spec.MinReplicas, "%s: HPA minReplicas", name)
			assert.GreaterOrEqual(t, *hpa.Spec.MinReplicas, replicas, "%s: HPA minReplicas", name)
			assert.GreaterOrEqual(t, hpa.Spec.MaxReplicas, *hpa.Spec.MinReplicas, "%s: HPA maxReplicas", name)
		} else {
			assert.GreaterOrEqual(t, *d.Spec.Replicas, replicas, "%s: replicas", name)
		}
		assert.Equal(t, appsv1.RollingUpdateDeploymentStrategyType, d.Spec.Strategy.Type, "%s: strategy", name)
		if ru := d.Spec.Strategy.RollingUpdate; assert.NotNil(t, ru, "%s: rollingUpdate", name) {
			assert.Equal(t, 0, ru.MaxUnavailable.IntValue(), "%s: maxUnavailable", name)
		}
		keys := map[string]corev1.TopologySpreadConstraint{}
		for _, c := range d.Spec.Template.Spec.TopologySpreadConstraints {
			keys[c.TopologyKey] = c
			assert.True(t, Selects(t, c.LabelSelector, d.Spec.Template.Labels), "%s: spread over %s must count its own pods", name, c.TopologyKey)
		}
		for _, key := range []string{"topology.kubernetes.io/zone", "kubernetes.io/hostname"} {
			c, ok := keys[key]
			if assert.True(t, ok, "%s: no spread constraint over %s", name, key) {
				assert.EqualValues(t, 1, c.MaxSkew, "%s: %s maxSkew", name, key)
			}
		}
		aff := d.Spec.Template.Spec.Affinity
		if assert.NotNil(t, aff, "%s: affinity", name) && assert.NotNil(t, aff.PodAntiAffinity, "%s: podAntiAffinity", name) {
			terms := aff.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution
			if assert.NotEmpty(t, terms, "%s: preferred anti-affinity", name) {
				assert.Equal(t, "kubernetes.io/hostname", terms[0].PodAffinityTerm.TopologyKey)
				assert.True(t, Selects(t, terms[0].PodAffinityTerm.LabelSelector, d.Spec.Template.Labels), "%s: anti-affinity must select its own pods", name)
			}
		}
		found := false
		for _, p := range pdbs {
			if assert.ObjectsAreEqual(p.Spec.Selector.MatchLabels, own) {
				found = true
				if assert.NotNil(t, p.Spec.MaxUnavailable, "PDB %s", p.Name) {
					assert.Equal(t, 1, p.Spec.MaxUnavailable.IntValue(), "PDB %s maxUnavailable", p.Name)
				}
			}
		}
		assert.True(t, found, "%s: no PodDisruptionBudget selects its pods", name)
	}
}
