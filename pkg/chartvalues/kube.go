package chartvalues

import "github.com/invopop/jsonschema"

// The Kubernetes objects values pass through to pod specs (resources, affinity, tolerations,
// Gateway parentRefs) are typed after the Kubernetes API's own OpenAPI shapes, so a typo, a
// negative quantity or an object where a string belongs is refused before install instead of by
// the API server halfway through a release. Each type is reflected once per use, and the chart's
// lean schema writes repeated ones once under definitions, so stricter costs Helm little.

// quantityPattern is a non-negative Kubernetes quantity ("500m", "1.5", "128Mi", "1e3"):
// resource.Quantity's grammar without the sign (requests and limits must not be negative).
const quantityPattern = `^\+?([0-9]+(\.[0-9]*)?|\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][-+]?[0-9]+)?$`

// resourceNamePattern is what the API server accepts as a container resource name: the
// standard ones, hugepages of a size, or an extended resource qualified by its domain
// (nvidia.com/gpu). "cpus" or "mem" are refused by Kubernetes, so here too.
const resourceNamePattern = `^(cpu|memory|ephemeral-storage|hugepages-[0-9]+(Ki|Mi|Gi)?|[a-z0-9]([-a-z0-9.]*[a-z0-9])?/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$`

// Resources is a container's compute resources (Kubernetes ResourceRequirements), e.g.
// {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 512Mi}}: free-form in values.yaml, typed
// by its schema (ResourcesShape). A request above its limit is refused by pkg/render
// (CheckResources) and by the API server; JSON Schema cannot compare two quantities.
type Resources map[string]any

// Shape is the block's schema: Kubernetes ResourceRequirements (claims aside: they name pod
// resource claims, which the charts do not create). chartkit reflects it in place of the map.
func (Resources) Shape() any { return ResourcesShape{} }

// ResourcesShape is the shape of Resources.
type ResourcesShape struct {
	// Resources the container is scheduled with, e.g. {cpu: 100m, memory: 128Mi}.
	Requests ResourceList `json:"requests,omitempty"`
	// Most the container may use, e.g. {memory: 512Mi}.
	Limits ResourceList `json:"limits,omitempty"`
}

// ResourceList maps resource names (cpu, memory, ephemeral-storage, hugepages-2Mi,
// vendor.com/device) to quantities.
type ResourceList map[string]Quantity

// JSONSchema types the names and the quantities.
func (ResourceList) JSONSchema() *jsonschema.Schema {
	// patternProperties rather than propertyNames: Helm's validator locates a propertyNames
	// failure unreliably, an unknown key is named exactly.
	return &jsonschema.Schema{
		Type:                 "object",
		PatternProperties:    map[string]*jsonschema.Schema{resourceNamePattern: Quantity("").JSONSchema()},
		AdditionalProperties: jsonschema.FalseSchema,
	}
}

// Quantity is a Kubernetes quantity: a string such as "250m" or "1Gi", or a plain number.
type Quantity string

// JSONSchema accepts non-negative quantities, as strings or numbers.
func (Quantity) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{
		Pattern: quantityPattern,
		Minimum: "0",
		Extras:  map[string]any{"type": []any{"string", "number"}},
	}
}

// Toleration lets the pods run on nodes with a matching taint (Kubernetes Toleration).
type Toleration struct {
	// Taint key; empty with operator Exists tolerates every taint.
	Key string `json:"key,omitempty"`
	// How key and value match.
	Operator string `json:"operator,omitempty" jsonschema:"enum=Exists,enum=Equal"`
	// Taint value (with operator Equal).
	Value string `json:"value,omitempty"`
	// Taint effect to tolerate; empty tolerates every effect.
	Effect string `json:"effect,omitempty" jsonschema:"enum=,enum=NoSchedule,enum=PreferNoSchedule,enum=NoExecute"`
	// Seconds a NoExecute taint is tolerated before eviction.
	TolerationSeconds *int64 `json:"tolerationSeconds,omitempty"`
}

// Affinity is the pods' scheduling affinity (Kubernetes Affinity), in every form the API takes:
// free-form in values.yaml, typed by its schema (AffinityShape).
type Affinity map[string]any

// Shape is the block's schema: Kubernetes Affinity. chartkit reflects it in place of the map.
func (Affinity) Shape() any { return AffinityShape{} }

// AffinityShape is the shape of Affinity.
type AffinityShape struct {
	// Rules on node labels.
	NodeAffinity *NodeAffinity `json:"nodeAffinity,omitempty"`
	// Run near pods matching these terms.
	PodAffinity *PodAffinity `json:"podAffinity,omitempty"`
	// Run away from pods matching these terms.
	PodAntiAffinity *PodAffinity `json:"podAntiAffinity,omitempty"`
}

