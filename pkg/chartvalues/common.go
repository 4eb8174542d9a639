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
	ImagePullSecrets []LocalObjectReference `json:"imagePullSecrets"`
	// ServiceAccount of the pods.
	ServiceAccount ServiceAccount `json:"serviceAccount"`
	// PodDisruptionBudgets of the chart's Deployments (created for those with more than one replica).
	PodDisruptionBudget PodDisruptionBudget `json:"podDisruptionBudget"`
	// Pod securityContext of the app's pods. The default passes the "restricted" Pod Security Standard.
	PodSecurityContext PodSecurityContext `json:"podSecurityContext"`
	// Container securityContext of every container the chart runs. The default passes the "restricted" Pod Security Standard.
	ContainerSecurityContext ContainerSecurityContext `json:"containerSecurityContext"`
	// Node labels the pods must run on.
	NodeSelector map[string]string `json:"nodeSelector"`
	// Tolerations of the pods.
	Tolerations []Toleration `json:"tolerations"`
	// Affinity rules of the pods. With highAvailability on, the replicated components add a preferred pod anti-affinity (one pod per node) unless this sets podAntiAffinity itself; nodeAffinity and podAffinity are kept as given.
	Affinity Affinity `json:"affinity"`
	// Topology spread constraints of the app's Deployments (Kubernetes TopologySpreadConstraint objects). An entry without labelSelector applies to each component's own pods. An entry replaces the highAvailability constraint on the same topologyKey; the others are kept.
	TopologySpreadConstraints []TopologySpreadConstraint `json:"topologySpreadConstraints"`
	// High-availability profile: several pods per stateless component, spread over zones and nodes, PodDisruptionBudgets and zero-downtime rolling updates.
	HighAvailability HighAvailability `json:"highAvailability"`
	// NetworkPolicies of the release (on by default): the release's firewall.
	NetworkPolicy NetworkPolicy `json:"networkPolicy"`
	// Annotations added to the app's pods.
	PodAnnotations map[string]string `json:"podAnnotations"`
	// Labels added to the app's pods. A key also in commonLabels takes the commonLabels value.
	PodLabels map[string]string `json:"podLabels"`
	// Labels added to every object the chart renders (metadata.labels and pod template labels), never to selectors, so changing them upgrades in place. Keys and values follow Kubernetes label syntax; the app.kubernetes.io/* labels and helm.sh/chart are the chart's own.
	CommonLabels Labels `json:"commonLabels"`
	// More volumes of the app's pods (Kubernetes Volume objects, e.g. {name: certs, secret: {secretName: my-certs}}); not of the bundled PostgreSQL or Redis. Each is a name and one source the "restricted" Pod Security Standard allows: configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected or secret. A name must differ from the chart's own volumes.
	ExtraVolumes []Volume `json:"extraVolumes"`
	// More volume mounts of the app's containers (Kubernetes VolumeMount objects: name, one of extraVolumes; mountPath, absolute and not one the chart mounts; readOnly; subPath).
	ExtraVolumeMounts []VolumeMount `json:"extraVolumeMounts"`
	// How the chart makes the Secrets it generates (passwords and keys whose existingSecret is empty).
	Secrets Secrets `json:"secrets"`
	// PriorityClass of the app's pods; empty: the cluster's default.
	PriorityClassName string `json:"priorityClassName"`
	// More Kubernetes objects to install with the release: each item an object, or a string of YAML; both are rendered through tpl, so they may use the chart's values and the release name ({{ .Release.Name }}).
	ExtraManifests []any `json:"extraManifests"`
	// External Secrets Operator: an ExternalSecret per Secret the values name (every existingSecret set), so the operator creates them from your secret store under the names the pods read.
	ExternalSecrets ExternalSecrets `json:"externalSecrets"`
}

// ExternalSecrets renders an external-secrets.io/v1 ExternalSecret for every Secret the values
// name with an existingSecret (auth keys, databases, Redis, S3, backup credentials...): its
// target is that Secret, one data entry per key the chart reads from it, so pods read the Secret
// the operator creates exactly as they read an existingSecret.
type ExternalSecrets struct {
	// Render the ExternalSecrets (needs the External Secrets Operator's CRDs, v0.17 or later: external-secrets.io/v1). Secrets the chart generates itself (an existingSecret left empty) are not affected.
	Enabled bool `json:"enabled"`
	// SecretStore or ClusterSecretStore the operator reads from.
	SecretStoreRef SecretStoreRef `json:"secretStoreRef"`
	// How often the operator re-reads the store (a Go duration such as 1h; 0 reads once).
	RefreshInterval string `json:"refreshInterval" jsonschema:"pattern=^(0|([0-9]+(ms|s|m|h))+)$"`
	// Remote key of each Secret: this prefix plus the Secret's name; each data entry reads the property named as the Secret's key (e.g. remote key flowise/flowise-auth, property encryption-key).
	RemoteKeyPrefix string `json:"remoteKeyPrefix"`
}

// SecretStoreRef names the store of an ExternalSecret.
type SecretStoreRef struct {
	// SecretStore (in the release's namespace) or ClusterSecretStore.
	Kind string `json:"kind" jsonschema:"enum=SecretStore,enum=ClusterSecretStore"`
	// Name of the store.
	Name string `json:"name"`
}

// Secrets selects how generated Secrets are made; the choice depends on the deployment tool
// (each chart README's "Generated Secrets and GitOps").
type Secrets struct {
	// helm: rendered with random values by the chart and kept across upgrades by looking them up in the cluster (plain helm install/upgrade, Flux). hook: never rendered; a pre-install/pre-upgrade flotilla-hook Job creates each missing one once and never changes it, so `helm template` renders the same bytes every time (Argo CD and other tools that render with helm template, where lookup finds nothing and helm mode would rotate every generated password and key on every sync); the Job runs hook.image whatever hook.enabled says.
	Generation string `json:"generation" jsonschema:"enum=helm,enum=hook"`
}

// DefaultCommon is the common block for an app whose image runs as uid.
func DefaultCommon(uid int) Common {
	return Common{
		ImagePullSecrets:          []LocalObjectReference{},
		ServiceAccount:            ServiceAccount{Create: true, Annotations: map[string]string{}},
		PodDisruptionBudget:       PodDisruptionBudget{Enabled: true, MaxUnavailable: 1},
		PodSecurityContext:        RestrictedPodSecurityContext(uid),
		ContainerSecurityContext:  RestrictedContainerSecurityContext(),
		NodeSelector:              map[string]string{},
		Tolerations:               []Toleration{},
		Affinity:                  Affinity{},
		TopologySpreadConstraints: []TopologySpreadConstraint{},
		HighAvailability:          DefaultHighAvailability(),
		NetworkPolicy:             DefaultNetworkPolicy(),
		PodAnnotations:            map[string]string{},
		PodLabels:                 map[string]string{},
		CommonLabels:              Labels{},
		ExtraVolumes:              []Volume{},
		ExtraVolumeMounts:         []VolumeMount{},
		Secrets:                   Secrets{Generation: "helm"},
		ExtraManifests:            []any{},
		ExternalSecrets:           ExternalSecrets{SecretStoreRef: SecretStoreRef{Kind: "SecretStore"}, RefreshInterval: "1h"},
	}
}

// LocalObjectReference names an object in the release's namespace (a pull Secret).
type LocalObjectReference struct {
	// Name of the object.
	Name string `json:"name" jsonschema:"minLength=1,maxLength=253,pattern=^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"`
}
