{{/*
Flotilla's shared helper library: the ServiceAccount the pods run as. Generated into each chart that
uses them as templates/flotilla/_serviceaccount.tpl from pkg/chartkit/templates/_serviceaccount.tpl:
edit it there.
*/}}

{{/* Name of the ServiceAccount the pods run as. */}}
{{- define "flotilla.serviceAccountName" -}}
{{- default (ternary (include "flotilla.fullname" .) "default" .Values.serviceAccount.create) .Values.serviceAccount.name -}}
{{- end -}}

{{/* ServiceAccount manifest. */}}
{{- define "flotilla.serviceAccount" -}}
{{- if .Values.serviceAccount.create }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "flotilla.serviceAccountName" . | quote }}
  labels:
    {{- include "flotilla.labels" (dict "ctx" . "component" "main") | nindent 4 }}
  {{- with .Values.serviceAccount.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
automountServiceAccountToken: {{ .Values.serviceAccount.automountServiceAccountToken }}
{{- end }}
{{- end -}}
