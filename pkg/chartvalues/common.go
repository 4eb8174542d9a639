package chartvalues

// Common holds the root values every Flotilla chart has, with the same meaning everywhere: the
// shared helpers (flotilla.fullname, flotilla.serviceAccount, flotilla.scheduling, the security
// contexts) read exactly these keys. Charts embed it anonymously so its fields sit at the root.
type Common struct {
	// Override the chart name.
	NameOverride string `json:"nameOverride"`
	// Override the full release name.
	FullnameOverride string `json:"fullnameOverride"`
	// Secrets for pulling images from private registries, e.g. [{name: regcred}].
	ImagePullSecrets []map[string]any `json:"imagePullSecrets"`
	// ServiceAccount of the pods.
	ServiceAccount ServiceAccount `json:"serviceAccount"`
	// PodDisruptionBudgets of the chart's Deployments (created for those with more than one replica).
	PodDisruptionBudget PodDisruptionBudget `json:"podDisruptionBudget"`
	// Pod securityContext of the app's pods. The default passes the "restricted" Pod Security Standard.
	PodSecurityContext map[string]any `json:"podSecurityContext"`
	// Container securityContext of every container the chart runs. The default passes the "restricted" Pod Security Standard.
	ContainerSecurityContext map[string]any `json:"containerSecurityContext"`
	// Node labels the pods must run on.
	NodeSelector map[string]string `json:"nodeSelector"`
	// Tolerations of the pods.
	Tolerations []map[string]any `json:"tolerations"`
	// Affinity rules of the pods. With highAvailability on, the replicated components add a preferred pod anti-affinity (one pod per node) unless this sets podAntiAffinity itself; nodeAffinity and podAffinity are kept as given.
	Affinity map[string]any `json:"affinity"`
	// Topology spread constraints of the app's Deployments (Kubernetes TopologySpreadConstraint objects). An entry without labelSelector applies to each component's own pods. An entry replaces the highAvailability constraint on the same topologyKey; the others are kept.
	TopologySpreadConstraints []map[string]any `json:"topologySpreadConstraints"`
	// High-availability profile: several pods per stateless component, spread over zones and nodes, PodDisruptionBudgets and zero-downtime rolling updates.
	HighAvailability HighAvailability `json:"highAvailability"`
	// NetworkPolicies of the release (on by default): the release's firewall.
	NetworkPolicy NetworkPolicy `json:"networkPolicy"`
	// Annotations added to the app's pods.
	PodAnnotations map[string]string `json:"podAnnotations"`
	// Labels added to the app's pods.
	PodLabels map[string]string `json:"podLabels"`
}

// DefaultCommon is the common block for an app whose image runs as uid.
func DefaultCommon(uid int) Common {
	return Common{
		ImagePullSecrets:          []map[string]any{},
		ServiceAccount:            ServiceAccount{Create: true, Annotations: map[string]string{}},
		PodDisruptionBudget:       PodDisruptionBudget{Enabled: true, MaxUnavailable: 1},
		PodSecurityContext:        RestrictedPodSecurityContext(uid),
		ContainerSecurityContext:  RestrictedContainerSecurityContext(),
		NodeSelector:              map[string]string{},
		Tolerations:               []map[string]any{},
		Affinity:                  map[string]any{},
		TopologySpreadConstraints: []map[string]any{},
		HighAvailability:          DefaultHighAvailability(),
		NetworkPolicy:             DefaultNetworkPolicy(),
		PodAnnotations:            map[string]string{},
		PodLabels:                 map[string]string{},
	}
}
