{{/*
Flotilla's shared helper library: NetworkPolicies (networkPolicy.*), the release's firewall.
Generated into each chart that uses them as templates/flotilla/_networkpolicy.tpl from
pkg/chartkit/templates/_networkpolicy.tpl: edit it there. Policies only add allowances: a pod no
policy selects for a direction keeps that direction open, and a user's own NetworkPolicy can open
more. Clients are selected by the labels every pod of a release carries (flotilla.labels):
app.kubernetes.io/instance (the release; also carried by bundled instances whose name label
differs) and app.kubernetes.io/component, so hook Jobs, CronJobs and `helm test` pods are admitted
by listing their component.
*/}}

{{/*
Ingress policy of one component: dict "ctx" $ "component" C "ports" (list PORT ...) and
"clients" (list COMPONENT ...) for a component only the release's own pods reach (an empty
list: nothing reaches it), or no "clients" for a component users reach (from
networkPolicy.ingress.from plus the release's pods, or from anywhere when that is empty).
PORT is a container port name or number (TCP). Optional "name" (default <fullname>-C) and
"podLabels" (a dict, default the component's selector labels) for bundled instances with their
own name label. Optional "cnpg" true for a bundled PostgreSQL run by CloudNativePG (its pods carry
the component's labels through the Cluster's inheritedMetadata): the instances also admit each
other (replication, 5432) and, on the instance manager's port 8000, the operator from any
namespace (pods labelled app.kubernetes.io/name: cloudnative-pg, as its chart and manifests
label them), which otherwise cannot manage the Cluster. Renders nothing when networkPolicy.enabled is false; starts with "---". The label
lines come from flotilla.labelParts' memo (see _names.tpl): policies are on by default, so they
stay cheap.
*/}}
{{- define "flotilla.networkpolicy.ingress" -}}
{{- if .ctx.Values.networkPolicy.enabled }}
{{- $c := .ctx }}
{{- if not (index $c "flotillaLabels") }}{{ include "flotilla.labelParts" $c }}{{ end }}
{{- $sel := printf "%s\napp.kubernetes.io/component: %s" $c.flotillaLabels.selector .component }}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ default (printf "%s-%s" (include "flotilla.fullname" $c) .component) .name | trunc 63 | trimSuffix "-" }}
  labels:
    {{- $sel | nindent 4 }}
    {{- $c.flotillaLabels.rest | nindent 4 }}
spec:
  podSelector:
    matchLabels: {{ if .podLabels }}{{ toJson .podLabels }}{{ else }}{{ $sel | nindent 6 }}{{ end }}
  policyTypes: [Ingress]
  {{- if and (hasKey . "clients") (not .clients) }}
  ingress: []
  {{- else }}
  ingress:
    - ports: [{{ range $i, $p := .ports }}{{ if $i }}, {{ end }}{port: {{ $p }}, protocol: TCP}{{ end }}]
      {{- if hasKey . "clients" }}
      from:
        - podSelector:
            matchLabels: {app.kubernetes.io/instance: {{ $c.Release.Name | quote }}}
            matchExpressions: [{key: app.kubernetes.io/component, operator: In, values: {{ toJson (concat .clients (ternary (list "postgresql") list (eq (toString .cnpg) "true"))) }}}]
      {{- if .cnpg }}
    - ports: [{port: 8000, protocol: TCP}]
      from:
        - podSelector: {matchLabels: {app.kubernetes.io/instance: {{ $c.Release.Name | quote }}, app.kubernetes.io/component: postgresql}}
        - namespaceSelector: {}
          podSelector: {matchLabels: {app.kubernetes.io/name: cloudnative-pg}}
      {{- end }}
      {{- else if $c.Values.networkPolicy.ingress.from }}
      from:
        {{- range $c.Values.networkPolicy.ingress.from }}
        - {{ toJson . }}
        {{- end }}
        - podSelector:
            matchLabels: {app.kubernetes.io/instance: {{ $c.Release.Name | quote }}}
      {{- end }}
  {{- end }}
{{- end }}
{{- end -}}

{{/*
Egress policy of every pod of the release, when networkPolicy.egress.restrict is true: DNS
(kube-dns in kube-system, 53 UDP and TCP), the release's own pods, dict "ctx" $ "ports" (list
PORT ...: the external database's and Redis's ports the values name) plus
networkPolicy.egress.ports at any address, and networkPolicy.egress.cidrs on any port (a false
or 0 entry of "ports" is skipped, for callers that pass conditional ports). Renders nothing
otherwise; starts with "---".
Lazy when and .ctx.Values.networkPolicy.enabled .ctx.Values.networkPolicy.egress.restrict: off by default.
*/}}
{{- define "flotilla.networkpolicy.egress" -}}
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
