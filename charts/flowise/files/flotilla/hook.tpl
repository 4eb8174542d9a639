{{- /*
Flotilla's shared helper library: flotilla-hook: its container and password volume, the pre-install
database bootstrap Job and scheduled CronJobs. Generated into each chart that uses them as
templates/flotilla/_hook.tpl from pkg/chartkit/templates/_hook.tpl: edit it there.
*/}}

{{- /*
pre-install,pre-upgrade Job creating PostgreSQL extensions on an external database before the
release's pods start: dict "ctx" $ "pg" (as for flotilla.hook.container) "extensions" (list ...).
It runs before the release's own objects exist, so it uses the namespace's default
ServiceAccount (no token) and may only mount Secrets that already exist or are earlier hooks.
Lazy: only with hook.mode job and an external database.
*/}}
{{- define "flotilla.hook.bootstrapJob#lazy" -}}
{{- $h := .ctx.Values.hook -}}
{{- $args := list "db" "bootstrap" -}}
{{- range .extensions }}{{ $args = append $args (printf "--extension=%s" .) }}{{ end }}
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ printf "%s-db-bootstrap" (include "flotilla.fullname" .ctx) | trunc 63 | trimSuffix "-" | quote }}
  labels:
    {{- include "flotilla.labels" (dict "ctx" .ctx "component" "db-bootstrap") | nindent 4 }}
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-weight: "0"
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  backoffLimit: {{ $h.backoffLimit }}
  activeDeadlineSeconds: {{ $h.activeDeadlineSeconds }}
  template:
    metadata:
      labels:
        {{- include "flotilla.selectorLabels" (dict "ctx" .ctx "component" "db-bootstrap") | nindent 8 }}
    spec:
      restartPolicy: Never
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        runAsGroup: 65532
        seccompProfile:
          type: RuntimeDefault
      {{- with include "flotilla.scheduling" .ctx | trim }}{{ . | nindent 6 }}{{ end }}
      containers:
        {{- include "flotilla.hook.container" (dict "ctx" .ctx "name" "bootstrap" "args" $args "pg" .pg) | nindent 8 }}
      volumes:
        {{- include "flotilla.hook.volume" .pg | nindent 8 }}
{{- end -}}
