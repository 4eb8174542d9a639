package flowise_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/flotilla/flotilla/pkg/charttest"
	"github.com/flotilla/flotilla/pkg/render"
)

func policy(t *testing.T, res *render.Result, name string) *networkingv1.NetworkPolicy {
	t.Helper()
	return charttest.Object[*networkingv1.NetworkPolicy](t, res, "NetworkPolicy", name)
}

// TestHighAvailability renders the profile and the ways user values combine with it.
func TestHighAvailability(t *testing.T) {
	deployments := []string{"rel-flowise", "rel-flowise-worker"}
	t.Run("off by default: no spread, no anti-affinity", func(t *testing.T) {
		res := renderWith(t, []string{example("queue.yaml")})
		for _, name := range deployments {
			d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", name)
			assert.Empty(t, d.Spec.Template.Spec.TopologySpreadConstraints, name)
			assert.Nil(t, d.Spec.Template.Spec.Affinity, name)
		}
	})
	t.Run("on", func(t *testing.T) {
		res := renderWith(t, []string{charttest.ValuesFile(t, haBase)})
		charttest.RequireHighAvailability(t, res, 3, deployments...)
		charttest.RequireNetworkPoliciesAdmitClients(t, res)
		d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise")
		for _, c := range d.Spec.Template.Spec.TopologySpreadConstraints {
			want := map[string]string{"topology.kubernetes.io/zone": "ScheduleAnyway", "kubernetes.io/hostname": "DoNotSchedule"}[c.TopologyKey]
			assert.EqualValues(t, want, c.WhenUnsatisfiable, c.TopologyKey)
			require.NotNil(t, c.NodeTaintsPolicy)
			assert.EqualValues(t, "Honor", *c.NodeTaintsPolicy, "cordoned nodes must not count as empty domains")
		}
	})
	t.Run("higher replica counts win, lower ones are raised", func(t *testing.T) {
		res := renderWith(t, []string{charttest.ValuesFile(t, haBase+"flowise: {replicaCount: 5}\nhighAvailability: {enabled: true, replicas: 4}")})
		charttest.RequireHighAvailability(t, res, 4, deployments...)
		assert.EqualValues(t, 5, *charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise").Spec.Replicas)
		assert.EqualValues(t, 4, *charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise-worker").Spec.Replicas)
	})
	t.Run("user affinity and spread constraints combine", func(t *testing.T) {
		res := renderWith(t, []string{charttest.ValuesFile(t, haBase+`
affinity:
  nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: pool, operator: In, values: [apps]}]}]}}
topologySpreadConstraints:
  - {maxSkew: 2, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway}
  - {maxSkew: 1, topologyKey: rack, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {tier: x}}}
`)})
		d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise-worker")
		spec := d.Spec.Template.Spec
		require.NotNil(t, spec.Affinity.NodeAffinity, "the user's nodeAffinity is kept")
		require.NotNil(t, spec.Affinity.PodAntiAffinity, "the profile's anti-affinity is added")
		byKey := map[string]int32{}
		for _, c := range spec.TopologySpreadConstraints {
			byKey[c.TopologyKey] = c.MaxSkew
			if c.TopologyKey == "rack" {
				assert.Equal(t, map[string]string{"tier": "x"}, c.LabelSelector.MatchLabels, "a user labelSelector is kept")
			} else {
				assert.True(t, charttest.Selects(t, c.LabelSelector, d.Spec.Template.Labels), "%s: selects the worker's pods", c.TopologyKey)
			}
		}
		assert.Equal(t, map[string]int32{"kubernetes.io/hostname": 2, "rack": 1, "topology.kubernetes.io/zone": 1}, byKey,
			"the user's hostname constraint replaces the profile's; the zone one stays")

		res = renderWith(t, []string{charttest.ValuesFile(t, haBase+"affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: x}}}]}}")})
		anti := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise").Spec.Template.Spec.Affinity.PodAntiAffinity
		assert.Len(t, anti.RequiredDuringSchedulingIgnoredDuringExecution, 1, "the user's podAntiAffinity wins")
		assert.Empty(t, anti.PreferredDuringSchedulingIgnoredDuringExecution)
	})
	t.Run("spread constraints without the profile", func(t *testing.T) {
		res := renderWith(t, []string{example("queue.yaml")}, "topologySpreadConstraints[0].maxSkew=1", "topologySpreadConstraints[0].topologyKey=kubernetes.io/hostname", "topologySpreadConstraints[0].whenUnsatisfiable=DoNotSchedule")
		d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise-worker")
		require.Len(t, d.Spec.Template.Spec.TopologySpreadConstraints, 1)
		assert.True(t, charttest.Selects(t, d.Spec.Template.Spec.TopologySpreadConstraints[0].LabelSelector, d.Spec.Template.Labels))
		assert.EqualValues(t, 3, *d.Spec.Replicas, "the example's worker count, unchanged without the profile")
	})
}

// TestNetworkPolicies renders the firewall: on by default, custom sources, restricted egress, off.
func TestNetworkPolicies(t *testing.T) {
	t.Run("every example admits the release's own clients", func(t *testing.T) {
		files, err := filepath.Glob(example("*.yaml"))
		require.NoError(t, err)
		charttest.RequireExamplesAdmitClients(t, files, renderWith)
	})
	t.Run("default: the main pods admit anyone on their port, the rest only their clients", func(t *testing.T) {
		res := renderWith(t, []string{example("queue.yaml")})
		main := policy(t, res, "rel-flowise-main")
		require.Len(t, main.Spec.Ingress, 1)
		assert.Empty(t, main.Spec.Ingress[0].From, "from anywhere")
		assert.Equal(t, "http", main.Spec.Ingress[0].Ports[0].Port.String())
		assert.Equal(t, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}, main.Spec.PolicyTypes, "egress stays open")
		assert.Empty(t, policy(t, res, "rel-flowise-worker").Spec.Ingress, "workers serve nothing")
		pg := policy(t, res, "rel-flowise-postgresql")
		worker := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "rel-flowise-worker").Spec.Template.Labels
		redisPod := charttest.Object[*appsv1.StatefulSet](t, res, "StatefulSet", "rel-flowise-redis").Spec.Template.Labels
		pgPod := charttest.Object[*appsv1.StatefulSet](t, res, "StatefulSet", "rel-flowise-postgresql").Spec.Template.Labels
		pols := charttest.NetworkPolicies(t, res)
		names := map[string]int32{"postgresql": 5432}
		assert.True(t, charttest.AdmitsIngress(t, pols, worker, pgPod, 5432, names))
		assert.False(t, charttest.AdmitsIngress(t, pols, redisPod, pgPod, 5432, names), "Redis does not use PostgreSQL")
		assert.False(t, charttest.AdmitsIngress(t, pols, map[string]string{"app": "other"}, pgPod, 5432, names), "pods of other releases are refused")
		assert.False(t, charttest.AdmitsIngress(t, pols, worker, pgPod, 22, names), "only the PostgreSQL port")
		assert.Len(t, pg.Spec.Ingress, 1)
		assert.NotContains(t, charttest.Names(res), "NetworkPolicy/rel-flowise-egress")
	})
	t.Run("custom sources", func(t *testing.T) {
		res := renderWith(t, []string{example("queue.yaml")}, "networkPolicy.ingress.from[0].namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name=ingress-nginx")
		from := policy(t, res, "rel-flowise-main").Spec.Ingress[0].From
		require.Len(t, from, 2, "the listed source and the release's own pods")
		assert.Equal(t, map[string]string{"kubernetes.io/metadata.name": "ingress-nginx"}, from[0].NamespaceSelector.MatchLabels)
		assert.Equal(t, map[string]string{"app.kubernetes.io/instance": release}, from[1].PodSelector.MatchLabels)
	})
	t.Run("restricted egress", func(t *testing.T) {
		res := renderWith(t, []string{example("queue-external.yaml")}, "networkPolicy.egress.restrict=true", "networkPolicy.egress.cidrs[0]=10.20.0.0/16", "networkPolicy.egress.ports={443,9000}")
		eg := policy(t, res, "rel-flowise-egress")
		assert.Equal(t, []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}, eg.Spec.PolicyTypes)
		assert.Equal(t, map[string]string{"app.kubernetes.io/instance": release}, eg.Spec.PodSelector.MatchLabels, "every pod of the release, hooks and tests included")
		var dns, cidr bool
		var ports []int
		for _, r := range eg.Spec.Egress {
			for _, to := range r.To {
				if to.NamespaceSelector != nil && to.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"] == "kube-system" {
					dns = len(r.Ports) == 2 && r.Ports[0].Port.IntValue() == 53
				}
				if to.IPBlock != nil && to.IPBlock.CIDR == "10.20.0.0/16" {
					cidr = true
				}
			}
			if len(r.To) == 0 {
				for _, p := range r.Ports {
					ports = append(ports, p.Port.IntValue())
				}
			}
		}
		assert.True(t, dns, "DNS to kube-dns")
		assert.True(t, cidr, "user CIDRs")
		assert.ElementsMatch(t, []int{5432, 6380, 443, 9000}, ports, "the external database's and Redis's ports, then egress.ports")
	})
	t.Run("restricted egress never opens everything", func(t *testing.T) {
		res := renderWith(t, []string{example("queue.yaml"), charttest.ValuesFile(t, "networkPolicy: {egress: {restrict: true, ports: []}}")})
		for _, r := range policy(t, res, "rel-flowise-egress").Spec.Egress {
			assert.False(t, len(r.To) == 0 && len(r.Ports) == 0, "a rule with neither peers nor ports allows all egress: %+v", r)
		}
	})
	t.Run("off", func(t *testing.T) {
		res := renderWith(t, []string{example("queue.yaml")}, "networkPolicy.enabled=false", "networkPolicy.egress.restrict=true")
		assert.Empty(t, charttest.NetworkPolicies(t, res))
	})
}
