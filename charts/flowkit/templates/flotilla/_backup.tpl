{{/*
Flotilla's shared helper library: backups of PostgreSQL databases to S3 (pg_dump and pg_restore from
the official postgres image, streamed by flotilla-hook) and restore mode. Generated into each chart
that uses them as templates/flotilla/_backup.tpl from pkg/chartkit/templates/_backup.tpl: edit it there.
*/}}

{{/* Replicas of an app Deployment: 0 in restore mode (nothing writes while a backup is restored), else dict "ctx" $ "replicas" N. */}}
{{- define "flotilla.backup.replicas" -}}
{{- if .ctx.Values.backup.restore.enabled }}0{{ else }}{{ .replicas }}{{ end -}}
{{- end -}}

{{/* The body of flotilla.backup is in files/flotilla/backup.tpl, parsed only when called. */}}
{{- define "flotilla.backup" -}}
{{- include "flotilla.lazy" (dict "file" "backup" "name" "flotilla.backup" "args" .) -}}
{{- end -}}

{{/* The body of flotilla.backup.pod is in files/flotilla/backup.tpl, parsed only when called. */}}
{{- define "flotilla.backup.pod" -}}
{{- include "flotilla.lazy" (dict "file" "backup" "name" "flotilla.backup.pod" "args" .) -}}
{{- end -}}

{{/* NOTES.txt lines of the backup block: where backups go, and restore mode's next step. */}}
{{- define "flotilla.backup.notes" -}}
{{- $b := .Values.backup -}}
{{- $sel := printf "app.kubernetes.io/instance=%s,flotilla.dev/job=restore" .Release.Name -}}
{{- if $b.enabled }}

Backups: pg_dump to S3 bucket "{{ $b.s3.bucket }}"{{ with $b.prefix }} under {{ . }}{{ end }} on "{{ $b.schedule }}", keeping {{ if $b.retention.keepLast }}the newest {{ $b.retention.keepLast }}{{ end }}{{ if and $b.retention.keepLast $b.retention.keepWithin }} and {{ end }}{{ with $b.retention.keepWithin }}those younger than {{ . }}{{ end }}{{ if not (or $b.retention.keepLast $b.retention.keepWithin) }}all{{ end }}.
  kubectl -n {{ .Release.Namespace }} get cronjobs -l app.kubernetes.io/instance={{ .Release.Name }}
{{- end }}
{{- if $b.restore.enabled }}

RESTORE MODE: the app's Deployments run 0 replicas while a Job restores backup "{{ $b.restore.backup }}" of release {{ default .Release.Name $b.restore.fromRelease }}.
  kubectl -n {{ .Release.Namespace }} wait --for=condition=complete job -l {{ $sel }} --timeout=6h
  kubectl -n {{ .Release.Namespace }} logs -l {{ $sel }} -c restore --tail=1
Then start the app on the restored data:
  helm upgrade {{ .Release.Name }} <chart> -n {{ .Release.Namespace }} --reuse-values --set backup.restore.enabled=false
{{- end }}
{{- end -}}
