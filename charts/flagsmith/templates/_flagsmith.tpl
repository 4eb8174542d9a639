{{/* Flagsmith-specific helpers. Shared ones (flotilla.*) live in flotilla/_<concept>.tpl. */}}

{{/* The database Flagsmith uses: postgresql (bundled) or external, resolving database.mode auto. */}}
{{- define "flagsmith.database" -}}
{{- $d := .Values.database -}}
{{- if ne $d.mode "auto" -}}{{- $d.mode -}}
{{- else if .Values.postgresql.enabled -}}postgresql
{{- else -}}external
{{- end -}}
{{- end -}}

{{/*
How migrations run: job (pre-install,pre-upgrade hook) or initContainer (in the API pods).
auto picks the Job for an external database only: Helm runs pre-install hooks before any
release object exists, so the bundled PostgreSQL is not there yet for a Job to migrate.
*/}}
{{- define "flagsmith.migrationMode" -}}
{{- if ne .Values.migration.mode "auto" -}}{{- .Values.migration.mode -}}
{{- else if eq (include "flagsmith.database" .) "external" -}}job
{{- else -}}initContainer
{{- end -}}
{{- end -}}

{{/*
The Secrets the chart generates, as a JSON list of flotilla.generatedSecrets items: the one list
secrets.yaml renders (or the secrets hook creates) and NOTES.txt reports.
*/}}
{{- define "flagsmith.generatedSecrets" -}}
{{- $out := list -}}
{{- if not .Values.auth.existingSecret -}}
{{- $out = append $out (dict "name" (include "flagsmith.authSecret" .) "component" "api" "keys" (list (dict "key" "django-secret-key" "length" 50))) -}}
{{- end -}}
{{- if eq (include "flagsmith.database" .) "postgresql" -}}
{{- $out = concat $out (include "flotilla.postgresql.generatedSecrets" (dict "pg" .Values.postgresql "name" (include "flotilla.postgresql.fullname" .)) | fromJsonArray) -}}
{{- end -}}
{{- $out = concat $out (include "flotilla.redis.generatedSecrets" . | fromJsonArray) -}}
{{- if and .Values.influxdb.enabled (not .Values.influxdb.auth.existingSecret) -}}
{{- $out = append $out (dict "name" (include "flagsmith.influxdb.fullname" .) "component" "influxdb" "keys" (list (dict "key" "admin-password" "length" 32) (dict "key" "admin-token" "length" 64))) -}}
{{- end -}}
{{- $out = concat $out (include "flotilla.status.generatedSecrets" . | fromJsonArray) -}}
{{- toJson $out -}}
{{- end -}}

{{/* Name of the Secret holding DJANGO_SECRET_KEY. */}}
{{- define "flagsmith.authSecret" -}}
{{- default (printf "%s-auth" (include "flotilla.fullname" .)) .Values.auth.existingSecret -}}
{{- end -}}

