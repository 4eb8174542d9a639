{{/* Flowise-specific helpers. Shared ones (flotilla.*) live in flotilla/_<concept>.tpl. */}}

{{/* The database Flowise uses: sqlite, postgresql (bundled) or external, resolving database.mode auto. */}}
{{- define "flowise.database" -}}
{{- $d := .Values.database -}}
{{- if ne $d.mode "auto" -}}{{- $d.mode -}}
{{- else if .Values.postgresql.enabled -}}postgresql
{{- else if $d.external.host -}}external
{{- else -}}sqlite
{{- end -}}
{{- end -}}

{{/*
The Secrets the chart generates, as a JSON list of flotilla.generatedSecrets items: the one list
secrets.yaml renders (or the secrets hook creates) and NOTES.txt reports.
*/}}
{{- define "flowise.generatedSecrets" -}}
{{- $out := list -}}
{{- if not .Values.auth.existingSecret -}}
{{- $out = append $out (dict "name" (include "flowise.authSecret" .) "component" "main" "keys" (list
  (dict "key" "FLOWISE_SECRETKEY_OVERWRITE")
  (dict "key" "JWT_AUTH_TOKEN_SECRET")
  (dict "key" "JWT_REFRESH_TOKEN_SECRET")
  (dict "key" "EXPRESS_SESSION_SECRET")
  (dict "key" "TOKEN_HASH_SECRET"))) -}}
{{- end -}}
{{- if eq (include "flowise.database" .) "postgresql" -}}
{{- $out = concat $out (include "flotilla.postgresql.generatedSecrets" (dict "pg" .Values.postgresql "name" (include "flotilla.postgresql.fullname" .)) | fromJsonArray) -}}
{{- end -}}
{{- if eq .Values.architecture.mode "queue" -}}
{{- $out = concat $out (include "flotilla.redis.generatedSecrets" . | fromJsonArray) -}}
{{- end -}}
{{- $out = concat $out (include "flotilla.status.generatedSecrets" . | fromJsonArray) -}}
{{- toJson $out -}}
{{- end -}}

{{/* Name of the Secret with the five auth keys. */}}
{{- define "flowise.authSecret" -}}
{{- default (printf "%s-auth" (include "flotilla.fullname" .)) .Values.auth.existingSecret -}}
{{- end -}}

{{/*
Environment shared by main and worker pods: they must agree on the encryption key, database,
Redis and storage, or workers cannot decrypt credentials saved through the UI. dict "ctx" $
"db" (flowise.database). Secret references are written out rather than included: this list is
the largest part of a render.
*/}}
{{- define "flowise.env" -}}
{{- $ := .ctx -}}
{{- $v := $.Values -}}
{{- $fl := $v.flowise -}}
{{- $db := .db -}}
{{- $fullname := include "flotilla.fullname" $ -}}
{{- $a := $v.auth -}}
{{- $auth := include "flowise.authSecret" $ -}}
{{- $own := ne $a.existingSecret "" -}}
- name: HOME
  value: /home/node
- name: PORT
  value: {{ $fl.port | quote }}
{{- with include "flotilla.publicURL" (dict "ctx" $ "url" $fl.appUrl) }}
- name: APP_URL
  value: {{ . | quote }}
{{- end }}
- name: LOG_LEVEL
  value: {{ $fl.logLevel | quote }}
- name: LOG_PATH
  value: {{ printf "%s/logs" $fl.dataPath | quote }}
- name: SECRETKEY_PATH
  value: {{ $fl.dataPath | quote }}
- name: FLOWISE_FILE_SIZE_LIMIT
  value: {{ $fl.fileSizeLimit | quote }}
- name: CORS_ORIGINS
  value: {{ $fl.corsOrigins | quote }}
{{- if $fl.disableTelemetry }}
{{- /* Flowise 3.1.1 reports telemetry only when POSTHOG_PUBLIC_API_KEY is set; DISABLE_FLOWISE_TELEMETRY is a CLI flag it does not read from the environment. */}}
- name: POSTHOG_PUBLIC_API_KEY
  value: ""
{{- end }}
- name: SECURE_COOKIES
  value: {{ $a.secureCookies | quote }}
