{{/*
Flotilla's shared helper library: flotilla-hook: its container and password volume, the pre-install
database bootstrap Job and scheduled CronJobs. Generated into each chart that uses them as
templates/flotilla/_hook.tpl from pkg/chartkit/templates/_hook.tpl: edit it there.
*/}}

{{/*
A flotilla-hook container: dict "ctx" $ "name" N "args" (list ...) "pg" (dict "host" H "port" P
"database" D "user" U "sslmode" M "secret" S "key" K). The password is mounted from secret S
(key K) as a file, never put in the pod spec; the pod must carry flotilla.hook.volume.
Optionally "redis" (dict "host" H "port" P "secret" S "key" K; secret "" without a password):
REDIS_HOST/REDIS_PORT and the password file from flotilla.hook.redisVolume; and "env" (list of
dict "name" N "value" V), which args may reference as $(N).
Optional pg keys: "caSecret" or "caConfigMap" with "caKey" (a CA bundle mounted for
PGSSLROOTCERT, to verify the server as the app does), "sslrootcert" "system" (the system CAs),
"userSecret"/"userKey" (PGUSER read from a Secret, e.g. an admin role's).
*/}}
{{- define "flotilla.hook.container" -}}
{{- $h := .ctx.Values.hook -}}
- name: {{ .name | quote }}
  image: {{ include "flotilla.image" (dict "image" $h.image "default" .ctx.Chart.AppVersion) | quote }}
  imagePullPolicy: {{ $h.image.pullPolicy }}
  args:
    {{- range .args }}
    - {{ . | quote }}
    {{- end }}
    - --timeout={{ $h.timeout }}
    - --password-file=/run/flotilla/db/password
    - --log-format=json
    {{- if and .redis .redis.secret }}
    - --redis-password-file=/run/flotilla/redis/password
    {{- end }}
  env:
    {{- range .env }}
    - name: {{ .name | quote }}
      value: {{ .value | quote }}
    {{- end }}
    {{- with .redis }}
    - name: REDIS_HOST
      value: {{ .host | quote }}
    - name: REDIS_PORT
      value: {{ .port | toString | quote }}
    {{- end }}
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
    {{- if and .redis .redis.secret }}
    - name: flotilla-redis-password
      mountPath: /run/flotilla/redis
      readOnly: true
    {{- end }}
    {{- if or .pg.caSecret .pg.caConfigMap }}
    - name: flotilla-db-ca
      mountPath: /run/flotilla/db-ca
      readOnly: true
    {{- end }}
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
  {{- if .userSecret }}
  valueFrom:
    secretKeyRef:
      name: {{ .userSecret | quote }}
      key: {{ .userKey | quote }}
  {{- else }}
  value: {{ .user | quote }}
  {{- end }}
- name: PGSSLMODE
  value: {{ .sslmode | quote }}
{{- if or .caSecret .caConfigMap }}
- name: PGSSLROOTCERT
  value: /run/flotilla/db-ca/ca.crt
{{- else if .sslrootcert }}
- name: PGSSLROOTCERT
  value: {{ .sslrootcert | quote }}
{{- end }}
{{- end -}}

{{/* The volumes flotilla.hook.container mounts: the pg dict ("secret" S "key" K, optional CA). */}}
{{- define "flotilla.hook.volume" -}}
- name: flotilla-db-password
  secret:
    secretName: {{ .secret | quote }}
    items:
      - key: {{ .key | quote }}
        path: password
{{- if .caSecret }}
- name: flotilla-db-ca
  secret:
    secretName: {{ .caSecret | quote }}
    items:
      - key: {{ .caKey | quote }}
        path: ca.crt
{{- else if .caConfigMap }}
- name: flotilla-db-ca
  configMap:
    name: {{ .caConfigMap | quote }}
    items:
      - key: {{ .caKey | quote }}
        path: ca.crt
{{- end }}
{{- end -}}

{{/*
Every volume flotilla.hook.volume can render, as a YAML list: the volumes of the pods that run
a hook container, for flotilla.extraVolumesProblems (their names are the chart's own whether or
not this release renders them).
*/}}
{{- define "flotilla.hook.volumes" -}}
{{- include "flotilla.hook.volume" (dict "secret" "s" "key" "k" "caSecret" "s" "caKey" "k") -}}
{{- end -}}
