{{/*
Flotilla's shared helper library: the status endpoint (flotilla-hook status serve): its keys
Secret, Deployment, Service and Ingress. Generated into each chart that uses them as
templates/flotilla/_status.tpl from pkg/chartkit/templates/_status.tpl: edit it there.
*/}}

{{/* Name of the status endpoint's objects: <fullname>-status. */}}
{{- define "flotilla.status.fullname" -}}
{{- printf "%s-status" (include "flotilla.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The generated keys Secret of the status endpoint, as a JSON list of flotilla.generatedSecrets
items (empty when status is off or with status.existingSecret); the chart's
<chart>.generatedSecrets lists it, so secrets.generation hook creates it like the others.
*/}}
{{- define "flotilla.status.generatedSecrets" -}}
{{- $s := .Values.status -}}
{{- if and $s.enabled (not $s.existingSecret) -}}
{{- toJson (list (dict "name" (include "flotilla.status.fullname" .) "component" "status" "keys" (list (dict "key" "status-keys" "length" 32)))) -}}
{{- else -}}[]
{{- end -}}
{{- end -}}

{{/* The body of flotilla.status is in files/flotilla/status.tpl, parsed only when called. */}}
{{- define "flotilla.status" -}}
{{- include "flotilla.lazy" (dict "file" "status" "name" "flotilla.status" "args" .) -}}
{{- end -}}

{{/* NOTES.txt lines of the status block: where the endpoint answers and how to read a key. */}}
{{- define "flotilla.status.notes" -}}
{{- $s := .Values.status -}}
{{- if $s.enabled }}
{{- $name := include "flotilla.status.fullname" . }}

Status endpoint: 200 when every component is healthy, else 500, with JSON.
  kubectl -n {{ .Release.Namespace }} port-forward svc/{{ $name }} 8080 && curl -s localhost:8080/
{{- range $s.ingress.hosts }}
  https://{{ .host }}/?key=KEY   (from outside private networks)
{{- end }}
  Keys (comma-separated): kubectl -n {{ .Release.Namespace }} get secret {{ default $name $s.existingSecret }} -o jsonpath='{.data.{{ ternary $s.existingSecretKeysKey "status-keys" (ne $s.existingSecret "") }}}' | base64 -d
{{- end }}
{{- end -}}