- name: EXPRESS_SESSION_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $auth | quote }}
      key: {{ ternary $a.existingSecretExpressSessionSecretKey "EXPRESS_SESSION_SECRET" $own | quote }}
- name: FLOWISE_SECRETKEY_OVERWRITE
  valueFrom:
    secretKeyRef:
      name: {{ $auth | quote }}
      key: {{ ternary $a.existingSecretEncryptionKeyKey "FLOWISE_SECRETKEY_OVERWRITE" $own | quote }}
- name: JWT_AUTH_TOKEN_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $auth | quote }}
      key: {{ ternary $a.existingSecretJwtAuthTokenSecretKey "JWT_AUTH_TOKEN_SECRET" $own | quote }}
- name: JWT_REFRESH_TOKEN_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $auth | quote }}
      key: {{ ternary $a.existingSecretJwtRefreshTokenSecretKey "JWT_REFRESH_TOKEN_SECRET" $own | quote }}
- name: TOKEN_HASH_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $auth | quote }}
      key: {{ ternary $a.existingSecretTokenHashSecretKey "TOKEN_HASH_SECRET" $own | quote }}
{{- if or $v.tls.caBundle.existingSecret $v.tls.caBundle.existingConfigMap }}
- name: NODE_EXTRA_CA_CERTS
  value: /run/flotilla/ca/ca.crt
{{- end }}
{{- with include "flowise.base64Files" $ }}
- name: FLOTILLA_BASE64_ENV_FILES
  value: {{ . | quote }}
{{- end }}
{{- if eq $db "sqlite" }}
- name: DATABASE_TYPE
  value: sqlite
- name: DATABASE_PATH
  value: {{ dir $v.database.sqlite.path | quote }}
{{- else if eq $db "postgresql" }}
{{- $pa := $v.postgresql.auth }}
{{- $ref := split "/" (include "flotilla.postgresql.secretRef" $) }}
- name: DATABASE_TYPE
  value: postgres
- name: DATABASE_HOST
  value: {{ include "flotilla.postgresql.host" $ | quote }}
- name: DATABASE_PORT
  value: "5432"
- name: DATABASE_NAME
  value: {{ $pa.database | quote }}
- name: DATABASE_USER
  value: {{ $pa.username | quote }}
- name: DATABASE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $ref._0 | quote }}
      key: {{ $ref._1 | quote }}
{{- else }}
{{- $e := $v.database.external }}
- name: DATABASE_TYPE
  value: {{ $e.vendor | quote }}
- name: DATABASE_HOST
  value: {{ $e.host | quote }}
- name: DATABASE_PORT
  value: {{ $e.port | default (ternary 5432 3306 (eq $e.vendor "postgres")) | quote }}
- name: DATABASE_NAME
  value: {{ $e.name | quote }}
- name: DATABASE_USER
  value: {{ $e.username | quote }}
{{- if or $e.existingSecret $e.password }}
- name: DATABASE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ default (printf "%s-external-db" $fullname) $e.existingSecret | quote }}
      key: {{ ternary $e.existingSecretPasswordKey "database-password" (ne $e.existingSecret "") | quote }}
{{- end }}
- name: DATABASE_SSL
  value: {{ $e.ssl | quote }}
{{- if $e.sslExistingSecret }}
{{- /* Flowise verifies the server only when this is "true"; DATABASE_SSL_KEY_BASE64 comes from the mounted CA (flowise.base64Files). */}}
- name: DATABASE_REJECT_UNAUTHORIZED
  value: {{ $e.sslRejectUnauthorized | quote }}
{{- end }}
{{- end }}
{{- if eq $v.storage.type "s3" }}
{{- $s3 := $v.storage.s3 }}
- name: STORAGE_TYPE
  value: s3
- name: S3_STORAGE_BUCKET_NAME
  value: {{ $s3.bucketName | quote }}
- name: S3_STORAGE_REGION
  value: {{ $s3.region | quote }}
{{- with $s3.endpointUrl }}
- name: S3_ENDPOINT_URL
  value: {{ . | quote }}
{{- end }}
- name: S3_FORCE_PATH_STYLE
  value: {{ $s3.forcePathStyle | quote }}
{{- if $s3.existingSecret }}
- name: S3_STORAGE_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ $s3.existingSecret | quote }}
      key: {{ $s3.existingSecretAccessKeyIdKey | quote }}
