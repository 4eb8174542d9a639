{{/*
Flotilla's shared helper library: liveness, readiness and startup probes. Generated into each chart
that uses them as templates/flotilla/_probes.tpl from pkg/chartkit/templates/_probes.tpl: edit it
there.
*/}}

{{/*
The three probes of a container: dict "probes" .Values.x.probes "handler" YAML, where YAML is
the probe handler already written out (e.g. "httpGet: {path: /ping, port: http}"), so it is
not re-serialised for every probe. Optional "handlers" (dict "readiness" YAML …) gives one
kind of probe its own handler.
*/}}
{{- define "flotilla.probes" -}}
{{- $handlers := .handlers | default dict -}}
{{- $default := .handler -}}
{{- range $kind, $p := .probes }}
{{- if $p.enabled }}
{{- $handler := get $handlers $kind | default $default }}
{{ $kind }}Probe:
  {{ $handler }}
  initialDelaySeconds: {{ $p.initialDelaySeconds }}
  periodSeconds: {{ $p.periodSeconds }}
  timeoutSeconds: {{ $p.timeoutSeconds }}
  failureThreshold: {{ $p.failureThreshold }}
{{- end }}
{{- end }}
{{- end -}}
