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
own name label. Renders nothing when networkPolicy.enabled is false; starts with "---".
*/}}
{{- define "flotilla.networkPolicy" -}}
{{- $np := .ctx.Values.networkPolicy -}}
{{- if $np.enabled }}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ default (printf "%s-%s" (include "flotilla.fullname" .ctx) .component) .name | trunc 63 | trimSuffix "-" }}
  labels:
    {{- include "flotilla.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- if .podLabels }}
      {{- toYaml .podLabels | nindent 6 }}
      {{- else }}
      {{- include "flotilla.selectorLabels" . | nindent 6 }}
      {{- end }}
  policyTypes: [Ingress]
  {{- $release := dict "app.kubernetes.io/instance" .ctx.Release.Name }}
  {{- if and (hasKey . "clients") (not .clients) }}
  # Nothing reaches this component over the network.
  ingress: []
  {{- else }}
  ingress:
    - ports:
        {{- range .ports }}
        - port: {{ . }}
          protocol: TCP
        {{- end }}
      {{- if hasKey . "clients" }}
      from:
        - podSelector:
            matchLabels: {{ toJson $release }}
            matchExpressions:
              - key: app.kubernetes.io/component
                operator: In
                values: {{ toJson (uniq .clients) }}
      {{- else if $np.ingress.from }}
      from:
        {{- range $np.ingress.from }}
        - {{ toJson . }}
        {{- end }}
        - podSelector:
            matchLabels: {{ toJson $release }}
      {{- end }}
  {{- end }}
{{- end }}
{{- end -}}

{{/*
Egress policy of every pod of the release, when networkPolicy.egress.restrict is true: DNS
(kube-dns in kube-system, 53 UDP and TCP), the release's own pods, dict "ctx" $ "ports" (list
PORT ...: the external database's and Redis's ports the values name) plus
networkPolicy.egress.ports at any address, and networkPolicy.egress.cidrs on any port. Renders
nothing otherwise; starts with "---".
*/}}
{{- define "flotilla.networkPolicy.egress" -}}
{{- $np := .ctx.Values.networkPolicy -}}
{{- if and $np.enabled $np.egress.restrict }}
{{- $release := dict "app.kubernetes.io/instance" .ctx.Release.Name }}
{{- $ports := list }}
{{- range concat (.ports | default list) $np.egress.ports }}{{ $ports = append $ports (int .) }}{{ end }}
{{- $ports = uniq $ports }}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ printf "%s-egress" (include "flotilla.fullname" .ctx) | trunc 63 | trimSuffix "-" }}
  labels:
    {{- include "flotilla.labels" (dict "ctx" .ctx "component" "egress") | nindent 4 }}
spec:
  podSelector:
    matchLabels: {{ toJson $release }}
  policyTypes: [Egress]
  egress:
    - to:
        - namespaceSelector:
            matchLabels: {kubernetes.io/metadata.name: kube-system}
          podSelector:
            matchLabels: {k8s-app: kube-dns}
      ports:
        - {port: 53, protocol: UDP}
        - {port: 53, protocol: TCP}
    - to:
        - podSelector:
            matchLabels: {{ toJson $release }}
    {{- with $ports }}
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
