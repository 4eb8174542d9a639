package flowkit_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/flotilla/flotilla/pkg/charttest"
)

// TestHighAvailability renders the profile: FlowMachine, FlowAPI and FlowAuth replicated;
// FlowDB and FlowETL stay single instances.
func TestHighAvailability(t *testing.T) {
	replicated := []string{"rel-flowkit-flowmachine", "rel-flowkit-flowapi", "rel-flowkit-flowauth"}
	t.Run("off by default", func(t *testing.T) {
		res := renderWith(t, []string{example("full.yaml")})
		for _, name := range replicated {
			d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", name)
			assert.Empty(t, d.Spec.Template.Spec.TopologySpreadConstraints, name)
		}
	})
	t.Run("on", func(t *testing.T) {
		res := renderWith(t, []string{charttest.ValuesFile(t, noKeygen+haBase)})
		charttest.RequireHighAvailability(t, res, 3, replicated...)
		charttest.RequireNetworkPoliciesAdmitClients(t, res)
		auth := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowkit-flowauth")
		env := charttest.Env(charttest.Container(t, auth.Spec.Template, "flowauth"))
		assert.Equal(t, "REDIS", env["FLOWAUTH_CACHE_BACKEND"], "replicas share the two-factor cache")
		assert.Equal(t, "redis", env["FLOWAUTH_REDIS_HOST"])
		etl := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowkit-flowetl")
		assert.EqualValues(t, 1, *etl.Spec.Replicas, "FlowETL is a single instance")
		assert.Empty(t, etl.Spec.Template.Spec.TopologySpreadConstraints)
		assert.EqualValues(t, 1, *charttest.Object[*appsv1.StatefulSet](t, res, "StatefulSet", "rel-flowkit-flowdb").Spec.Replicas)
	})
}

// TestNetworkPolicies checks every example against its own clients, and that only FlowAPI and
// FlowAuth face users.
func TestNetworkPolicies(t *testing.T) {
	files, err := filepath.Glob(example("*.yaml"))
	require.NoError(t, err)
	charttest.RequireExamplesAdmitClients(t, files, renderWith)
	t.Run("only FlowAPI and FlowAuth face users", func(t *testing.T) {
		res := renderWith(t, []string{example("full-autoflow.yaml")})
		public := map[string]bool{}
		for _, p := range charttest.NetworkPolicies(t, res) {
			for _, r := range p.Spec.Ingress {
				if len(r.From) == 0 {
					public[p.Name] = true
				}
			}
		}
		assert.Equal(t, map[string]bool{"rel-flowkit-flowapi": true, "rel-flowkit-flowauth": true}, public)
		pols := charttest.NetworkPolicies(t, res)
		flowdb := charttest.Object[*appsv1.StatefulSet](t, res, "StatefulSet", "rel-flowkit-flowdb").Spec.Template.Labels
		flowauth := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowkit-flowauth").Spec.Template.Labels
		assert.False(t, charttest.AdmitsIngress(t, pols, flowauth, flowdb, 5432, nil), "FlowAuth has no business with FlowDB")
		etl := charttest.Object[*networkingv1.NetworkPolicy](t, res, "NetworkPolicy", "rel-flowkit-flowetl")
		assert.Empty(t, etl.Spec.Ingress, "FlowETL's interface stays inside unless published")
	})
	t.Run("a published FlowETL faces users", func(t *testing.T) {
		res := renderWith(t, []string{example("db-etl.yaml")}, "flowetl.ingress.enabled=true", "flowetl.ingress.hosts[0].host=etl", "flowetl.ingress.hosts[0].paths[0].path=/", "flowetl.ingress.hosts[0].paths[0].pathType=Prefix")
		etl := charttest.Object[*networkingv1.NetworkPolicy](t, res, "NetworkPolicy", "rel-flowkit-flowetl")
		require.Len(t, etl.Spec.Ingress, 1)
		assert.Empty(t, etl.Spec.Ingress[0].From)
	})
}
