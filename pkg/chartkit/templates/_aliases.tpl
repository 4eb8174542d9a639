{{/*
Flotilla's shared helper library: keys of another chart accepted as this chart's (chartkit.Compat).
Generated into each chart that has them as templates/flotilla/_aliases.tpl from
pkg/chartkit/templates/_aliases.tpl: edit it there. The chart's generated
templates/flotilla/compat/aliases.yaml applies the aliases and lists those it applied in
$.flotillaAliases ("from to chart" each).
*/}}

{{/*
NOTES.txt lines naming the canonical key of every alias the values used. dict: the root context.
*/}}
{{- define "flotilla.aliases.notes" -}}
{{- range .flotillaAliases }}
{{- $a := splitList " " . }}
Values: {{ index $a 0 }} is the {{ index $a 2 }} chart's name for {{ index $a 1 }}; it was applied as {{ index $a 1 }}. Rename it (flotilla migrate --from {{ index $a 2 }} does).
{{- end }}
{{- end -}}
