{{/*
Flotilla's shared helper library: PersistentVolumeClaims for app data. Generated into each chart
that uses them as templates/flotilla/_persistence.tpl from pkg/chartkit/templates/_persistence.tpl:
edit it there.
*/}}

{{/* PersistentVolumeClaim for the app's data: dict "ctx" $ "name" N "component" C "p" .Values.persistence. */}}
{{- define "flotilla.pvc" -}}
{{- if and .p.enabled (not .p.existingClaim) }}
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: {{ .name | quote }}
  labels:
    {{- include "flotilla.labels" . | nindent 4 }}
  annotations:
    helm.sh/resource-policy: keep
    {{- with .p.annotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  accessModes: {{ toJson .p.accessModes }}
  {{- if .p.storageClass }}
  storageClassName: {{ ternary "" .p.storageClass (eq .p.storageClass "-") | quote }}
  {{- end }}
  resources:
    requests:
      storage: {{ .p.size | quote }}
{{- end }}
{{- end -}}
