{{- /*
Flotilla's shared helper library: NetworkPolicies (networkPolicy.*), the release's firewall.
Generated into each chart that uses them as templates/flotilla/_networkpolicy.tpl from
pkg/chartkit/templates/_networkpolicy.tpl: edit it there. Policies only add allowances: a pod no
policy selects for a direction keeps that direction open, and a user's own NetworkPolicy can open
more. Clients are selected by the labels every pod of a release carries (flotilla.labels):
app.kubernetes.io/instance (the release; also carried by bundled instances whose name label
differs) and app.kubernetes.io/component, so hook Jobs, CronJobs and `helm test` pods are admitted
by listing their component.
*/}}

{{- /*
Egress policy of every pod of the release, when networkPolicy.egress.restrict is true: DNS
(kube-dns in kube-system, 53 UDP and TCP), the release's own pods, dict "ctx" $ "ports" (list
PORT ...: the external database's and Redis's ports the values name) plus
networkPolicy.egress.ports at any address, and networkPolicy.egress.cidrs on any port (a false
or 0 entry of "ports" is skipped, for callers that pass conditional ports). Renders nothing
otherwise; starts with "---".
Lazy when and .ctx.Values.networkPolicy.enabled .ctx.Values.networkPolicy.egress.restrict: off by default.
*/}}
{{- define "flotilla.networkpolicy.egress#lazy" -}}
{{- $np := .ctx.Values.networkPolicy -}}
{{- if and $np.enabled $np.egress.restrict }}
{{- $release := .ctx.Release.Name | quote }}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ printf "%s-egress" (include "flotilla.fullname" .ctx) | trunc 63 | trimSuffix "-" }}
  labels:
    {{- include "flotilla.labels" (dict "ctx" .ctx "component" "egress") | nindent 4 }}
spec:
  podSelector:
    matchLabels: {app.kubernetes.io/instance: {{ $release }}}
  policyTypes: [Egress]
  egress:
    - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]
      ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]
    - to: [{podSelector: {matchLabels: {app.kubernetes.io/instance: {{ $release }}}}}]
    {{- $ports := list }}{{ range concat (.ports | default list) $np.egress.ports }}{{ if . }}{{ $ports = append $ports (int .) }}{{ end }}{{ end }}
    {{- with uniq $ports }}
    - ports:
        {{- range . }}
        - {port: {{ . }}, protocol: TCP}
        {{- end }}
    {{- end }}
    {{- with $np.egress.cidrs }}
    - to:
        {{- range . }}
        - ipBlock: {cidr: {{ . | quote }}}
        {{- end }}
    {{- end }}
{{- end }}
{{- end -}}
