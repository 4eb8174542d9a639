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
