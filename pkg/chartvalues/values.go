// Package chartvalues holds the value types every Flotilla chart shares (image, service, ingress,
// persistence, bundled PostgreSQL and Redis...). Each type pairs with a named template in
// pkg/chartkit/templates/ (one file per concept), so a value block means the same thing in every chart.
package chartvalues

import "github.com/invopop/jsonschema"

// Image selects a container image.
type Image struct {
	// Image repository, with its registry.
	Repository string `json:"repository" jsonschema:"minLength=1,pattern=^[^\\s@]+$"`
	// Image tag. Empty means the chart's appVersion.
	Tag string `json:"tag" jsonschema:"maxLength=128,pattern=^([a-zA-Z0-9_][a-zA-Z0-9_.-]*)?$"`
	// Image digest (sha256:...). When set it pins the image and the tag is ignored.
	Digest string `json:"digest" jsonschema:"pattern=^(sha256:[a-f0-9]{64})?$"`
	// Image pull policy.
	PullPolicy string `json:"pullPolicy" jsonschema:"enum=IfNotPresent,enum=Always,enum=Never"`
}

// Service exposes the main pods inside the cluster.
type Service struct {
	// Service type.
	Type string `json:"type" jsonschema:"enum=ClusterIP,enum=NodePort,enum=LoadBalancer"`
	// Service port.
	Port int `json:"port" jsonschema:"minimum=1,maximum=65535"`
	// Node port when type is NodePort or LoadBalancer; 0 lets Kubernetes choose.
	NodePort int `json:"nodePort" jsonschema:"minimum=0,maximum=32767"`
	// Annotations added to the Service.
	Annotations map[string]string `json:"annotations"`
	// IP family policy (dual-stack): SingleStack, PreferDualStack or RequireDualStack; empty takes the cluster's default.
	IPFamilyPolicy string `json:"ipFamilyPolicy" jsonschema:"enum=,enum=SingleStack,enum=PreferDualStack,enum=RequireDualStack"`
	// IP families of the Service, in order (IPv4, IPv6); empty takes the cluster's default.
	IPFamilies []string `json:"ipFamilies" jsonschema:"maxItems=2,uniqueItems=true,enum=IPv4,enum=IPv6"`
}

// Ingress publishes the Service through an Ingress controller.
type Ingress struct {
	// Create an Ingress.
	Enabled bool `json:"enabled"`
	// IngressClass that serves this Ingress; empty uses the cluster default.
	IngressClassName string `json:"ingressClassName"`
	// Annotations added to the Ingress (e.g. cert-manager.io/cluster-issuer).
	Annotations map[string]string `json:"annotations"`
	// Host rules. The first host also sets the app's public URL when that is left empty.
	Hosts []IngressHost `json:"hosts"`
	// TLS blocks: a certificate Secret and the hosts it covers.
	TLS []IngressTLS `json:"tls"`
}

// DefaultIngress is an Ingress block that is off, with empty (not null) lists and maps.
func DefaultIngress() Ingress {
	return Ingress{Annotations: map[string]string{}, Hosts: []IngressHost{}, TLS: []IngressTLS{}}
}

// DefaultHTTPRoute is an HTTPRoute block that is off, routing "/" when turned on.
func DefaultHTTPRoute() HTTPRoute {
	return HTTPRoute{Annotations: map[string]string{}, ParentRefs: []ParentRef{}, Hostnames: []string{}, Path: "/"}
}

// IngressHost is one host rule of the Ingress.
type IngressHost struct {
	// Host name.
	Host string `json:"host" jsonschema:"minLength=1"`
	// Paths routed to the Service.
	Paths []IngressPath `json:"paths" jsonschema:"minItems=1"`
}

// IngressPath is one path of an Ingress host rule.
type IngressPath struct {
	// URL path.
	Path string `json:"path" jsonschema:"pattern=^/"`
	// How the path matches.
	PathType string `json:"pathType" jsonschema:"enum=Prefix,enum=Exact,enum=ImplementationSpecific"`
}

// IngressTLS is one TLS block of the Ingress.
type IngressTLS struct {
	// Secret holding the certificate.
	SecretName string `json:"secretName"`
	// Hosts the certificate covers.
	Hosts []string `json:"hosts"`
}

// HTTPRoute publishes the Service through the Gateway API.
type HTTPRoute struct {
	// Create an HTTPRoute (gateway.networking.k8s.io/v1).
	Enabled bool `json:"enabled"`
	// Annotations added to the HTTPRoute.
	Annotations map[string]string `json:"annotations"`
	// Gateways the route attaches to, e.g. [{name: gateway, namespace: gateway-system, sectionName: https}].
	ParentRefs []ParentRef `json:"parentRefs"`
	// Host names the route answers; the first also sets the app's public URL when that is left empty and no Ingress host is set.
	Hostnames []string `json:"hostnames"`
	// Path prefix routed to the Service.
	Path string `json:"path" jsonschema:"pattern=^/"`
}

