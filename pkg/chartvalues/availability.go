package chartvalues

// HighAvailability is the profile that lets a release lose a node (or a zone) without losing
// service: every stateless component that can run several pods gets at least `replicas` of
// them, spread over zones and nodes, with PodDisruptionBudgets and rolling updates that never go
// below the replica count. Shared helpers: flotilla.replicas, flotilla.placement,
// flotilla.strategy (pkg/chartkit/templates/_availability.tpl).
type HighAvailability struct {
	// Turn the profile on: each stateless component that can run several pods (the chart README lists them) runs at least highAvailability.replicas pods, spread over zones (topology.kubernetes.io/zone) and nodes (kubernetes.io/hostname), with a preferred pod anti-affinity, a PodDisruptionBudget (maxUnavailable 1) and RollingUpdate with maxUnavailable 0. What one pod owns (SQLite, a ReadWriteOnce volume, the bundled single-instance PostgreSQL and Redis) is refused by the schema.
	Enabled bool `json:"enabled"`
	// Fewest pods of each such component. A higher replicaCount (or autoscaling.minReplicas) of the component wins; a lower one is raised to this.
	Replicas int `json:"replicas" jsonschema:"minimum=3"`
	// What the zone spread (maxSkew 1) does when it cannot be met. ScheduleAnyway also suits clusters whose nodes carry no zone label; DoNotSchedule keeps pods Pending rather than crowd a zone.
	ZoneWhenUnsatisfiable string `json:"zoneWhenUnsatisfiable" jsonschema:"enum=ScheduleAnyway,enum=DoNotSchedule"`
	// What the node spread (maxSkew 1) does when it cannot be met. DoNotSchedule: two pods of a component share a node only when there are more pods than schedulable nodes (cordoned and tainted nodes do not count: nodeTaintsPolicy Honor).
	NodeWhenUnsatisfiable string `json:"nodeWhenUnsatisfiable" jsonschema:"enum=ScheduleAnyway,enum=DoNotSchedule"`
}

// DefaultHighAvailability is off; on, it runs three pods per component, one per node, spread over zones when the nodes have them.
func DefaultHighAvailability() HighAvailability {
	return HighAvailability{Replicas: 3, ZoneWhenUnsatisfiable: "ScheduleAnyway", NodeWhenUnsatisfiable: "DoNotSchedule"}
}

// NetworkPolicy is the release's firewall (networking/v1 NetworkPolicies, one shared helper file:
// pkg/chartkit/templates/_networkpolicy.tpl). Policies only add allowances, so a user's own
// NetworkPolicy can open more (e.g. analysts' access to a database).
type NetworkPolicy struct {
	// Create NetworkPolicies: the components users reach admit traffic only on their service ports; bundled databases, Redis and internal components admit only the release's pods that use them. They need a network plugin that enforces NetworkPolicies (Calico, Cilium…); without one they change nothing.
	Enabled bool `json:"enabled"`
	// Who may reach the components that face users.
	Ingress NetworkPolicyIngress `json:"ingress"`
	// Outgoing traffic of the release's pods.
	Egress NetworkPolicyEgress `json:"egress"`
}

// NetworkPolicyIngress lists who may reach the user-facing components.
type NetworkPolicyIngress struct {
	// Sources (Kubernetes NetworkPolicyPeer objects: namespaceSelector, podSelector, ipBlock) allowed to reach the user-facing components on their service ports, e.g. your ingress controller: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}]. Empty: any source. The release's own pods are always allowed.
	From []NetworkPolicyPeer `json:"from"`
}

// NetworkPolicyEgress restricts where the release's pods may connect.
type NetworkPolicyEgress struct {
	// Restrict outgoing traffic of every pod of the release (hook Jobs, CronJobs and test pods included) to DNS (kube-dns in kube-system, port 53 UDP and TCP), the release's own pods (bundled databases, Redis, internal components), the ports of the external database and Redis the values name, egress.ports at any address, and egress.cidrs. The Kubernetes API server is not among them: the Jobs that call it (secrets.generation hook, the StatefulSet migration) and CloudNativePG's instances (postgresql.mode cloudnative-pg) need its address in egress.cidrs or its port in egress.ports.
	Restrict bool `json:"restrict"`
	// TCP ports the pods may reach at any address when restrict is true: 443 covers S3 (AWS), HTTPS APIs and LLM endpoints. Add e.g. 9000 for a MinIO endpoint.
	Ports []int `json:"ports" jsonschema:"uniqueItems=true,minimum=1,maximum=65535"`
	// CIDRs the pods may reach on any port when restrict is true, e.g. your external databases' network 10.20.0.0/16.
	CIDRs []string `json:"cidrs" jsonschema:"pattern=^[0-9a-fA-F:.]+/[0-9]+$"`
}

// DefaultNetworkPolicy is on, open to any source on the service ports, with open egress.
func DefaultNetworkPolicy() NetworkPolicy {
	return NetworkPolicy{
		Enabled: true,
		Ingress: NetworkPolicyIngress{From: []NetworkPolicyPeer{}},
		Egress:  NetworkPolicyEgress{Ports: []int{443}, CIDRs: []string{}},
	}
}