- name: S3_STORAGE_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $s3.existingSecret | quote }}
      key: {{ $s3.existingSecretSecretAccessKeyKey | quote }}
{{- end }}
{{- else if ne $v.storage.type "local" }}
{{- /* gcs, azure: files/storage-env.yaml, parsed (tpl) only by releases that use them. */}}
{{- tpl ($.Files.Get "files/storage-env.yaml") $ }}
{{- else }}
- name: STORAGE_TYPE
  value: local
- name: BLOB_STORAGE_PATH
  value: {{ $v.storage.local.path | quote }}
{{- end }}
{{- if eq $v.architecture.mode "queue" }}
{{- $r := include "flotilla.redis.connection" $ | fromJson }}
{{- $w := $v.queue.worker }}
- name: MODE
  value: queue
- name: QUEUE_NAME
  value: {{ $v.queue.name | quote }}
- name: REDIS_HOST
  value: {{ $r.host | quote }}
- name: REDIS_PORT
  value: {{ $r.port | toString | quote }}
{{- with $r.username }}
- name: REDIS_USERNAME
  value: {{ . | quote }}
{{- end }}
{{- if $r.secret }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $r.secret | quote }}
      key: {{ $r.key | quote }}
{{- end }}
- name: REDIS_TLS
  value: {{ $r.tls | quote }}
- name: WORKER_CONCURRENCY
  value: {{ $w.concurrency | quote }}
- name: REMOVE_ON_AGE
  value: {{ $w.removeOnAge | quote }}
- name: REMOVE_ON_COUNT
  value: {{ $w.removeOnCount | quote }}
{{- end }}
{{- end -}}

{{/* Volumes of a Flowise pod: dict "ctx" $ "claim" NAME, or an empty claim for an emptyDir data volume. */}}
{{- define "flowise.volumes" -}}
{{- $v := .ctx.Values -}}
- name: home
  emptyDir: {}
- name: tmp
  emptyDir: {}
- name: data
{{- if .claim }}
  persistentVolumeClaim:
    claimName: {{ .claim | quote }}
{{- else }}
  emptyDir: {}
{{- end }}
{{- with include "flowise.preload" .ctx }}
- name: flotilla-runtime
  configMap:
    name: {{ . | quote }}
{{- end }}
{{- $e := $v.database.external }}
{{- if and (eq (include "flowise.database" .ctx) "external") $e.sslExistingSecret }}
- name: db-ssl
  secret:
    secretName: {{ $e.sslExistingSecret | quote }}
    items:
      - key: {{ $e.sslExistingSecretKey | quote }}
        path: ca.crt
{{- end }}
{{- if and (eq $v.storage.type "gcs") $v.storage.gcs.existingSecret }}
- name: gcs-key
  secret:
    secretName: {{ $v.storage.gcs.existingSecret }}
    items:
      - key: {{ $v.storage.gcs.existingSecretKeyFileKey }}
        path: key.json
{{- end }}
{{- with include "flowise.redisTLSItems" .ctx }}
- name: redis-tls
  secret:
    secretName: {{ $v.tls.redis.existingSecret | quote }}
    items:
      {{- . | nindent 6 }}
{{- end }}
{{- $ca := $v.tls.caBundle }}
{{- if $ca.existingSecret }}
- name: ca-bundle
  secret:
    secretName: {{ $ca.existingSecret | quote }}
    items:
      - key: {{ $ca.key | quote }}
        path: ca.crt
{{- else if $ca.existingConfigMap }}
- name: ca-bundle
  configMap:
    name: {{ $ca.existingConfigMap | quote }}
    items:
      - key: {{ $ca.key | quote }}
        path: ca.crt
{{- end }}
{{- end -}}

{{/* Volume mounts of a Flowise container: the release context. */}}
{{- define "flowise.volumeMounts" -}}
{{- $v := .Values -}}
- name: home
  mountPath: /home/node
- name: tmp
  mountPath: /tmp
