package chartkit

// LeanChanges are the changelog lines of the charts' 0.2.1, which only the generator changed:
// the lean values.schema.json and one-line JSON for values passed through to manifests.
var LeanChanges = []Change{
	{Kind: "changed", Description: "values.schema.json is a lean draft-07 equivalent of the editor schema in the repository's schemas/ (same verdicts and failing paths; about half the compile cost Helm pays on every install, template and Argo CD render). Descriptions and defaults are in the editor copy and in values.yaml."},
	{Kind: "changed", Description: "extraEnv, resources, scheduling, pull secrets, pod annotations, Ingress tls and HTTPRoute references render as one-line JSON: the same objects, half the render time with thousands of env entries."},
}
