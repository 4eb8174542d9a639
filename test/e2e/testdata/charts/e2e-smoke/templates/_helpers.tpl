{{- define "smoke.labels" -}}
app.kubernetes.io/name: e2e-smoke
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}
{{- define "smoke.selector" -}}
app.kubernetes.io/name: e2e-smoke
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
{{- define "smoke.podSecurity" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: 1000
  seccompProfile: {type: RuntimeDefault}
{{- end -}}
{{- define "smoke.containerSecurity" -}}
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  capabilities: {drop: [ALL]}
{{- end -}}
{{- define "smoke.secretName" -}}
{{- .Values.auth.existingSecret | default (printf "%s-auth" .Release.Name) -}}
{{- end -}}
