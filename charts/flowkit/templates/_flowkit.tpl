{{/* FlowKit-specific helpers. Shared ones (flotilla.*) live in flotilla/_<concept>.tpl. */}}

{{/* Name of a component's objects: dict "ctx" $ "component" C → <fullname>-C. */}}
{{- define "flowkit.name" -}}
{{- printf "%s-%s" (include "flotilla.fullname" .ctx) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* "true" when the scenario runs the FlowMachine server, FlowAPI and FlowAuth. */}}
{{- define "flowkit.full" -}}
{{- if eq .Values.scenario "full" }}true{{ end -}}
{{- end -}}

{{/* "true" when the scenario runs Redis (FlowMachine's query state). */}}
{{- define "flowkit.redis" -}}
{{- if ne .Values.scenario "db-etl" }}true{{ end -}}
{{- end -}}

{{/* Secret holding FlowDB's three passwords (keys: the flowdb.auth.existingSecret…Key values). */}}
{{- define "flowkit.flowdbSecret" -}}
{{- default (include "flowkit.name" (dict "ctx" . "component" "flowdb")) .Values.flowdb.auth.existingSecret -}}
{{- end -}}

{{/* Secret holding the JWT key pair. */}}
{{- define "flowkit.jwtSecret" -}}
{{- default (include "flowkit.name" (dict "ctx" . "component" "jwt")) .Values.jwt.existingSecret -}}
{{- end -}}

{{/*
Database a component uses: dict "ctx" $ "component" C "c" .Values.C → JSON {host, port, name,
user, secret, key, kind: postgresql|external|sqlite}. The bundled one is flotilla.postgresql.instance
with suffix C.
*/}}
{{- define "flowkit.database" -}}
{{- $c := .c -}}
{{- if $c.postgresql.enabled -}}
{{- $a := $c.postgresql.auth -}}
{{- $name := include "flotilla.postgresql.scopedName" (dict "ctx" .ctx "suffix" .component) -}}
{{- toJson (dict "kind" "postgresql" "host" $name "port" 5432 "name" $a.database "user" $a.username "secret" (default $name $a.existingSecret) "key" (ternary $a.existingSecretPasswordKey "password" (ne $a.existingSecret ""))) -}}
{{- else if and (hasKey $c "externalDatabase") $c.externalDatabase.host -}}
{{- $e := $c.externalDatabase -}}
{{- toJson (dict "kind" "external" "host" $e.host "port" $e.port "name" $e.name "user" $e.username "secret" $e.existingSecret "key" $e.existingSecretPasswordKey) -}}
{{- else -}}
{{- toJson (dict "kind" "sqlite") -}}
{{- end -}}
{{- end -}}

{{/* Connection of flotilla-hook to FlowDB as a role: dict "ctx" $ "user" U "key" PASSWORD-KEY. */}}
{{- define "flowkit.flowdbConn" -}}
{{- toJson (dict "host" (include "flowkit.name" (dict "ctx" .ctx "component" "flowdb")) "port" 5432 "database" "flowdb" "user" .user "sslmode" "disable" "secret" (include "flowkit.flowdbSecret" .ctx) "key" .key) -}}
{{- end -}}

{{/* Pod securityContext for a fixed user: dict "uid" U "gid" G (restricted). */}}
{{- define "flowkit.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .gid }}
fsGroup: {{ .gid }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/*
Container securityContext: containerSecurityContext, with readOnlyRootFilesystem turned off for
images that write outside their volumes: dict "ctx" $ "readOnly" BOOL.
*/}}
{{- define "flowkit.containerSecurityContext" -}}
{{- $sc := deepCopy .ctx.Values.containerSecurityContext -}}
{{- if not .readOnly }}{{- $_ := set $sc "readOnlyRootFilesystem" false -}}{{- end -}}
{{- toJson $sc -}}
{{- end -}}


{{/* Init container waiting for FlowDB (its first initialisation takes minutes): dict "ctx" $ "user" U "key" K. */}}
{{- define "flowkit.waitForFlowDB" -}}
{{- include "flotilla.hook.container" (dict "ctx" .ctx "name" "wait-for-flowdb" "args" (list "db" "wait") "pg" (include "flowkit.flowdbConn" . | fromJson)) -}}
{{- end -}}

{{/* Cron schedule of cache.pruning.frequency; the schema only admits values cron expresses exactly. */}}
{{- define "flowkit.pruneSchedule" -}}
{{- $f := int .Values.cache.pruning.frequency -}}
{{- if lt $f 3600 -}}
{{- printf "*/%d * * * *" (div $f 60) -}}
{{- else if eq $f 3600 -}}
0 * * * *
{{- else if lt $f 86400 -}}
{{- printf "0 */%d * * *" (div $f 3600) -}}
{{- else if eq $f 86400 -}}
0 0 * * *
{{- else -}}
0 0 * * 0
{{- end -}}
{{- end -}}

{{/* Redis environment of FlowMachine (REDIS_*) or FlowAuth (FLOWAUTH_REDIS_*): dict "ctx" $ "prefix" P. */}}
{{- define "flowkit.redisEnv" -}}
{{- $conn := include "flotilla.redis.connection" .ctx | fromJson -}}
- name: {{ .prefix }}REDIS_HOST
  value: {{ $conn.host | quote }}
- name: {{ .prefix }}REDIS_PORT
  value: {{ $conn.port | toString | quote }}
{{- if $conn.secret }}
{{ include "flotilla.secretEnv" (dict "name" (printf "%sREDIS_PASSWORD" .prefix) "secret" $conn.secret "key" $conn.key) }}
{{- end }}
{{- end -}}
