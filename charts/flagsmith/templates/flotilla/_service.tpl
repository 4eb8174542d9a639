{{/*
Flotilla's shared helper library: services: the main component's and any component's. Generated into
each chart that uses them as templates/flotilla/_service.tpl from
pkg/chartkit/templates/_service.tpl: edit it there.
*/}}

{{/* The Service of the main component: dict "ctx" $ "component" C "targetPort" NAME (see flotilla.serviceFor). */}}
{{- define "flotilla.service" -}}
{{- template "flotilla.serviceFor" (dict "ctx" .ctx "component" .component "name" (include "flotilla.fullname" .ctx) "svc" .ctx.Values.service "targetPort" .targetPort) -}}
{{- end -}}

{{/*
A Service for any component: dict "ctx" $ "name" N
"component" C "svc" (a cv.Service value block) "targetPort" PORTNAME.
*/}}
{{- define "flotilla.serviceFor" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ .name | quote }}
  labels:
    {{- include "flotilla.labels" . | nindent 4 }}
  {{- with .svc.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ .svc.type }}
  {{- with .svc.ipFamilyPolicy }}
  ipFamilyPolicy: {{ . }}
  {{- end }}
  {{- with .svc.ipFamilies }}
  ipFamilies: {{ toJson . }}
  {{- end }}
  ports:
    - name: http
      port: {{ .svc.port }}
      targetPort: {{ .targetPort }}
      protocol: TCP
      {{- if and (ne .svc.type "ClusterIP") .svc.nodePort }}
      nodePort: {{ .svc.nodePort }}
      {{- end }}
  selector:
    {{- include "flotilla.selectorLabels" . | nindent 4 }}
{{- end -}}
