package charttest

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/flotilla/flotilla/pkg/render"
)

// NetworkPolicies returns the NetworkPolicies of res, decoded strictly.
func NetworkPolicies(t testing.TB, res *render.Result) []*networkingv1.NetworkPolicy {
	t.Helper()
	var out []*networkingv1.NetworkPolicy
	for _, m := range res.Manifests {
		if m.Kind != "NetworkPolicy" {
			continue
		}
		obj, err := Typed(m)
		require.NoError(t, err)
		out = append(out, obj.(*networkingv1.NetworkPolicy))
	}
	return out
}

// Selects reports whether a label selector selects a pod with these labels.
func Selects(t testing.TB, sel *metav1.LabelSelector, podLabels map[string]string) bool {
	t.Helper()
	if sel == nil {
		return true
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	require.NoError(t, err)
	return s.Matches(labels.Set(podLabels))
}

// AdmitsIngress reports whether the ingress side of the policies that select a pod (labels
// to) lets a pod of the same namespace (labels from) connect on port (a number). A pod no
// ingress policy selects admits everything.
func AdmitsIngress(t testing.TB, pols []*networkingv1.NetworkPolicy, from, to map[string]string, port int32, portNames map[string]int32) bool {
	t.Helper()
	selected := false
	for _, p := range pols {
		if !hasType(p, networkingv1.PolicyTypeIngress) || !Selects(t, &p.Spec.PodSelector, to) {
			continue
		}
		selected = true
		for _, r := range p.Spec.Ingress {
			if peersAdmit(t, r.From, from) && portsAdmit(r.Ports, port, portNames) {
				return true
			}
		}
	}
	return !selected
}

// AdmitsEgress reports whether the egress side of the policies that select a pod (labels from)
// lets it connect to a pod of the same namespace (labels to) on port.
func AdmitsEgress(t testing.TB, pols []*networkingv1.NetworkPolicy, from, to map[string]string, port int32, portNames map[string]int32) bool {
	t.Helper()
	selected := false
	for _, p := range pols {
		if !hasType(p, networkingv1.PolicyTypeEgress) || !Selects(t, &p.Spec.PodSelector, from) {
			continue
		}
		selected = true
		for _, r := range p.Spec.Egress {
			if peersAdmit(t, r.To, to) && portsAdmit(r.Ports, port, portNames) {
				return true
			}
		}
	}
	return !selected
}

func hasType(p *networkingv1.NetworkPolicy, typ networkingv1.PolicyType) bool {
	for _, x := range p.Spec.PolicyTypes {
		if x == typ {
			return true
		}
	}
	return false
}

// peersAdmit: no peers admit everyone; a peer admits a pod of the policy's own namespace when
// it has a podSelector matching it and no namespaceSelector or ipBlock.
func peersAdmit(t testing.TB, peers []networkingv1.NetworkPolicyPeer, pod map[string]string) bool {
	if len(peers) == 0 {
		return true
	}
	for _, peer := range peers {
		if peer.PodSelector != nil && peer.NamespaceSelector == nil && peer.IPBlock == nil && Selects(t, peer.PodSelector, pod) {
			return true
		}
	}
	return false
}

func portsAdmit(ports []networkingv1.NetworkPolicyPort, port int32, names map[string]int32) bool {
	if len(ports) == 0 {
		return true
	}
	for _, p := range ports {
		if p.Protocol != nil && *p.Protocol != corev1.ProtocolTCP {
			continue
		}
		if p.Port == nil || resolvePort(*p.Port, names) == port {
			return true
		}
	}
	return false
}

func resolvePort(p intstr.IntOrString, names map[string]int32) int32 {
	if p.Type == intstr.Int {
		return p.IntVal
	}
	return names[p.StrVal]
}

// RequireExamplesAdmitClients renders every example (render takes value files and --set
// values), requires NetworkPolicies by default, and checks them with
// RequireNetworkPoliciesAdmitClients with open and with restricted egress.
func RequireExamplesAdmitClients(t *testing.T, examples []string, render func(t testing.TB, files []string, set ...string) *render.Result) {
	t.Helper()
	require.NotEmpty(t, examples, "no examples")
	for _, f := range examples {
		t.Run(filepath.Base(f), func(t *testing.T) {
			res := render(t, []string{f})
			require.NotEmpty(t, NetworkPolicies(t, res), "on by default")
			RequireNetworkPoliciesAdmitClients(t, res)
			RequireNetworkPoliciesAdmitClients(t, render(t, []string{f}, "networkPolicy.egress.restrict=true"))
		})
	}
}

// RequireNetworkPoliciesAdmitClients checks a release's NetworkPolicies against its own pods:
// every pod template (Deployments, StatefulSets, Jobs, CronJobs, hook and test pods) whose
// containers name one of the release's Services as a host (in env values, command or args) may
// reach the pods behind it on the Service's target port, by the ingress policies of those pods
// and the egress policies of its own.
func RequireNetworkPoliciesAdmitClients(t testing.TB, res *render.Result) {
	t.Helper()
	pols := NetworkPolicies(t, res)
	pods := PodSpecs(t, res)
	keys := make([]string, 0, len(pods))
	for k := range pods {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, m := range res.Manifests {
		if m.Kind != "Service" {
			continue
		}
		obj, err := Typed(m)
		require.NoError(t, err)
		svc := obj.(*corev1.Service)
		host := regexp.MustCompile(`(^|[^a-z0-9-])` + regexp.QuoteMeta(svc.Name) + `([^a-z0-9-]|$)`)
		for _, target := range keys {
			tpl := pods[target]
			if len(svc.Spec.Selector) == 0 || !labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(tpl.Labels)) {
				continue
			}
			names := map[string]int32{}
			for _, c := range tpl.Spec.Containers {
				for _, p := range c.Ports {
					names[p.Name] = p.ContainerPort
				}
			}
			for _, client := range keys {
				ctpl := pods[client]
				if client == target || !host.MatchString(hosts(ctpl.Spec)) {
					continue
				}
				for _, sp := range svc.Spec.Ports {
					port := resolvePort(sp.TargetPort, names)
					require.True(t, AdmitsIngress(t, pols, ctpl.Labels, tpl.Labels, port, names),
						"%s connects to Service %s, but the NetworkPolicies of %s do not admit it on port %d (client labels %v)", client, svc.Name, target, port, ctpl.Labels)
					require.True(t, AdmitsEgress(t, pols, ctpl.Labels, tpl.Labels, port, names),
						"%s connects to Service %s, but its egress NetworkPolicies do not let it reach %s on port %d", client, svc.Name, target, port)
				}
			}
		}
	}
}

// hosts is everything a pod's containers are told to connect to: env values, command and args.
func hosts(spec corev1.PodSpec) string {
	var b strings.Builder
	for _, c := range append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...) {
		for _, e := range c.Env {
			fmt.Fprintln(&b, e.Value)
		}
		fmt.Fprintln(&b, strings.Join(c.Command, "\n"))
		fmt.Fprintln(&b, strings.Join(c.Args, "\n"))
	}
	return b.String()
}

