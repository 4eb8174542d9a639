package chartvalues

// Status is the status endpoint of a release, after Flynn's: a small Deployment running
// `flotilla-hook status serve`, which checks every component of the release (the apps' HTTP
// health paths, PostgreSQL, Redis, S3) and answers 200 when all are healthy, else 500, with JSON
// naming each component. Requests from outside private networks need ?key=.
type Status struct {
	// Run the status endpoint: a Deployment (flotilla-hook status serve, hook.image) with its Service, checking this release's components with the same hosts and Secrets as the app pods. GET / answers 200 or 500 with JSON; GET /healthz is the server's own probe.
	Enabled bool `json:"enabled"`
	// Existing Secret with the accepted keys, comma-separated (several at once, to rotate: add the new key beside the old, move clients, remove the old). Empty: the chart creates <release>-status with one random key, kept across upgrades (helm.sh/resource-policy: keep). The file is re-read on every keyed request: a changed Secret applies without a restart (within the kubelet's sync period, about a minute).
	ExistingSecret string `json:"existingSecret"`
	// Key of the comma-separated keys in existingSecret.
	ExistingSecretKeysKey string `json:"existingSecretKeysKey" jsonschema:"minLength=1"`
	// CIDRs of the proxies whose X-Forwarded-For is believed: the ingress controller's pods or the load balancer in front of the status Service. Required with status.ingress: behind a proxy every request comes from the proxy's private address, which needs no key. Empty: the header is ignored.
	TrustedProxies []string `json:"trustedProxies" jsonschema:"pattern=^(((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(/([0-9]|[12][0-9]|3[0-2]))?|[0-9a-fA-F]*:[0-9a-fA-F:.]*(/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8]))?)$"`
	// Timeout of each check, 100ms to 60s (100ms…60000ms, 1s…60s or 1m); the checks run concurrently.
	CheckTimeout string `json:"checkTimeout" jsonschema:"pattern=^((1[0-9]{2}|[2-9][0-9]{2}|[1-9][0-9]{3}|[1-5][0-9]{4}|60000)ms|([1-9]|[1-5][0-9]|60)s|1m)$"`
	// Service of the status endpoint (port of the status server).
	Service Service `json:"service"`
	// Ingress to the status endpoint, e.g. status.example.com. Set status.trustedProxies to the ingress controller's addresses.
	Ingress Ingress `json:"ingress"`
	// CPU/memory requests and limits of the status container.
	Resources map[string]any `json:"resources"`
}

// DefaultStatus is the status block's default: off, one random key, 5 s per check.
func DefaultStatus() Status {
	return Status{
		ExistingSecretKeysKey: "status-keys",
		TrustedProxies:        []string{},
		CheckTimeout:          "5s",
		Service:               Service{Type: "ClusterIP", Port: 8080, Annotations: map[string]string{}},
		Ingress:               DefaultIngress(),
		Resources: map[string]any{
			"requests": map[string]any{"cpu": "10m", "memory": "16Mi"},
			"limits":   map[string]any{"memory": "64Mi"},
		},
	}
}

// SecretKeys: the status keys are random; several comma-separated keys are all accepted.
func (Status) SecretKeys() []SecretKey {
	return []SecretKey{{Secret: "existingSecret", Key: "existingSecretKeysKey", Use: "keys of the status endpoint (?key=), comma-separated", Shape: Random(32)}}
}
