package flagsmith_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/flotilla/flotilla/pkg/charttest"
)

// TestHighAvailability renders the profile on queue mode with PgBouncer and HPAs.
func TestHighAvailability(t *testing.T) {
	all := []string{"rel-flagsmith", "rel-flagsmith-task-processor", "rel-flagsmith-frontend", "rel-flagsmith-pgbouncer"}
	t.Run("off by default", func(t *testing.T) {
		res := renderWith(t, []string{example("queue.yaml")})
		for _, name := range all {
			d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", name)
			assert.Empty(t, d.Spec.Template.Spec.TopologySpreadConstraints, name)
			assert.Nil(t, d.Spec.Template.Spec.Affinity, name)
		}
	})
	t.Run("on, with autoscaling", func(t *testing.T) {
		res := renderWith(t, []string{example("queue.yaml"), charttest.ValuesFile(t, haBase)})
		charttest.RequireHighAvailability(t, res, 3, all...)
		charttest.RequireNetworkPoliciesAdmitClients(t, res)
		hpa := charttest.Object[*autoscalingv2.HorizontalPodAutoscaler](t, res, "HorizontalPodAutoscaler", "rel-flagsmith")
		assert.EqualValues(t, 3, *hpa.Spec.MinReplicas, "the example's minReplicas 2 is raised to the profile's 3")
		assert.EqualValues(t, 6, hpa.Spec.MaxReplicas, "the example's maxReplicas is kept")
	})
	t.Run("on, standalone without autoscaling", func(t *testing.T) {
		res := renderWith(t, []string{charttest.ValuesFile(t, haBase+"api: {replicaCount: 4}")})
		charttest.RequireHighAvailability(t, res, 3, "rel-flagsmith", "rel-flagsmith-frontend")
		assert.EqualValues(t, 4, *charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flagsmith").Spec.Replicas)
	})
}

// TestNetworkPolicies checks every example against its own clients, with open and restricted egress.
func TestNetworkPolicies(t *testing.T) {
	files, err := filepath.Glob(example("*.yaml"))
	require.NoError(t, err)
	charttest.RequireExamplesAdmitClients(t, files, renderWith)
	t.Run("users reach the API and the dashboard; PgBouncer and PostgreSQL only their clients", func(t *testing.T) {
		res := renderWith(t, []string{example("queue.yaml")})
		for _, name := range []string{"rel-flagsmith-api", "rel-flagsmith-frontend", "rel-flagsmith-task-processor"} {
			p := charttest.Object[*networkingv1.NetworkPolicy](t, res, "NetworkPolicy", name)
			require.Len(t, p.Spec.Ingress, 1, name)
			assert.Empty(t, p.Spec.Ingress[0].From, name)
		}
		pols := charttest.NetworkPolicies(t, res)
		pg := charttest.Object[*appsv1.StatefulSet](t, res, "StatefulSet", "rel-flagsmith-postgresql").Spec.Template.Labels
		frontend := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flagsmith-frontend").Spec.Template.Labels
		assert.False(t, charttest.AdmitsIngress(t, pols, frontend, pg, 5432, nil), "the dashboard never talks to PostgreSQL")
	})
	t.Run("restricted egress opens the external database and SMTP ports", func(t *testing.T) {
		res := renderWith(t, []string{charttest.ValuesFile(t, "postgresql: {enabled: false}\ndatabase: {external: {host: db, port: 6432, existingSecret: db-creds}}\nemail: {backend: smtp, smtp: {host: mail, port: 587}}\nnetworkPolicy: {egress: {restrict: true}}")})
		eg := charttest.Object[*networkingv1.NetworkPolicy](t, res, "NetworkPolicy", "rel-flagsmith-egress")
		var ports []int
		for _, r := range eg.Spec.Egress {
			if len(r.To) == 0 {
				for _, p := range r.Ports {
					ports = append(ports, p.Port.IntValue())
				}
			}
		}
		assert.ElementsMatch(t, []int{6432, 587, 443}, ports)
	})
}