// RequireCloudNativePGAdmitted checks every CloudNativePG Cluster of res: the labels its pods
// inherit (spec.inheritedMetadata.labels) put them under a NetworkPolicy of the release, which
// admits the other instances (replication, 5432) and the operator from any namespace on the
// instance manager's port 8000, and refuses a pod of another release.
func RequireCloudNativePGAdmitted(t testing.TB, res *render.Result) {
	t.Helper()
	pols := NetworkPolicies(t, res)
	clusters := res.Find("Cluster", "")
	require.NotEmpty(t, clusters, "no CloudNativePG Cluster rendered")
	ports := map[string]int32{"postgresql": 5432, "status": 8000}
	operator := map[string]string{"app.kubernetes.io/name": "cloudnative-pg"}
	for _, m := range clusters {
		obj, err := m.Object()
		require.NoError(t, err)
		spec, _ := obj["spec"].(map[string]any)
		inherited, _ := spec["inheritedMetadata"].(map[string]any)
		labels, _ := inherited["labels"].(map[string]any)
		require.NotEmpty(t, labels, "Cluster %s: spec.inheritedMetadata.labels", m.Name)
		pod := map[string]string{"cnpg.io/cluster": m.Name, "cnpg.io/podRole": "instance"}
		for k, v := range labels {
			pod[k] = fmt.Sprint(v)
		}
		selected, admitsOperator := false, false
		for _, p := range pols {
			if !hasType(p, networkingv1.PolicyTypeIngress) || !Selects(t, &p.Spec.PodSelector, pod) {
				continue
			}
			selected = true
			for _, r := range p.Spec.Ingress {
				for _, peer := range r.From {
					anyNamespace := peer.NamespaceSelector != nil && len(peer.NamespaceSelector.MatchLabels) == 0 && len(peer.NamespaceSelector.MatchExpressions) == 0
					if anyNamespace && peer.PodSelector != nil && Selects(t, peer.PodSelector, operator) && portsAdmit(r.Ports, 8000, ports) {
						admitsOperator = true
					}
				}
			}
		}
		require.True(t, selected, "Cluster %s: no NetworkPolicy selects its instances %v", m.Name, pod)
		assert.True(t, admitsOperator, "Cluster %s: the operator (any namespace) reaches the instances on 8000", m.Name)
		assert.True(t, AdmitsIngress(t, pols, pod, pod, 5432, ports), "Cluster %s: the instances replicate from each other", m.Name)
		assert.False(t, AdmitsIngress(t, pols, map[string]string{"app.kubernetes.io/instance": "another"}, pod, 5432, ports), "Cluster %s: another release's pod is refused", m.Name)
	}
}
