{{/*
Flotilla's shared helper library: image references. Generated into each chart that uses them as
templates/flotilla/_images.tpl from pkg/chartkit/templates/_images.tpl: edit it there.
*/}}

{{/* Image reference: dict "image" .Values.image "default" .Chart.AppVersion. A digest wins over the tag. */}}
{{- define "flotilla.image" -}}
{{- if .image.digest -}}
{{- printf "%s@%s" .image.repository .image.digest -}}
{{- else -}}
{{- printf "%s:%s" .image.repository (toString (default .default .image.tag)) -}}
{{- end -}}
{{- end -}}
