package chartvalues

// Autoscaling is a HorizontalPodAutoscaler (autoscaling/v2) for one Deployment. When enabled it
// owns the replica count: the Deployment leaves spec.replicas unset.
type Autoscaling struct {
	// Create a HorizontalPodAutoscaler.
	Enabled bool `json:"enabled"`
	// Fewest replicas the autoscaler keeps.
	MinReplicas int `json:"minReplicas" jsonschema:"minimum=1"`
	// Most replicas the autoscaler creates; must be at least minReplicas.
	MaxReplicas int `json:"maxReplicas" jsonschema:"minimum=1"`
	// Average CPU utilisation (percent of requests) to aim for; 0 leaves CPU out. Needs CPU requests.
	TargetCPUUtilizationPercentage int `json:"targetCPUUtilizationPercentage" jsonschema:"minimum=0,maximum=1000"`
	// Average memory utilisation (percent of requests) to aim for; 0 leaves memory out. Needs memory requests.
	TargetMemoryUtilizationPercentage int `json:"targetMemoryUtilizationPercentage" jsonschema:"minimum=0,maximum=1000"`
}

// DefaultAutoscaling is off, scaling 1-5 replicas on 80% CPU when turned on.
func DefaultAutoscaling() Autoscaling {
	return Autoscaling{MinReplicas: 1, MaxReplicas: 5, TargetCPUUtilizationPercentage: 80}
}

// ServiceMonitor is a Prometheus Operator ServiceMonitor (monitoring.coreos.com/v1) scraping
// the app's metrics endpoint. It needs the Prometheus Operator's CRDs in the cluster.
type ServiceMonitor struct {
	// Create a ServiceMonitor (needs the monitoring.coreos.com CRDs).
	Enabled bool `json:"enabled"`
	// Scrape interval (Prometheus duration); empty uses Prometheus's default.
	Interval string `json:"interval" jsonschema:"pattern=^([0-9]+(ms|s|m|h))*$"`
	// Scrape timeout (Prometheus duration); empty uses Prometheus's default.
	ScrapeTimeout string `json:"scrapeTimeout" jsonschema:"pattern=^([0-9]+(ms|s|m|h))*$"`
	// Labels added to the ServiceMonitor, e.g. the release label your Prometheus selects.
	Labels map[string]string `json:"labels"`
}

// KEDA scales a Deployment with a KEDA ScaledObject (keda.sh/v1alpha1) on the length of Redis
// lists (a job queue). It needs KEDA and its CRDs in the cluster; KEDA creates and owns the
// Deployment's HorizontalPodAutoscaler, so it excludes the chart's own.
type KEDA struct {
	// Create a ScaledObject (and a TriggerAuthentication with the Redis credentials).
	Enabled bool `json:"enabled"`
	// Fewest replicas; 0 lets KEDA scale the Deployment to zero while the queue is empty (a job then waits for a pod to start).
	MinReplicaCount int `json:"minReplicaCount" jsonschema:"minimum=0"`
	// Most replicas; must be at least minReplicaCount and 1.
	MaxReplicaCount int `json:"maxReplicaCount" jsonschema:"minimum=1"`
	// Target jobs per replica: KEDA aims for list length / listLength replicas (listLength of its redis scaler).
	ListLength int `json:"listLength" jsonschema:"minimum=1"`
	// Jobs in a list that wake the Deployment from zero replicas (activationListLength).
	ActivationListLength int `json:"activationListLength" jsonschema:"minimum=0"`
	// Seconds between two reads of the lists.
	PollingInterval int `json:"pollingInterval" jsonschema:"minimum=1"`
	// Seconds the lists must stay at or below activationListLength before scaling to minReplicaCount 0.
	CooldownPeriod int `json:"cooldownPeriod" jsonschema:"minimum=0"`
}

// DefaultKEDA is off, scaling 1-10 replicas on 10 jobs per replica when turned on.
func DefaultKEDA() KEDA {
	return KEDA{MinReplicaCount: 1, MaxReplicaCount: 10, ListLength: 10, PollingInterval: 30, CooldownPeriod: 300}
}
