package chartkit

import (
	"fmt"
	"strings"
)

// StatusRules are the rules of a chart's chartvalues.Status block.
func StatusRules() []Rule {
	return []Rule{
		IngressRule("status.ingress"),
		{Message: "status.trustedProxies is required when status.ingress.enabled is true: behind the ingress controller every request comes from its private address, which needs no key; list the controller's CIDRs so X-Forwarded-For names the real client",
			If: Eq("status.ingress.enabled", true), Then: HasItems("status.trustedProxies", 1)},
	}
}

// RotationStep is one Secret of a chart and how to rotate it, for the "Status endpoint and key
// rotation" README section.
type RotationStep struct {
	// Secret names the value(s) and key, e.g. "`auth.existingSecret` key `jwt-auth-token-secret`".
	Secret string
	// How: the procedure (markdown).
	How string
}

// StatusDoc describes a chart's status checks and rotatable secrets.
type StatusDoc struct {
	Chart     string
	Namespace string
	// Checks lists what the endpoint checks, per topology (markdown list items without "- ").
	Checks []string
	// Rotation lists the chart's own secrets.
	Rotation []RotationStep
}

// StatusSection is the README section on the status endpoint and on rotating every secret.
func StatusSection(d StatusDoc) Section {
	rel, ns := d.Chart, d.Namespace
	var b strings.Builder
	fmt.Fprintf(&b, "`status.enabled` runs `<release>-status`: one pod of `flotilla-hook status serve` (the `hook.image`, uid 65532, restricted Pod\n"+
		"Security) with its Service (`status.service`, port 8080) and an optional Ingress (`status.ingress`). `GET /` checks every\n"+
		"component concurrently (`status.checkTimeout` each) and answers **200** when all are healthy, else **500**, with JSON naming\n"+
		"each component, its status and the error (never a secret); `GET /healthz` is the pod's own probe. It checks:\n\n")
	for _, c := range d.Checks {
		fmt.Fprintf(&b, "- %s\n", c)
	}
	fmt.Fprintf(&b, `
It reads the same Secrets as the app pods (mounted as files, re-read on every check). Requests from addresses outside
private networks (RFC 1918, loopback, link-local, IPv6 ULA) need `+"`?key=`"+`, one of the comma-separated keys in
`+"`<release>-status`"+` (generated, kept on upgrade and uninstall) or `+"`status.existingSecret`"+`. Behind an Ingress, set
`+"`status.trustedProxies`"+` to the ingress controller's CIDRs (required): only then is `+"`X-Forwarded-For`"+` believed.

`+"```sh"+`
kubectl -n %[1]s port-forward svc/%[2]s-status 8080 &     # from a private address: no key
curl -s localhost:8080/ | jq .
KEY=$(kubectl -n %[1]s get secret %[2]s-status -o jsonpath='{.data.status-keys}' | base64 -d | cut -d, -f1)
curl -s "https://status.example.com/?key=$KEY"              # through the Ingress, from anywhere
`+"```"+`

### Rotating secrets

**The status key** (several keys are accepted at once): add the new key beside the old, move every monitor to it, then
remove the old one. The pod re-reads the Secret on every request; the kubelet updates the mounted file within about a
minute, so no restart is needed.

`+"```sh"+`
NEW=$(openssl rand -hex 16)
OLD=$(kubectl -n %[1]s get secret %[2]s-status -o jsonpath='{.data.status-keys}' | base64 -d)
kubectl -n %[1]s patch secret %[2]s-status -p "{\"stringData\":{\"status-keys\":\"$NEW,$OLD\"}}"
# ... monitors use ?key=$NEW ...
kubectl -n %[1]s patch secret %[2]s-status -p "{\"stringData\":{\"status-keys\":\"$NEW\"}}"
`+"```"+`

The chart keeps every generated secret across upgrades (it looks the Secret up); to rotate one, change it in the
Secret (or in your `+"`existingSecret`"+`) and restart the pods that read it (`+"`kubectl rollout restart`"+`), as each
line below says. Database passwords: change the role's password in PostgreSQL first (`+"`ALTER ROLE … PASSWORD`"+`), then
the Secret, then restart; the bundled PostgreSQL only reads its Secret at first initialisation.

`, ns, rel)
	for _, s := range d.Rotation {
		fmt.Fprintf(&b, "- %s: %s\n", s.Secret, strings.TrimSpace(s.How))
	}
	return Section{Title: "Status endpoint and key rotation", Body: b.String()}
}
