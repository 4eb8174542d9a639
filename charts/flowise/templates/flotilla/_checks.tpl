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
Problems of an autoscaling block (a cv.Autoscaling) at values path P, as a JSON list: dict "path"
P "autoscaling" A. minReplicas above maxReplicas is refused by the HPA API.
*/}}
{{- define "flotilla.autoscalingProblems" -}}
{{- $a := .autoscaling -}}
{{- $out := list -}}
{{- if and $a.enabled (gt (int $a.minReplicas) (int $a.maxReplicas)) -}}
{{- $out = append $out (dict "path" (printf "%s.minReplicas" .path) "message" (printf "%s.minReplicas (%v) must not exceed %s.maxReplicas (%v)" .path $a.minReplicas .path $a.maxReplicas)) -}}
{{- end -}}
{{- toJson $out -}}
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

{{/*
Problems of extraVolumes and extraVolumeMounts, as a JSON list: dict "ctx" $ "volumes" (list of
YAML lists: the volumes of the pods that receive extraVolumes, or a StatefulSet's
volumeClaimTemplates, rendered by the same helpers their templates use) "mounts" (likewise the volumeMounts of the containers that receive
extraVolumeMounts). Reading the names and paths from what the templates render keeps the
check complete when a volume is added. The API refuses a pod whose volume names or mount
paths repeat, or that mounts a volume it lacks. Callers skip it when both lists are empty.
*/}}
{{- define "flotilla.extraVolumesProblems" -}}
{{- $own := list -}}
{{- range fromYamlArray (join "\n" .volumes) }}{{ $own = append $own (toString (.name | default (dig "metadata" "name" "" .))) }}{{ end -}}
{{- $own = uniq $own -}}
{{- $ownPaths := list -}}
{{- range fromYamlArray (join "\n" .mounts) }}{{ $ownPaths = append $ownPaths (trimSuffix "/" (toString .mountPath)) }}{{ end -}}
{{- $ownPaths = uniq $ownPaths -}}
{{- $out := list -}}
{{- $names := dict -}}
{{- range $i, $v := .ctx.Values.extraVolumes -}}
{{- $n := toString $v.name -}}
{{- if has $n $own -}}
{{- $out = append $out (dict "path" (printf "extraVolumes.%d.name" $i) "message" (printf "%q is the name of one of the chart's own volumes (%s)" $n (join ", " $own))) -}}
{{- else if hasKey $names $n -}}
{{- $out = append $out (dict "path" (printf "extraVolumes.%d.name" $i) "message" (printf "%q is already the name of extraVolumes.%v" $n (get $names $n))) -}}
{{- end -}}
{{- $_ := set $names $n $i -}}
{{- end -}}
{{- $paths := dict -}}
{{- range $i, $m := .ctx.Values.extraVolumeMounts -}}
{{- if not (hasKey $names $m.name) -}}
{{- $out = append $out (dict "path" (printf "extraVolumeMounts.%d.name" $i) "message" (printf "%q is not the name of any of extraVolumes" $m.name)) -}}
{{- end -}}
{{- $p := trimSuffix "/" $m.mountPath -}}
{{- if has $p $ownPaths -}}
{{- $out = append $out (dict "path" (printf "extraVolumeMounts.%d.mountPath" $i) "message" (printf "%q is a path the chart mounts itself (%s)" $m.mountPath (join ", " $ownPaths))) -}}
{{- else if hasKey $paths $p -}}
{{- $out = append $out (dict "path" (printf "extraVolumeMounts.%d.mountPath" $i) "message" (printf "%q is already the mountPath of extraVolumeMounts.%v" $m.mountPath (get $paths $p))) -}}
{{- end -}}
{{- $_ := set $paths $p $i -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}
