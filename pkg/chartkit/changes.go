package chartkit

// sharedChanges are the changelog lines every chart's release shares because the generator or
// the shared helpers made them; each chart's Changelog adds its own after them.
var sharedChanges = map[string][]Change{
	"0.2.0": {
		{Kind: "changed", Description: "values.schema.json is a lean draft-07 equivalent of the editor schema in the repository's schemas/ (same verdicts and failing paths; about half the compile cost Helm pays on every install, template and Argo CD render). Descriptions and defaults are in the editor copy and in values.yaml."},
		{Kind: "changed", Description: "extraEnv, resources, scheduling, pull secrets, pod annotations, Ingress tls and HTTPRoute references render as one-line JSON: the same objects, half the render time with thousands of env entries."},
		{Kind: "changed", Description: "The shared helpers come as one file per concept under templates/flotilla/."},
		{Kind: "added", Description: "README: Install with flotilla secrets, then helm install from the OCI registry; a table of every Secret key the values can name."},
		{Kind: "changed", Description: "values.schema.json refuses what would render manifests Kubernetes rejects: a null for a value the chart needs (every value is required: Helm deletes a nulled default), integers beyond int32, Secret/ConfigMap/claim names that are not DNS-1123 subdomains, Secret keys outside the API's key rule, name overrides that are not DNS-1035 labels of at most 40 characters, image references with spaces."},
		{Kind: "fixed", Description: "Names, keys, labels, class names, sizes and images from values are written quoted: a Secret named true or a nameOverride of on no longer turns into a boolean."},
		{Kind: "added", Description: "backup: a CronJob streams pg_dump of the chart's databases to S3 (retention, optional encryption) and backup.restore restores one into an empty database, also in a fresh release."},
	},
}

// SharedChanges returns a fresh copy of version's shared changelog lines.
func SharedChanges(version string) []Change {
	return append([]Change(nil), sharedChanges[version]...)
}
