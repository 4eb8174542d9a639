package chartkit

// sharedChanges are the changelog lines every chart's release shares because the generator or
// the shared helpers made them; each chart's Changelog adds its own after them.
var sharedChanges = map[string][]Change{
	"0.2.0": {
		{Kind: "changed", Description: "values.schema.json is a lean draft-07 equivalent of the editor schema in the repository's schemas/ (same verdicts and failing paths; about half the compile cost Helm pays on every install, template and Argo CD render). Descriptions and defaults are in the editor copy and in values.yaml."},
		{Kind: "changed", Description: "extraEnv, resources, scheduling, pull secrets, pod annotations, Ingress tls and HTTPRoute references render as one-line JSON: the same objects, half the render time with thousands of env entries."},
		{Kind: "changed", Description: "The shared helpers come as one file per concept under templates/flotilla/."},
		{Kind: "added", Description: "README: Install with flotilla secrets, then helm install from the OCI registry; a table of every Secret key the values can name."},
		{Kind: "added", Description: "highAvailability: at least three pods per replicable component, spread over zones and nodes, with pod anti-affinity, PodDisruptionBudgets (maxUnavailable 1) and zero-downtime rolling updates; the schema refuses it with what one pod owns (SQLite, ReadWriteOnce volumes, the bundled PostgreSQL and Redis). topologySpreadConstraints for the app's Deployments."},
		{Kind: "added", Description: "networkPolicy (on by default): user-facing components admit traffic only on their service ports (networkPolicy.ingress.from limits the sources), bundled databases and internal components only the release's pods that use them; networkPolicy.egress.restrict limits outgoing traffic to DNS, the release, the external services' ports and listed CIDRs."},
		{Kind: "added", Description: "backup: a CronJob streams pg_dump of the chart's databases to S3 (retention, optional encryption) and backup.restore restores one into an empty database, also in a fresh release."},
	},
}

// SharedChanges returns a fresh copy of version's shared changelog lines.
func SharedChanges(version string) []Change {
	return append([]Change(nil), sharedChanges[version]...)
}
