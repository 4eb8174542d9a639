{{/*
Flotilla's shared helper library: cross-field checks JSON Schema cannot express (one value
compared with another), reported all at once. Generated into each chart that uses them as
templates/flotilla/_checks.tpl from pkg/chartkit/templates/_checks.tpl: edit it there.
*/}}

{{/*
Fails the render once with every problem of the list (dict "path" P "message" M ...), each on a
line "- P: M" after the marker pkg/render recognises (render.ChecksMarker), so `flotilla
validate` and pkg/render report them as a ValidationError with their field paths, and Helm
prints them all. An empty list renders nothing. Every chart calls it from templates/checks.yaml
only, so no other template fails on values first.
*/}}
{{- define "flotilla.failOnProblems" -}}
{{- if . -}}
{{- $lines := list -}}
{{- range . }}{{ $lines = append $lines (printf "- %s: %s" .path .message) }}{{ end -}}
{{- fail (printf "values are invalid (flotilla checks):\n%s" (join "\n" $lines)) -}}
{{- end -}}
{{- end -}}

{{/*
Problems of extraManifests, as a JSON list: every item, once through tpl, must be one
Kubernetes object with apiVersion, kind and metadata.name (the API server refuses anything else,
and Helm would stop halfway through the release). Takes the root context.
*/}}
{{- define "flotilla.extraManifestsProblems" -}}
{{- $ := . -}}
{{- $out := list -}}
{{- range $i, $m := .Values.extraManifests -}}
{{- $text := "" -}}
{{- if typeIs "string" $m }}{{ $text = tpl $m $ }}{{ else }}{{ $text = tpl (toYaml $m) $ }}{{ end -}}
{{- $obj := fromYaml $text -}}
{{- $md := get $obj "metadata" -}}
{{- $name := "" -}}
{{- if kindIs "map" $md }}{{ $name = get $md "name" | toString }}{{ end -}}
{{- if or (hasKey $obj "Error") (not (kindIs "string" (get $obj "apiVersion"))) (not (kindIs "string" (get $obj "kind"))) (not (get $obj "apiVersion")) (not (get $obj "kind")) (not $name) -}}
{{- $out = append $out (dict "path" (printf "extraManifests.%d" $i) "message" "must be one Kubernetes object with apiVersion, kind and metadata.name (after tpl)") -}}
{{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}
