{{/*
Flotilla's shared helper library: flotilla-hook: its container and password volume, the pre-install
database bootstrap Job and scheduled CronJobs. Generated into each chart that uses them as
templates/flotilla/_hook.tpl from pkg/chartkit/templates/_hook.tpl: edit it there.
*/}}

{{/*
A flotilla-hook container: dict "ctx" $ "name" N "args" (list ...) "pg" (dict "host" H "port" P
"database" D "user" U "sslmode" M "secret" S "key" K). The password is mounted from secret S
(key K) as a file, never put in the pod spec; the pod must carry flotilla.hook.volume.
*/}}
{{- define "flotilla.hook.container" -}}
{{- $h := .ctx.Values.hook -}}
- name: {{ .name }}
  image: {{ include "flotilla.image" (dict "image" $h.image "default" .ctx.Chart.AppVersion) }}
  imagePullPolicy: {{ $h.image.pullPolicy }}
  args:
    {{- range .args }}
    - {{ . | quote }}
    {{- end }}
    - --timeout={{ $h.timeout }}
    - --password-file=/run/flotilla/db/password
    - --log-format=json
  env:
    {{- include "flotilla.hook.pgEnv" .pg | nindent 4 }}
  securityContext:
    allowPrivilegeEscalation: false
    readOnlyRootFilesystem: true
    runAsNonRoot: true
    runAsUser: 65532
    runAsGroup: 65532
    capabilities:
      drop: ["ALL"]
    seccompProfile:
      type: RuntimeDefault
  {{- with $h.resources }}
  resources: {{ toJson . }}
  {{- end }}
  volumeMounts:
    - name: flotilla-db-password
      mountPath: /run/flotilla/db
      readOnly: true
{{- end -}}

{{/* The PG* variables of a connection: the "pg" dict of flotilla.hook.container. */}}
{{- define "flotilla.hook.pgEnv" -}}
- name: PGHOST
  value: {{ .host | quote }}
- name: PGPORT
  value: {{ .port | toString | quote }}
- name: PGDATABASE
  value: {{ .database | quote }}
- name: PGUSER
  value: {{ .user | quote }}
- name: PGSSLMODE
  value: {{ .sslmode | quote }}
{{- end -}}

{{/* The volume flotilla.hook.container mounts: dict "secret" S "key" K. */}}
{{- define "flotilla.hook.volume" -}}
- name: flotilla-db-password
  secret:
    secretName: {{ .secret }}
    items:
      - key: {{ .key }}
        path: password
{{- end -}}

{{/*
pre-install,pre-upgrade Job creating PostgreSQL extensions on an external database before the
release's pods start: dict "ctx" $ "pg" (as for flotilla.hook.container) "extensions" (list ...).
It runs before the release's own objects exist, so it uses the namespace's default
ServiceAccount (no token) and may only mount Secrets that already exist or are earlier hooks.
*/}}
{{- define "flotilla.hook.bootstrapJob" -}}
{{- $h := .ctx.Values.hook -}}
{{- $args := list "db" "bootstrap" -}}
{{- range .extensions }}{{ $args = append $args (printf "--extension=%s" .) }}{{ end }}
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ printf "%s-db-bootstrap" (include "flotilla.fullname" .ctx) | trunc 63 | trimSuffix "-" }}
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