// NodeAffinity is Kubernetes NodeAffinity.
type NodeAffinity struct {
	// Node selector terms a node must match.
	Required *NodeSelector `json:"requiredDuringSchedulingIgnoredDuringExecution,omitempty"`
	// Weighted node selector terms preferred.
	Preferred []PreferredSchedulingTerm `json:"preferredDuringSchedulingIgnoredDuringExecution,omitempty"`
}

// NodeSelector is Kubernetes NodeSelector: any of its terms matches.
type NodeSelector struct {
	// Terms, ORed.
	NodeSelectorTerms []NodeSelectorTerm `json:"nodeSelectorTerms" jsonschema:"required"`
}

// NodeSelectorTerm is Kubernetes NodeSelectorTerm: all of its requirements hold.
type NodeSelectorTerm struct {
	// Requirements on node labels.
	MatchExpressions []NodeSelectorRequirement `json:"matchExpressions,omitempty"`
	// Requirements on node fields.
	MatchFields []NodeSelectorRequirement `json:"matchFields,omitempty"`
}

// NodeSelectorRequirement is Kubernetes NodeSelectorRequirement.
type NodeSelectorRequirement struct {
	// Label or field key.
	Key string `json:"key" jsonschema:"required,minLength=1"`
	// How key and values relate.
	Operator string `json:"operator" jsonschema:"required,enum=In,enum=NotIn,enum=Exists,enum=DoesNotExist,enum=Gt,enum=Lt"`
	// Values (In, NotIn: several; Gt, Lt: one integer).
	Values []string `json:"values,omitempty"`
}

// PreferredSchedulingTerm is Kubernetes PreferredSchedulingTerm.
type PreferredSchedulingTerm struct {
	// Weight, 1 to 100.
	Weight int `json:"weight" jsonschema:"required,minimum=1,maximum=100"`
	// Term the node should match.
	Preference NodeSelectorTerm `json:"preference" jsonschema:"required"`
}

// PodAffinity is Kubernetes PodAffinity or PodAntiAffinity.
type PodAffinity struct {
	// Terms every chosen node must satisfy.
	Required []PodAffinityTerm `json:"requiredDuringSchedulingIgnoredDuringExecution,omitempty"`
	// Weighted terms preferred.
	Preferred []WeightedPodAffinityTerm `json:"preferredDuringSchedulingIgnoredDuringExecution,omitempty"`
}

// PodAffinityTerm is Kubernetes PodAffinityTerm.
type PodAffinityTerm struct {
	// Pods the term is about.
	LabelSelector *LabelSelector `json:"labelSelector,omitempty"`
	// Namespaces those pods are looked for in, by label.
	NamespaceSelector *LabelSelector `json:"namespaceSelector,omitempty"`
	// Namespaces those pods are looked for in, by name.
	Namespaces []string `json:"namespaces,omitempty"`
	// Node label whose value defines "near", e.g. kubernetes.io/hostname.
	TopologyKey string `json:"topologyKey" jsonschema:"required,minLength=1"`
	// Pod label keys whose values are added to labelSelector (In).
	MatchLabelKeys []string `json:"matchLabelKeys,omitempty"`
	// Pod label keys whose values are added to labelSelector (NotIn).
	MismatchLabelKeys []string `json:"mismatchLabelKeys,omitempty"`
}

// WeightedPodAffinityTerm is Kubernetes WeightedPodAffinityTerm.
type WeightedPodAffinityTerm struct {
	// Weight, 1 to 100.
	Weight int `json:"weight" jsonschema:"required,minimum=1,maximum=100"`
	// The term.
	PodAffinityTerm PodAffinityTerm `json:"podAffinityTerm" jsonschema:"required"`
}

// LabelSelector is Kubernetes LabelSelector.
type LabelSelector struct {
	// Labels the objects have.
	MatchLabels map[string]string `json:"matchLabels,omitempty"`
	// Requirements on labels.
	MatchExpressions []LabelSelectorRequirement `json:"matchExpressions,omitempty"`
}

// LabelSelectorRequirement is Kubernetes LabelSelectorRequirement.
type LabelSelectorRequirement struct {
	// Label key.
	Key string `json:"key" jsonschema:"required,minLength=1"`
	// How key and values relate.
	Operator string `json:"operator" jsonschema:"required,enum=In,enum=NotIn,enum=Exists,enum=DoesNotExist"`
	// Values (In, NotIn).
	Values []string `json:"values,omitempty"`
}

