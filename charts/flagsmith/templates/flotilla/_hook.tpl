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
