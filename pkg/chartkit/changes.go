package chartkit

// sharedChanges are the changelog lines every chart's release shares because the generator or
// the shared helpers made them; each chart's Changelog adds its own after them.
var sharedChanges = map[string][]Change{
	"0.2.0": {
		{Kind: "changed", Description: "values.schema.json is a lean draft-07 equivalent of the editor schema in the repository's schemas/ (same verdicts and failing paths; about half the compile cost Helm pays on every install, template and Argo CD render). Descriptions and defaults are in the editor copy and in values.yaml."},
		{Kind: "changed", Description: "extraEnv, resources, scheduling, pull secrets, pod annotations, Ingress tls and HTTPRoute references render as one-line JSON: the same objects, half the render time with thousands of env entries."},
		{Kind: "changed", Description: "The shared helpers come as one file per concept under templates/flotilla/."},
		{Kind: "added", Description: "commonLabels (on every object and pod the chart renders, never on selectors), extraVolumes and extraVolumeMounts (on every app pod and container, not the bundled databases): Kubernetes label syntax, restricted-Pod-Security volume sources, and mounts of unknown volumes, repeated names or paths, or the chart's own are refused before install, naming the field."},
		{Kind: "changed", Description: "topologySpreadConstraints items are typed as Kubernetes TopologySpreadConstraints (maxSkew, topologyKey and whenUnsatisfiable required; minDomains only with DoNotSchedule): an entry the API refuses is refused before install."},
		{Kind: "changed", Description: "resources, affinity, tolerations and httpRoute.parentRefs are typed after the Kubernetes and Gateway API shapes: negative or malformed quantities, unknown resource names, unknown keys and wrong types are refused before install, naming the field; every form the APIs take still passes. A resource request above its limit is refused by flotilla render/validate (Helm leaves it to the API server)."},
		{Kind: "added", Description: "README: Install with flotilla secrets, then helm install from the OCI registry; a table of every Secret key the values can name."},
		{Kind: "added", Description: "status: a status endpoint per release (flotilla-hook status serve): 200 or 500 with JSON naming each component (apps, PostgreSQL, Redis, S3); a key from outside private networks, several accepted at once for rotation. README: how to rotate each secret."},
		{Kind: "added", Description: "secrets.generation: hook renders no generated secret: a pre-install/pre-upgrade Job (flotilla-hook secrets ensure) creates each missing one once and never changes it, so helm template output is byte-identical and Argo CD no longer rotates keys and passwords on every sync. README: which mode for Helm, Flux and Argo CD; NOTES warn when a helm-mode render found no cluster."},
		{Kind: "added", Description: "postgresql.mode cloudnative-pg (every bundled PostgreSQL): a CloudNativePG Cluster (3 instances by default, failover) instead of the single-instance StatefulSet; the app keeps its Secret and connects to the Cluster's -rw Service. Needs the CloudNativePG operator."},
		{Kind: "added", Description: "highAvailability: at least three pods per replicable component, spread over zones and nodes, with pod anti-affinity, PodDisruptionBudgets (maxUnavailable 1) and zero-downtime rolling updates; the schema refuses it with what one pod owns (SQLite, ReadWriteOnce volumes, the bundled PostgreSQL and Redis). topologySpreadConstraints for the app's Deployments."},
		{Kind: "added", Description: "networkPolicy (on by default): user-facing components admit traffic only on their service ports (networkPolicy.ingress.from limits the sources), bundled databases and internal components only the release's pods that use them; networkPolicy.egress.restrict limits outgoing traffic to DNS, the release, the external services' ports and listed CIDRs."},
		{Kind: "changed", Description: "values.schema.json refuses what would render manifests Kubernetes rejects: a null for a value the chart needs (every value is required: Helm deletes a nulled default), integers beyond int32, Secret/ConfigMap/claim names that are not DNS-1123 subdomains, Secret keys outside the API's key rule, name overrides that are not DNS-1035 labels of at most 40 characters, image references with spaces."},
		{Kind: "fixed", Description: "Names, keys, labels, class names, sizes and images from values are written quoted: a Secret named true or a nameOverride of on no longer turns into a boolean."},
		{Kind: "added", Description: "backup: a CronJob streams pg_dump of the chart's databases to S3 (retention, optional encryption) and backup.restore restores one into an empty database, also in a fresh release."},
		{Kind: "fixed", Description: "The bundled Redis (and Flagsmith's InfluxDB) StatefulSet is governed by a headless Service <name>-headless (stable pod DNS names); clients keep the ClusterIP Service. spec.serviceName is immutable: on upgrade from 0.1.0 a pre-upgrade hook Job (flotilla-hook kube recreate-statefulset, RBAC get/delete on that StatefulSet only) deletes the old StatefulSet with propagationPolicy Orphan, and the new one adopts its pod and claim. GitOps tools that render without a cluster: kubectl delete statefulset <name> --cascade=orphan once before syncing."},
		{Kind: "fixed", Description: "flotilla generate fails when a declared value is read by no template."},
		{Kind: "added", Description: "externalSecrets: an external-secrets.io/v1 ExternalSecret for every Secret the values name with an existingSecret (one data entry per key the chart reads), so the External Secrets Operator creates them under the names the pods read."},
		{Kind: "added", Description: "service.ipFamilyPolicy and service.ipFamilies (dual-stack Services); priorityClassName for the app's pods; extraManifests (objects or YAML strings, rendered through tpl)."},
	},
}

// SharedChanges returns a fresh copy of version's shared changelog lines.
func SharedChanges(version string) []Change {
	return append([]Change(nil), sharedChanges[version]...)
}