// ParentRef names a Gateway (or one of its listeners) an HTTPRoute attaches to (Gateway API
// ParentReference).
type ParentRef struct {
	// API group of the parent; empty or gateway.networking.k8s.io for a Gateway.
	Group string `json:"group,omitempty" jsonschema:"maxLength=253,pattern=^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"`
	// Kind of the parent (Gateway by default).
	Kind string `json:"kind,omitempty" jsonschema:"minLength=1,maxLength=63,pattern=^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$"`
	// Namespace of the parent; empty means the route's namespace.
	Namespace string `json:"namespace,omitempty" jsonschema:"minLength=1,maxLength=63,pattern=^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"`
	// Name of the parent.
	Name string `json:"name" jsonschema:"required,minLength=1,maxLength=253"`
	// Listener of the Gateway to attach to (e.g. https); empty attaches to every listener.
	SectionName string `json:"sectionName,omitempty" jsonschema:"minLength=1,maxLength=253,pattern=^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"`
	// Port of the Gateway to attach to.
	Port int `json:"port,omitempty" jsonschema:"minimum=1,maximum=65535"`
}

// TopologySpreadConstraint is a Kubernetes TopologySpreadConstraint, free-form in values.yaml,
// typed by its schema (TopologySpreadConstraintShape).
type TopologySpreadConstraint map[string]any

// Shape is the item's schema: Kubernetes TopologySpreadConstraint.
func (TopologySpreadConstraint) Shape() any { return TopologySpreadConstraintShape{} }

// TopologySpreadConstraintShape is the shape of TopologySpreadConstraint.
type TopologySpreadConstraintShape struct {
	// Largest allowed difference in pod counts between topology domains.
	MaxSkew int `json:"maxSkew" jsonschema:"required,minimum=1"`
	// Node label whose values are the domains, e.g. topology.kubernetes.io/zone.
	TopologyKey string `json:"topologyKey" jsonschema:"required,minLength=1"`
	// What to do with a pod that does not fit.
	WhenUnsatisfiable string `json:"whenUnsatisfiable" jsonschema:"required,enum=DoNotSchedule,enum=ScheduleAnyway"`
	// Pods counted; without it, the component's own pods.
	LabelSelector *LabelSelector `json:"labelSelector,omitempty"`
	// Minimum number of eligible domains (only with whenUnsatisfiable DoNotSchedule).
	MinDomains int `json:"minDomains,omitempty" jsonschema:"minimum=1"`
	// Whether nodeAffinity/nodeSelector decide the domains counted.
	NodeAffinityPolicy string `json:"nodeAffinityPolicy,omitempty" jsonschema:"enum=Honor,enum=Ignore"`
	// Whether node taints decide the domains counted.
	NodeTaintsPolicy string `json:"nodeTaintsPolicy,omitempty" jsonschema:"enum=Honor,enum=Ignore"`
	// Pod label keys whose values are added to labelSelector.
	MatchLabelKeys []string `json:"matchLabelKeys,omitempty"`
}

// JSONSchemaExtend refuses minDomains with ScheduleAnyway, as the API does.
func (TopologySpreadConstraintShape) JSONSchemaExtend(s *jsonschema.Schema) {
	cond := jsonschema.NewProperties()
	cond.Set("whenUnsatisfiable", &jsonschema.Schema{Const: "ScheduleAnyway"})
	then := jsonschema.NewProperties()
	then.Set("minDomains", jsonschema.FalseSchema)
	s.If = &jsonschema.Schema{Properties: cond, Required: []string{"whenUnsatisfiable"}}
	s.Then = &jsonschema.Schema{Properties: then}
}

// NetworkPolicyPeer is a source NetworkPolicies admit (Kubernetes NetworkPolicyPeer), free-form
// in values.yaml, typed by its schema (NetworkPolicyPeerShape).
type NetworkPolicyPeer map[string]any

// Shape is the item's schema: Kubernetes NetworkPolicyPeer.
func (NetworkPolicyPeer) Shape() any { return NetworkPolicyPeerShape{} }

// NetworkPolicyPeerShape is the shape of NetworkPolicyPeer.
type NetworkPolicyPeerShape struct {
	// Pods admitted (in the policy's namespace, or in the namespaces namespaceSelector selects).
	PodSelector *LabelSelector `json:"podSelector,omitempty"`
	// Namespaces whose pods are admitted.
	NamespaceSelector *LabelSelector `json:"namespaceSelector,omitempty"`
	// Addresses admitted.
	IPBlock *IPBlock `json:"ipBlock,omitempty"`
}

// IPBlock is Kubernetes IPBlock: a CIDR, less some CIDRs inside it.
type IPBlock struct {
	// CIDR admitted, e.g. 10.0.0.0/8.
	CIDR string `json:"cidr" jsonschema:"required,minLength=1"`
	// CIDRs inside cidr left out.
	Except []string `json:"except,omitempty"`
}
