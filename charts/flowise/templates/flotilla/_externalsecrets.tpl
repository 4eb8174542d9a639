{{/*
Flotilla's shared helper library: External Secrets Operator. Generated into each chart as
templates/flotilla/_externalsecrets.tpl from pkg/chartkit/templates/_externalsecrets.tpl: edit it
there.
*/}}

{{/* The body of flotilla.externalSecrets is in files/flotilla/externalsecrets.tpl, parsed only when called. */}}
{{- define "flotilla.externalSecrets" -}}
{{- include "flotilla.lazy" (dict "file" "externalsecrets" "name" "flotilla.externalSecrets" "args" .) -}}
{{- end -}}
