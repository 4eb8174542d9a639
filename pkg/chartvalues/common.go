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
	PodSecurityContext map[string]any `json:"podSecurityContext"`
	// Container securityContext of every container the chart runs. The default passes the "restricted" Pod Security Standard.
	ContainerSecurityContext map[string]any `json:"containerSecurityContext"`
	// Node labels the pods must run on.
	NodeSelector map[string]string `json:"nodeSelector"`
	// Tolerations of the pods.
	Tolerations []map[string]any `json:"tolerations"`
	// Affinity rules of the pods.
	Affinity map[string]any `json:"affinity"`
	// Annotations added to the app's pods.
	PodAnnotations map[string]string `json:"podAnnotations"`
	// Labels added to the app's pods.
	PodLabels map[string]string `json:"podLabels"`
}

// DefaultCommon is the common block for an app whose image runs as uid.
func DefaultCommon(uid int) Common {
	return Common{
		ImagePullSecrets:         []LocalObjectReference{},
		ServiceAccount:           ServiceAccount{Create: true, Annotations: map[string]string{}},
		PodDisruptionBudget:      PodDisruptionBudget{Enabled: true, MaxUnavailable: 1},
		PodSecurityContext:       RestrictedPodSecurityContext(uid),
		ContainerSecurityContext: RestrictedContainerSecurityContext(),
		NodeSelector:             map[string]string{},
		Tolerations:              []map[string]any{},
		Affinity:                 map[string]any{},
		PodAnnotations:           map[string]string{},
		PodLabels:                map[string]string{},
	}
}

// LocalObjectReference names an object in the release's namespace (a pull Secret).
type LocalObjectReference struct {
	// Name of the object.
	Name string `json:"name" jsonschema:"minLength=1,maxLength=253,pattern=^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"`
}