// ServiceAccount configures the pods' identity.
type ServiceAccount struct {
	// Create a ServiceAccount for the release.
	Create bool `json:"create"`
	// Name of the ServiceAccount to use; empty means the release's full name when created, else "default".
	Name string `json:"name"`
	// Annotations added to the ServiceAccount (e.g. for workload identity).
	Annotations map[string]string `json:"annotations"`
	// Mount the API token into pods. The apps need no Kubernetes API access.
	AutomountServiceAccountToken bool `json:"automountServiceAccountToken"`
}

// Persistence is a PersistentVolumeClaim for the app's data.
type Persistence struct {
	// Keep data on a PersistentVolumeClaim; false uses an emptyDir that is lost when the pod goes.
	Enabled bool `json:"enabled"`
	// Use this existing PVC instead of creating one.
	ExistingClaim string `json:"existingClaim"`
	// StorageClass of the PVC; empty uses the cluster default, "-" disables dynamic provisioning.
	StorageClass string `json:"storageClass"`
	// Access modes of the PVC.
	AccessModes []string `json:"accessModes" jsonschema:"minItems=1,enum=ReadWriteOnce,enum=ReadWriteMany,enum=ReadWriteOncePod,enum=ReadOnlyMany"`
	// Size of the PVC.
	Size string `json:"size" jsonschema:"pattern=^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$"`
	// Annotations added to the PVC.
	Annotations map[string]string `json:"annotations"`
}

// PodDisruptionBudget limits voluntary evictions. It is only created when a component runs more than one replica.
type PodDisruptionBudget struct {
	// Create a PodDisruptionBudget when the component has more than one replica.
	Enabled bool `json:"enabled"`
	// Pods that may be unavailable at once during voluntary disruptions.
	MaxUnavailable int `json:"maxUnavailable" jsonschema:"minimum=1"`
}

// Probe tunes one Kubernetes probe; the handler is chosen by the chart.
type Probe struct {
	// Enable the probe.
	Enabled bool `json:"enabled"`
	// Seconds before the first probe.
	InitialDelaySeconds int `json:"initialDelaySeconds" jsonschema:"minimum=0"`
	// Seconds between probes.
	PeriodSeconds int `json:"periodSeconds" jsonschema:"minimum=1"`
	// Seconds before a probe times out.
	TimeoutSeconds int `json:"timeoutSeconds" jsonschema:"minimum=1"`
	// Failures in a row before the probe fails.
	FailureThreshold int `json:"failureThreshold" jsonschema:"minimum=1"`
}

// Probes groups a container's startup, liveness and readiness probes.
type Probes struct {
	// Startup probe: holds the other probes off while the app starts (migrations can be slow).
	Startup Probe `json:"startup"`
	// Liveness probe: restarts a container that stopped answering.
	Liveness Probe `json:"liveness"`
	// Readiness probe: takes a pod out of the Service while it can't serve.
	Readiness Probe `json:"readiness"`
}

// DefaultProbes suits an HTTP app that may migrate its database at start.
func DefaultProbes() Probes {
	return Probes{
		Startup:   Probe{Enabled: true, InitialDelaySeconds: 5, PeriodSeconds: 5, TimeoutSeconds: 3, FailureThreshold: 60},
		Liveness:  Probe{Enabled: true, PeriodSeconds: 20, TimeoutSeconds: 5, FailureThreshold: 6},
		Readiness: Probe{Enabled: true, PeriodSeconds: 10, TimeoutSeconds: 5, FailureThreshold: 3},
	}
}

// RestrictedPodSecurityContext passes the Pod Security Standard "restricted" for the given user.
func RestrictedPodSecurityContext(uid int) PodSecurityContext {
	return map[string]any{
		"runAsNonRoot":        true,
		"runAsUser":           uid,
		"runAsGroup":          uid,
		"fsGroup":             uid,
		"fsGroupChangePolicy": "OnRootMismatch",
		"seccompProfile":      map[string]any{"type": "RuntimeDefault"},
	}
}

// RestrictedContainerSecurityContext passes the Pod Security Standard "restricted".
func RestrictedContainerSecurityContext() ContainerSecurityContext {
	return map[string]any{
		"allowPrivilegeEscalation": false,
		"readOnlyRootFilesystem":   true,
		"runAsNonRoot":             true,
		"capabilities":             map[string]any{"drop": []any{"ALL"}},
		"seccompProfile":           map[string]any{"type": "RuntimeDefault"},
	}
}

// EnvVar is a Kubernetes EnvVar. Name, value and valueFrom are checked; other fields pass
// through so newer Kubernetes fields keep working.
type EnvVar struct {
	// Variable name.
	Name string `json:"name" jsonschema:"required,minLength=1"`
	// Literal value (a string: quote numbers and booleans, or use --set-string).
	Value string `json:"value,omitempty"`
	// Source of the value (secretKeyRef, configMapKeyRef, fieldRef...).
	ValueFrom map[string]any `json:"valueFrom,omitempty"`
}

// JSONSchemaExtend leaves EnvVar items open to fields this type does not name.
func (EnvVar) JSONSchemaExtend(s *jsonschema.Schema) {
	s.AdditionalProperties = nil
}

// Tests configures the `helm test` pod.
type Tests struct {
	// Create the test pod.
	Enabled bool `json:"enabled"`
}
