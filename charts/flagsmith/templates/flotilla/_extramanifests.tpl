{{/*
Flotilla's shared helper library: extra manifests. Generated into each chart as
templates/flotilla/_extramanifests.tpl from pkg/chartkit/templates/_extramanifests.tpl: edit it there.
*/}}

{{/* Every item of extraManifests (an object or a string of YAML), rendered through tpl. */}}
{{- define "flotilla.extraManifests" -}}
{{- range .Values.extraManifests }}
---
{{ if typeIs "string" . }}{{ tpl . $ }}{{ else }}{{ tpl (toYaml .) $ }}{{ end }}
{{- end }}
{{- end -}}