- name: data
  mountPath: {{ $v.flowise.dataPath | quote }}
{{- if include "flowise.preload" . }}
- name: flotilla-runtime
  mountPath: /opt/flotilla
  readOnly: true
{{- end }}
{{- if and (eq (include "flowise.database" .) "external") $v.database.external.sslExistingSecret }}
- name: db-ssl
  mountPath: /run/flotilla/db-ssl
  readOnly: true
{{- end }}
{{- if and (eq $v.storage.type "gcs") $v.storage.gcs.existingSecret }}
- name: gcs-key
  mountPath: /run/flotilla/gcs
  readOnly: true
{{- end }}
{{- if include "flowise.redisTLSItems" . }}
- name: redis-tls
  mountPath: /run/flotilla/redis-tls
  readOnly: true
{{- end }}
{{- if or $v.tls.caBundle.existingSecret $v.tls.caBundle.existingConfigMap }}
- name: ca-bundle
  mountPath: /run/flotilla/ca
  readOnly: true
{{- end }}
{{- end -}}

{{/* Items of the Redis TLS Secret volume (empty when there is none): the release context. */}}
{{- define "flowise.redisTLSItems" -}}
{{- $r := .Values.tls.redis -}}
{{- if and $r.existingSecret (not .Values.redis.enabled) .Values.redis.external.tls (eq .Values.architecture.mode "queue") -}}
{{- with $r.caKey }}
- key: {{ . | quote }}
  path: ca.crt
{{- end }}
{{- with $r.certKey }}
- key: {{ . | quote }}
  path: tls.crt
{{- end }}
{{- with $r.keyKey }}
- key: {{ . | quote }}
  path: tls.key
{{- end }}
{{- end -}}
{{- end -}}

{{/*
Variables preload.js sets from mounted PEM files, base64-encoded as Flowise expects them:
"NAME=/path,…" (empty when there are none). The release context.
*/}}
{{- define "flowise.base64Files" -}}
{{- $v := .Values -}}
{{- $files := list -}}
{{- if and (eq (include "flowise.database" .) "external") $v.database.external.sslExistingSecret -}}
{{- $files = append $files "DATABASE_SSL_KEY_BASE64=/run/flotilla/db-ssl/ca.crt" -}}
{{- end -}}
{{- if include "flowise.redisTLSItems" . -}}
{{- $r := $v.tls.redis -}}
{{- if $r.caKey }}{{ $files = append $files "REDIS_CA=/run/flotilla/redis-tls/ca.crt" }}{{ end -}}
{{- if $r.certKey }}{{ $files = append $files "REDIS_CERT=/run/flotilla/redis-tls/tls.crt" }}{{ end -}}
{{- if $r.keyKey }}{{ $files = append $files "REDIS_KEY=/run/flotilla/redis-tls/tls.key" }}{{ end -}}
{{- end -}}
{{- join "," $files -}}
{{- end -}}

