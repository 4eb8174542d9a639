{{/*
Flotilla's shared helper library: reaching the app from outside: Ingress, Gateway API HTTPRoute, and
the public URL they give. Generated into each chart that uses them as
templates/flotilla/_ingress.tpl from pkg/chartkit/templates/_ingress.tpl: edit it there.
*/}}

{{/*
An Ingress for any Service: dict "ctx" $ "name" N
"component" C "ingress" (a cv.Ingress value block) "service" SERVICE-NAME. The Service's port
must be named http. Renders nothing when the block is disabled.
*/}}
{{- define "flotilla.ingressFor" -}}
{{- $ing := .ingress -}}
{{- $svc := .service -}}
{{- if $ing.enabled }}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ .name | quote }}
  labels:
    {{- include "flotilla.labels" . | nindent 4 }}
  {{- with $ing.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  {{- with $ing.ingressClassName }}
  ingressClassName: {{ . | quote }}
  {{- end }}
  {{- with $ing.tls }}
  tls: {{ toJson . }}
  {{- end }}
  rules:
    {{- range $ing.hosts }}
    - host: {{ .host | quote }}
      http:
        paths:
          {{- range .paths }}
          - path: {{ .path | quote }}
            pathType: {{ .pathType }}
            backend:
              service:
                name: {{ $svc | quote }}
                port:
                  name: http
          {{- end }}
    {{- end }}
{{- end }}
{{- end -}}

{{/*
A Gateway API HTTPRoute for any Service: dict "ctx" $
"name" N "component" C "route" (a cv.HTTPRoute value block) "service" SERVICE-NAME "port" PORT.
Renders nothing when the block is disabled.
*/}}
{{- define "flotilla.httpRouteFor" -}}
{{- $r := .route -}}
{{- if $r.enabled }}
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: {{ .name | quote }}
  labels:
    {{- include "flotilla.labels" . | nindent 4 }}
  {{- with $r.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  parentRefs: {{ toJson $r.parentRefs }}
  {{- with $r.hostnames }}
  hostnames: {{ toJson . }}
  {{- end }}
  rules:
    - matches:
        - path:
            type: PathPrefix
            value: {{ $r.path | quote }}
      backendRefs:
        - name: {{ .service | quote }}
          port: {{ .port }}
{{- end }}
{{- end -}}
