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

{{/* The body of flotilla.networkpolicy.egress is in files/flotilla/networkpolicy.tpl, parsed only when called. */}}
{{- define "flotilla.networkpolicy.egress" -}}
{{- if and .ctx.Values.networkPolicy.enabled .ctx.Values.networkPolicy.egress.restrict }}
{{- include "flotilla.lazy" (dict "file" "networkpolicy" "name" "flotilla.networkpolicy.egress" "args" .) -}}
{{- end -}}
{{- end -}}