{{/* Name of the ConfigMap with preload.js and probe.js, or empty when no pod needs them (no PEM to encode, no worker). */}}
{{- define "flowise.preload" -}}
{{- if or (include "flowise.base64Files" .) (eq .Values.architecture.mode "queue") -}}
{{- printf "%s-runtime" (include "flotilla.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/*
Problems of the paths Flowise writes, as a JSON list for flotilla.failOnProblems: they must lie on
the data volume, or a non-root pod cannot write them; the data volume must not be mounted where
another one is. dict "ctx" $ "db" (flowise.database) "mounts" (flowise.volumeMounts).
*/}}
{{- define "flowise.pathProblems" -}}
{{- $v := .ctx.Values -}}
{{- $root := printf "%s/" (trimSuffix "/" $v.flowise.dataPath) -}}
{{- $out := list -}}
{{- if and (eq .db "sqlite") (not (hasPrefix $root $v.database.sqlite.path)) -}}
{{- $out = append $out (dict "path" "database.sqlite.path" "message" (printf "database.sqlite.path (%s) must lie under flowise.dataPath (%s): the pod runs as a non-root user and can only write the data volume. The seed's /root/.flowise paths need root; use %sdatabase.sqlite" $v.database.sqlite.path $v.flowise.dataPath $root)) -}}
{{- end -}}
{{- if and (eq $v.storage.type "local") (not (hasPrefix $root (printf "%s/" (trimSuffix "/" $v.storage.local.path)))) -}}
{{- $out = append $out (dict "path" "storage.local.path" "message" (printf "storage.local.path (%s) must lie under flowise.dataPath (%s): the pod runs as a non-root user and can only write the data volume" $v.storage.local.path $v.flowise.dataPath)) -}}
{{- end -}}
{{- $data := trimSuffix "/" $v.flowise.dataPath -}}
{{- /* Another mount at the data path names it too: only then is parsing the mounts worth it. */}}
{{- if gt (len (splitList $data .mounts)) 2 -}}
{{- $others := list -}}
{{- range fromYamlArray .mounts }}{{ if ne .name "data" }}{{ $others = append $others (trimSuffix "/" .mountPath) }}{{ end }}{{ end -}}
{{- if has $data $others -}}
{{- $out = append $out (dict "path" "flowise.dataPath" "message" (printf "flowise.dataPath (%s) is a path the chart mounts another volume at (%s)" $v.flowise.dataPath (join ", " $others))) -}}
{{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{/*
PostgreSQL connection for flotilla-hook, as JSON: the bundled database or an external postgres;
empty when Flowise uses neither. dict "ctx" $ "db" (flowise.database) "admin" BOOL (the
bootstrap Job: connect as database.external.adminExistingSecret's role when one is set). The
hook verifies TLS as Flowise will: verify-full against sslExistingSecret's CA when Flowise
verifies with it, against tls.caBundle (or the system CAs) when Flowise uses plain ssl.
*/}}
{{- define "flowise.pg" -}}
{{- $ := .ctx -}}
{{- if eq .db "postgresql" -}}
{{- $a := $.Values.postgresql.auth -}}
{{- $ref := split "/" (include "flotilla.postgresql.secretRef" $) -}}
{{- toJson (dict "host" (include "flotilla.postgresql.host" $) "port" 5432 "database" $a.database "user" $a.username "sslmode" "disable" "secret" $ref._0 "key" $ref._1) -}}
{{- else if and (eq .db "external") (eq $.Values.database.external.vendor "postgres") -}}
{{- $e := $.Values.database.external -}}
{{- $ca := $.Values.tls.caBundle -}}
{{- $secret := default (printf "%s-external-db" (include "flotilla.fullname" $)) $e.existingSecret -}}
{{- $key := ternary $e.existingSecretPasswordKey "database-password" (ne $e.existingSecret "") -}}
{{- $pg := dict "host" $e.host "port" (default 5432 $e.port) "database" $e.name "user" $e.username "sslmode" "prefer" "secret" $secret "key" $key -}}
{{- if and $e.ssl $e.sslExistingSecret -}}
{{- if $e.sslRejectUnauthorized -}}
{{- $_ := set $pg "sslmode" "verify-full" -}}
{{- $_ := set $pg "caSecret" $e.sslExistingSecret -}}
{{- $_ := set $pg "caKey" $e.sslExistingSecretKey -}}
{{- else -}}
{{- $_ := set $pg "sslmode" "require" -}}
{{- end -}}
{{- else if $e.ssl -}}
{{- $_ := set $pg "sslmode" "verify-full" -}}
{{- if $ca.existingSecret -}}
{{- $_ := set $pg "caSecret" $ca.existingSecret -}}
{{- $_ := set $pg "caKey" $ca.key -}}
{{- else if $ca.existingConfigMap -}}
{{- $_ := set $pg "caConfigMap" $ca.existingConfigMap -}}
{{- $_ := set $pg "caKey" $ca.key -}}
{{- else -}}
{{- $_ := set $pg "sslrootcert" "system" -}}
{{- end -}}
{{- end -}}
{{- if and .admin $e.adminExistingSecret -}}
{{- $_ := set $pg "secret" $e.adminExistingSecret -}}
{{- $_ := set $pg "key" $e.adminExistingSecretPasswordKey -}}
{{- $_ := set $pg "userSecret" $e.adminExistingSecret -}}
{{- $_ := set $pg "userKey" $e.adminExistingSecretUsernameKey -}}
{{- end -}}
{{- toJson $pg -}}
{{- end -}}
{{- end -}}
