{{/*
Flotilla's shared helper library: the user's extra volumes and mounts (extraVolumes,
extraVolumeMounts) of the app's pods. Generated into each chart that uses them as
templates/flotilla/_volumes.tpl from pkg/chartkit/templates/_volumes.tpl: edit it there.
*/}}

{{/*
extraVolumeMounts as items of a container's volumeMounts list, one-line JSON each (nothing when
empty). Takes the root context; callers put it last in the app container's volumeMounts.
*/}}
{{- define "flotilla.extraVolumeMounts" -}}
{{- range .Values.extraVolumeMounts }}
- {{ toJson . }}
{{- end }}
{{- end -}}

{{/*
extraVolumes as items of a pod's volumes list, one-line JSON each (nothing when empty). Takes
the root context; callers put it last in the app pod's volumes.
*/}}
{{- define "flotilla.extraVolumes" -}}
{{- range .Values.extraVolumes }}
- {{ toJson . }}
{{- end }}
{{- end -}}