{{/* Name of the bundled InfluxDB's Service, StatefulSet and Secret. */}}
{{- define "flagsmith.influxdb.fullname" -}}
{{- printf "%s-influxdb" (include "flotilla.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Name of the PgBouncer Service and Deployment. */}}
{{- define "flagsmith.pgbouncer.fullname" -}}
{{- printf "%s-pgbouncer" (include "flotilla.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
PostgreSQL connection as JSON: host, port, name, user and secret/key of the password, or
urlSecret/urlKey when a whole DATABASE_URL comes from a Secret.
*/}}
{{- define "flagsmith.db" -}}
{{- if eq (include "flagsmith.database" .) "postgresql" -}}
{{- $a := .Values.postgresql.auth -}}
{{- $ref := split "/" (include "flotilla.postgresql.secretRef" .) -}}
{{- toJson (dict "host" (include "flotilla.postgresql.host" .) "port" 5432 "name" $a.database "user" $a.username "secret" $ref._0 "key" $ref._1) -}}
{{- else -}}
{{- $e := .Values.database.external -}}
{{- if $e.urlExistingSecret -}}
{{- toJson (dict "urlSecret" $e.urlExistingSecret "urlKey" $e.urlExistingSecretKey) -}}
{{- else -}}
{{- $secret := "" -}}{{- $key := "" -}}
{{- if $e.existingSecret -}}{{- $secret = $e.existingSecret -}}{{- $key = $e.existingSecretPasswordKey -}}
{{- else if $e.password -}}{{- $secret = printf "%s-external-db" (include "flotilla.fullname" .) -}}{{- $key = "password" -}}
{{- end -}}
{{- toJson (dict "host" $e.host "port" $e.port "name" $e.name "user" $e.username "secret" $secret "key" $key) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* InfluxDB connection as JSON (url, org, bucket, secret, key); empty when analytics are off. */}}
{{- define "flagsmith.influxdb" -}}
{{- $i := .Values.influxdb -}}
{{- if $i.enabled -}}
{{- $secret := default (include "flagsmith.influxdb.fullname" .) $i.auth.existingSecret -}}
{{- $key := ternary $i.auth.existingSecretTokenKey "admin-token" (ne $i.auth.existingSecret "") -}}
{{- toJson (dict "url" (printf "http://%s:8086" (include "flagsmith.influxdb.fullname" .)) "org" $i.org "bucket" $i.bucket "secret" $secret "key" $key) -}}
{{- else if $i.external.url -}}
{{- toJson (dict "url" $i.external.url "org" $i.org "bucket" $i.bucket "secret" $i.external.existingSecret "key" $i.external.existingSecretTokenKey) -}}
{{- end -}}
{{- end -}}

{{/* Whether Flagsmith uses Redis as its cache: "true" or "". */}}
{{- define "flagsmith.redisCache" -}}
{{- if or .Values.redis.enabled .Values.redis.external.host -}}true{{- end -}}
{{- end -}}

{{/*
Database environment: dict "ctx" $ "direct" BOOL. direct skips PgBouncer (migrations use it:
DDL and advisory locks want a real server session).
*/}}
{{- define "flagsmith.dbEnv" -}}
{{- $ := .ctx -}}
{{- $db := include "flagsmith.db" $ | fromJson -}}
{{- if $db.urlSecret }}
{{ include "flotilla.secretEnv" (dict "name" "DATABASE_URL" "secret" $db.urlSecret "key" $db.urlKey) }}
{{- else }}
{{- $pgb := and $.Values.pgbouncer.enabled (not .direct) }}
- name: DJANGO_DB_HOST
  value: {{ ternary (include "flagsmith.pgbouncer.fullname" $) $db.host $pgb | quote }}
- name: DJANGO_DB_PORT
  value: {{ ternary 5432 $db.port $pgb | toString | quote }}
- name: DJANGO_DB_NAME
  value: {{ $db.name | quote }}
- name: DJANGO_DB_USER
  value: {{ $db.user | quote }}
{{- if $db.secret }}
{{ include "flotilla.secretEnv" (dict "name" "DJANGO_DB_PASSWORD" "secret" $db.secret "key" $db.key) }}
{{- else }}
- name: DJANGO_DB_PASSWORD
  value: ""
{{- end }}
{{- end }}
{{- end -}}

{{/*
Environment shared by the API and task processor: they must agree on the secret key, database,
caches, analytics and task run method.
*/}}
{{- define "flagsmith.env" -}}
{{- $ := . -}}
{{- $v := .Values -}}
{{- $api := $v.api -}}
- name: DJANGO_ALLOWED_HOSTS
  value: {{ join "," $api.allowedHosts | quote }}
{{- /* The dashboard's public origins: frontend Ingress hosts, else frontend HTTPRoute host names (https). */}}
{{- $origins := list }}
{{- if and $v.frontend.enabled $v.frontend.ingress.enabled }}
{{- $scheme := ternary "https" "http" (gt (len $v.frontend.ingress.tls) 0) }}
{{- range $v.frontend.ingress.hosts }}{{ $origins = append $origins (printf "%s://%s" $scheme .host) }}{{ end }}
{{- else if and $v.frontend.enabled $v.frontend.httpRoute.enabled }}
{{- range $v.frontend.httpRoute.hostnames }}{{ $origins = append $origins (printf "https://%s" .) }}{{ end }}
{{- end }}
{{- with default $origins $api.csrfTrustedOrigins }}
- name: DJANGO_CSRF_TRUSTED_ORIGINS
  value: {{ join "," . | quote }}
{{- end }}
{{- $domain := $api.domain }}
{{- if and (not $domain) $origins }}
{{- $domain = regexReplaceAll "^https?://" (first $origins) "" }}
{{- end }}
{{- with $domain }}
- name: FLAGSMITH_DOMAIN
  value: {{ . | quote }}
{{- end }}
{{ include "flotilla.secretEnv" (dict "name" "DJANGO_SECRET_KEY" "secret" (include "flagsmith.authSecret" .) "key" (ternary $v.auth.existingSecretSecretKeyKey "django-secret-key" (ne $v.auth.existingSecret ""))) }}
{{- include "flagsmith.dbEnv" (dict "ctx" . "direct" false) }}
- name: TASK_RUN_METHOD
  value: {{ ternary "TASK_PROCESSOR" "SEPARATE_THREAD" (eq $v.architecture.mode "queue") | quote }}
- name: ENABLE_TELEMETRY
  value: {{ $v.telemetry.enabled | quote }}
{{- if not $v.telemetry.enabled }}
- name: TELEMETRY_DISABLED
  value: "true"
{{- end }}
- name: LOG_LEVEL
  value: {{ $api.logLevel | quote }}
- name: LOG_FORMAT
  value: {{ $api.logFormat | quote }}
- name: PROMETHEUS_ENABLED
  value: "true"
{{- if $v.frontend.enabled }}
{{- /* The dashboard's Node server proxies /api/v1/ here: build URLs from the browser's host. */}}
- name: USE_X_FORWARDED_HOST
  value: "true"
{{- end }}
{{- if include "flagsmith.redisCache" . }}
{{- $r := include "flotilla.redis.connection" . | fromJson }}
{{- if $r.secret }}
{{ include "flotilla.secretEnv" (dict "name" "REDIS_PASSWORD" "secret" $r.secret "key" $r.key) }}
{{- end }}
{{- $url := printf "%s://%s%s:%v" (ternary "rediss" "redis" $r.tls) (ternary (printf "%s:$(REDIS_PASSWORD)@" $r.username) "" (ne $r.secret "")) $r.host $r.port }}
{{- range $i, $cache := list "ENVIRONMENT_CACHE" "CACHE_ENVIRONMENT_SEGMENTS" "USER_THROTTLE_CACHE" }}
- name: {{ $cache }}_BACKEND
  value: django_redis.cache.RedisCache
{{- end }}
- name: ENVIRONMENT_CACHE_LOCATION
  value: {{ printf "%s/0" $url | quote }}
- name: ENVIRONMENT_SEGMENTS_CACHE_LOCATION
  value: {{ printf "%s/1" $url | quote }}
- name: USER_THROTTLE_CACHE_LOCATION
  value: {{ printf "%s/2" $url | quote }}
{{- end }}
{{- with include "flagsmith.influxdb" . }}
{{- $i := fromJson . }}
- name: INFLUXDB_URL
  value: {{ $i.url | quote }}
- name: INFLUXDB_ORG
  value: {{ $i.org | quote }}
- name: INFLUXDB_BUCKET
  value: {{ $i.bucket | quote }}
{{ include "flotilla.secretEnv" (dict "name" "INFLUXDB_TOKEN" "secret" $i.secret "key" $i.key) }}
{{- end }}
{{- $e := $v.email }}
- name: SENDER_EMAIL
  value: {{ $e.senderEmail | quote }}
{{- if eq $e.backend "sendgrid" }}
- name: EMAIL_BACKEND
  value: sgbackend.SendGridBackend
{{ include "flotilla.secretEnv" (dict "name" "SENDGRID_API_KEY" "secret" $e.sendgrid.existingSecret "key" $e.sendgrid.existingSecretApiKeyKey) }}
{{- else if eq $e.backend "smtp" }}
- name: EMAIL_BACKEND
  value: django.core.mail.backends.smtp.EmailBackend
- name: EMAIL_HOST
  value: {{ $e.smtp.host | quote }}
- name: EMAIL_PORT
  value: {{ $e.smtp.port | quote }}
- name: EMAIL_USE_TLS
  value: {{ $e.smtp.useTls | quote }}
{{- with $e.smtp.username }}
- name: EMAIL_HOST_USER
  value: {{ . | quote }}
{{- end }}
{{- if $e.smtp.existingSecret }}
{{ include "flotilla.secretEnv" (dict "name" "EMAIL_HOST_PASSWORD" "secret" $e.smtp.existingSecret "key" $e.smtp.existingSecretPasswordKey) }}
{{- end }}
{{- else }}
- name: EMAIL_BACKEND
  value: django.core.mail.backends.console.EmailBackend
{{- end }}
{{- with $v.oauth.github }}
{{- if .clientId }}
- name: GITHUB_CLIENT_ID
  value: {{ .clientId | quote }}
{{ include "flotilla.secretEnv" (dict "name" "GITHUB_CLIENT_SECRET" "secret" .existingSecret "key" .existingSecretClientSecretKey) }}
{{- end }}
{{- end }}
{{- with $v.staticFiles.s3 }}
{{- if .enabled }}
- name: USE_S3_STORAGE
  value: "true"
- name: AWS_STORAGE_BUCKET_NAME
  value: {{ .bucketName | quote }}
- name: AWS_S3_REGION_NAME
  value: {{ .region | quote }}
{{- if .existingSecret }}
{{ include "flotilla.secretEnv" (dict "name" "AWS_ACCESS_KEY_ID" "secret" .existingSecret "key" .existingSecretAccessKeyIdKey) }}
{{ include "flotilla.secretEnv" (dict "name" "AWS_SECRET_ACCESS_KEY" "secret" .existingSecret "key" .existingSecretSecretAccessKeyKey) }}
{{- end }}
{{- end }}
{{- end }}
{{- if not $v.frontend.enabled }}
{{- /* No dashboard Deployment: the unified flagsmith image serves the dashboard from the API and reads its settings here. */}}
- name: DISABLE_ANALYTICS_FEATURES
  value: {{ eq (include "flagsmith.influxdb" .) "" | quote }}
{{- with $v.frontend.flagsmithOnFlagsmith }}
{{- if .apiKey }}
- name: FLAGSMITH_ON_FLAGSMITH_API_KEY
  value: {{ .apiKey | quote }}
{{- end }}
{{- if .apiUrl }}
- name: FLAGSMITH_ON_FLAGSMITH_API_URL
  value: {{ .apiUrl | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- range $api.extraEnv }}
- {{ toJson . }}
{{- end }}
{{- end -}}

{{/* Volumes of an API or task processor pod: /tmp and the Prometheus multiprocess directory. */}}
{{- define "flagsmith.volumes" -}}
- name: tmp
  emptyDir: {}
- name: prometheus
  emptyDir: {}
{{- end -}}

{{- define "flagsmith.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: prometheus
  mountPath: /tmp/prometheus
{{- end -}}

{{/* The frontend pod's volumes and its container's mounts (checks.yaml reads them too). */}}
{{- define "flagsmith.frontendVolumes" -}}
- name: tmp
  emptyDir: {}
{{- end -}}

{{- define "flagsmith.frontendVolumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/*
The migrate container (Job or init container): the API image's entrypoint with "migrate",
which waits for the database, applies migrations and creates the cache table. It talks to
PostgreSQL directly, never through PgBouncer.
*/}}
{{- define "flagsmith.migrateContainer" -}}
{{- $api := .Values.api -}}
- name: migrate
  image: {{ include "flotilla.image" (dict "image" $api.image "default" .Chart.AppVersion) | quote }}
  imagePullPolicy: {{ $api.image.pullPolicy }}
  command: ["/app/scripts/run-docker.sh"]
  args: ["migrate"]
  securityContext: {{ include "flotilla.containerSecurityContext" . }}
  env:
    {{- include "flagsmith.dbEnv" (dict "ctx" . "direct" true) | trim | nindent 4 }}
    - name: ENABLE_TELEMETRY
      value: "false"
    - name: LOG_LEVEL
      value: {{ $api.logLevel | quote }}
  {{- with .Values.migration.resources }}
  resources: {{ toJson . }}
  {{- end }}
  volumeMounts:
    {{- include "flagsmith.volumeMounts" . | nindent 4 }}
{{- end -}}
