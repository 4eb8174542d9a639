{{/*
Flotilla's shared helper library: pod and container security contexts (restricted Pod Security by
default). Generated into each chart that uses them as templates/flotilla/_security.tpl from
pkg/chartkit/templates/_security.tpl: edit it there.
*/}}

{{/*
Pod-level securityContext from values (restricted by default), on one line: "securityContext:
{{ include ... }}". JSON is YAML, and toJson costs a tenth of toYaml, which every pod needs.
*/}}
{{- define "flotilla.podSecurityContext" -}}
{{- toJson .Values.podSecurityContext -}}
{{- end -}}

{{/* Container-level securityContext from values (restricted by default), on one line as above. */}}
{{- define "flotilla.containerSecurityContext" -}}
{{- toJson .Values.containerSecurityContext -}}
{{- end -}}
