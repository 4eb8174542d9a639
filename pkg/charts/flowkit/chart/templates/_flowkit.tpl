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

{{/*
The Secrets the chart generates, as a JSON list of flotilla.generatedSecrets items: the one list
secrets.yaml renders (or the secrets hook creates) and NOTES.txt reports.
*/}}
{{- define "flowkit.generatedSecrets" -}}
{{- $out := list -}}
{{- $full := include "flowkit.full" . -}}
{{- $db := .Values.flowdb.auth -}}
{{- if not $db.existingSecret -}}
{{- $out = append $out (dict "name" (include "flowkit.flowdbSecret" .) "component" "flowdb" "keys" (list (dict "key" $db.existingSecretPostgresPasswordKey) (dict "key" $db.existingSecretFlowmachinePasswordKey) (dict "key" $db.existingSecretFlowapiPasswordKey))) -}}
{{- end -}}
{{- $etl := .Values.flowetl.auth -}}
{{- if not $etl.existingSecret -}}
{{- $out = append $out (dict "name" (include "flowkit.name" (dict "ctx" . "component" "flowetl")) "component" "flowetl" "keys" (list (dict "key" $etl.existingSecretFernetKeyKey "shape" "fernet") (dict "key" $etl.existingSecretAdminPasswordKey))) -}}
{{- end -}}
{{- if $full -}}
{{- $id := .Values.flowapi.identifier -}}
{{- if not $id.existingSecret -}}
{{- $out = append $out (dict "name" (include "flowkit.name" (dict "ctx" . "component" "flowapi")) "component" "flowapi" "keys" (list (dict "key" $id.existingSecretKey "length" 24))) -}}
{{- end -}}
{{- $auth := .Values.flowauth.auth -}}
{{- if not $auth.existingSecret -}}
{{- $out = append $out (dict "name" (include "flowkit.name" (dict "ctx" . "component" "flowauth")) "component" "flowauth" "keys" (list (dict "key" $auth.existingSecretFernetKeyKey "shape" "fernet") (dict "key" $auth.existingSecretSecretKeyKey "length" 64) (dict "key" $auth.existingSecretAdminPasswordKey))) -}}
{{- end -}}
{{- if not .Values.jwt.existingSecret -}}
{{- $out = append $out (dict "name" (include "flowkit.jwtSecret" .) "component" "flowauth" "keys" (list (dict "key" .Values.jwt.existingSecretPrivateKeyKey "shape" "rsa-private-key") (dict "key" .Values.jwt.existingSecretPublicKeyKey "shape" "rsa-public-key"))) -}}
{{- end -}}
{{- end -}}
{{- /* The bundled PostgreSQL instances, as databases.yaml renders them. */ -}}
{{- $instances := list -}}
{{- if .Values.flowetl.postgresql.enabled }}{{ $instances = append $instances (list "flowetl" .Values.flowetl.postgresql) }}{{ end -}}
{{- if and $full .Values.flowauth.postgresql.enabled }}{{ $instances = append $instances (list "flowauth" .Values.flowauth.postgresql) }}{{ end -}}
{{- if and $full .Values.autoflow.enabled .Values.autoflow.postgresql.enabled }}{{ $instances = append $instances (list "autoflow" .Values.autoflow.postgresql) }}{{ end -}}
{{- range $instances -}}
{{- $out = concat $out (include "flotilla.postgresql.generatedSecrets" (dict "pg" (index . 1) "name" (include "flotilla.postgresql.scopedName" (dict "ctx" $ "suffix" (index . 0)))) | fromJsonArray) -}}
{{- end -}}
{{- if include "flowkit.redis" . -}}
{{- $out = concat $out (include "flotilla.redis.generatedSecrets" . | fromJsonArray) -}}
{{- end -}}
{{- $out = concat $out (include "flotilla.status.generatedSecrets" . | fromJsonArray) -}}
{{- toJson $out -}}
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
{{- toJson (dict "kind" "postgresql" "host" (include "flotilla.postgresql.hostOf" (dict "name" $name "pg" $c.postgresql)) "port" 5432 "name" $a.database "user" $a.username "secret" (default $name $a.existingSecret) "key" (ternary $a.existingSecretPasswordKey "password" (ne $a.existingSecret ""))) -}}
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

{{/*
Schedule of cache.pruning.frequency F (seconds) as JSON {"cron": C, "period": P, "minInterval": M}:
P is the longest period cron repeats exactly with P <= F and k·P <= 1.1·F (k = ceil(F/P)), else
60; M = k·P - P/2 seconds when k > 1 (the run prunes only when the last prune is that old, so
prunes come k·P apart; P/2 absorbs start delays), else 0. Mirrored in the chart's Go tests.
*/}}
{{- define "flowkit.pruneSchedule" -}}
{{- $f := int64 .Values.cache.pruning.frequency -}}
{{- $periods := list
  (list 604800 "0 0 * * 0") (list 86400 "0 0 * * *") (list 43200 "0 */12 * * *") (list 28800 "0 */8 * * *")
  (list 21600 "0 */6 * * *") (list 14400 "0 */4 * * *") (list 10800 "0 */3 * * *") (list 7200 "0 */2 * * *")
  (list 3600 "0 * * * *") (list 1800 "*/30 * * * *") (list 1200 "*/20 * * * *") (list 900 "*/15 * * * *")
  (list 720 "*/12 * * * *") (list 600 "*/10 * * * *") (list 360 "*/6 * * * *") (list 300 "*/5 * * * *")
  (list 240 "*/4 * * * *") (list 180 "*/3 * * * *") (list 120 "*/2 * * * *") (list 60 "* * * * *") -}}
{{- $pick := list 60 "* * * * *" -}}
{{- range $periods -}}
{{- $p := int64 (index . 0) -}}
{{- $k := div (add $f (sub $p 1)) $p -}}
{{- if and (eq (index $pick 0) 60) (le $p $f) (le (mul $k $p 10) (mul $f 11)) -}}
{{- $pick = . -}}
{{- end -}}
{{- end -}}
{{- $p := int64 (index $pick 0) -}}
{{- $k := div (add $f (sub $p 1)) $p -}}
{{- toJson (dict "cron" (index $pick 1) "period" $p "minInterval" (ternary (sub (mul $k $p) (div $p 2)) 0 (gt $k 1))) -}}
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

{{/*
Ingress and HTTPRoute to a component's web interface (Service <fullname>-C, port named http),
each a document of its own, from its c.ingress and c.httpRoute: dict "ctx" $ "component" C
"c" .Values.C "port" PORT.
*/}}
{{- define "flowkit.publish" -}}
{{- $name := include "flowkit.name" (dict "ctx" .ctx "component" .component) -}}
{{- with include "flotilla.ingressFor" (dict "ctx" .ctx "name" $name "component" .component "ingress" .c.ingress "service" $name) }}
---
{{- . }}
{{- end }}
{{- with include "flotilla.httpRouteFor" (dict "ctx" .ctx "name" $name "component" .component "route" .c.httpRoute "service" $name "port" .port) }}
---
{{- . }}
{{- end }}
{{- end -}}

{{/*
How the cache Jobs reach FlowDB (as the FlowMachine user, the cache tables' owner) and
FlowMachine's Redis, as JSON {"pg": …, "redis": … (absent without Redis), "args": […]}: the
scenarios without Redis run no FlowMachine, so their Jobs pass --no-redis. FlowMachine's server
reaches FlowDB by the same host, port and database, so flotilla-hook derives the same Redis
key prefix (FlowMachine's connection id) from its PG* settings.
*/}}
{{- define "flowkit.cacheHook" -}}
{{- $pg := include "flowkit.flowdbConn" (dict "ctx" . "user" .Values.flowdb.flowmachineUser "key" .Values.flowdb.auth.existingSecretFlowmachinePasswordKey) | fromJson -}}
{{- if include "flowkit.redis" . -}}
{{- $r := include "flotilla.redis.connection" . | fromJson -}}
{{- toJson (dict "pg" $pg "redis" (dict "host" $r.host "port" $r.port "secret" $r.secret "key" $r.key) "args" list) -}}
{{- else -}}
{{- toJson (dict "pg" $pg "args" (list "--no-redis")) -}}
{{- end -}}
{{- end -}}

{{/*
The volumes of a component's pod (without the hook's and the user's): dict "ctx" $ "component"
C. The templates and checks.yaml (extraVolumes must not reuse a name) both read them here.
*/}}
{{- define "flowkit.volumes" -}}
{{- $v := .ctx.Values -}}
{{- $tmp := "- name: tmp\n  emptyDir: {}" -}}
{{- if eq .component "autoflow" }}
{{- $a := $v.autoflow }}
- name: inputs
  {{- if $a.inputsClaim }}
  persistentVolumeClaim:
    claimName: {{ $a.inputsClaim | quote }}
    readOnly: true
  {{- else }}
  configMap:
    name: {{ $a.inputsConfigMap | quote }}
  {{- end }}
- name: outputs
  {{- if $a.outputsClaim }}
  persistentVolumeClaim:
    claimName: {{ $a.outputsClaim | quote }}
  {{- else }}
  emptyDir: {}
  {{- end }}
{{ $tmp }}
{{- with $v.flowapi.tls.existingSecret }}
- name: flowapi-cert
  secret:
    secretName: {{ . | quote }}
    items:
      - key: tls.crt
        path: cert-flowkit.pem
{{- end }}
{{- else if eq .component "flowetl" }}
{{ $tmp }}
{{- with $v.flowetl.dagsClaim }}
- name: dags
  persistentVolumeClaim:
    claimName: {{ . | quote }}
{{- end }}
{{- else if eq .component "flowapi" }}
{{ $tmp }}
{{- with $v.flowapi.tls.existingSecret }}
- name: tls
  secret:
    secretName: {{ . | quote }}
    items:
      - key: tls.crt
        path: cert-flowkit.pem
      - key: tls.key
        path: key-flowkit.pem
{{- end }}
{{- else if eq .component "flowauth" }}
# The file cache backend's home, as in Docker's shared memory area.
- name: dshm
  emptyDir:
    medium: Memory
    sizeLimit: 64Mi
{{ $tmp }}
{{- else if eq .component "flowdb" }}
{{- $db := $v.flowdb }}
# The guide's shm_size: a memory-backed /dev/shm for PostgreSQL's parallel workers.
- name: dshm
  emptyDir:
    medium: Memory
    sizeLimit: {{ $db.shmSize | quote }}
- name: run
  emptyDir: {}
{{ $tmp }}
{{- with $db.etl.existingClaim }}
- name: etl
  persistentVolumeClaim:
    claimName: {{ . | quote }}
    readOnly: true
{{- end }}
{{- if not $db.persistence.enabled }}
- name: data
  emptyDir: {}
{{- end }}
{{- else }}
{{ $tmp }}
{{- end }}
{{- end -}}

{{/* The mounts of a component's main container (without the user's): as flowkit.volumes. */}}
{{- define "flowkit.volumeMounts" -}}
{{- $v := .ctx.Values -}}
{{- $tmp := "- name: tmp\n  mountPath: /tmp" -}}
{{- if eq .component "autoflow" }}
- name: inputs
  mountPath: /mounts/inputs
  readOnly: true
- name: outputs
  mountPath: /mounts/outputs
{{ $tmp }}
{{- if $v.flowapi.tls.existingSecret }}
# The guide hands AutoFlow FlowAPI's certificate as the cert-flowkit.pem secret.
- name: flowapi-cert
  mountPath: /run/secrets/cert-flowkit.pem
  subPath: cert-flowkit.pem
  readOnly: true
{{- end }}
{{- else if eq .component "flowetl" }}
{{ $tmp }}
{{- if $v.flowetl.dagsClaim }}
- name: dags
  mountPath: /opt/airflow/dags
{{- end }}
{{- else if eq .component "flowapi" }}
{{ $tmp }}
{{- if $v.flowapi.tls.existingSecret }}
# FlowAPI's start script serves HTTPS when both files exist at these paths.
- name: tls
  mountPath: /run/secrets
  readOnly: true
{{- end }}
{{- else if eq .component "flowauth" }}
- name: dshm
  mountPath: /dev/shm
{{ $tmp }}
{{- else if eq .component "flowdb" }}
- name: data
  mountPath: /var/lib/postgresql/data
- name: dshm
  mountPath: /dev/shm
- name: run
  mountPath: /var/run/postgresql
{{ $tmp }}
{{- if $v.flowdb.etl.existingClaim }}
- name: etl
  mountPath: /etl
  readOnly: true
{{- end }}
{{- else }}
{{ $tmp }}
{{- end }}
{{- end -}}

{{/* FlowDB's volumeClaimTemplates with persistence (checks.yaml reads their names too): the root context. */}}
{{- define "flowkit.flowdbClaims" -}}
{{- $db := .Values.flowdb -}}
- metadata:
    name: data
    labels:
      {{- include "flotilla.selectorLabels" (dict "ctx" . "component" "flowdb") | nindent 6 }}
  spec:
    accessModes: ["ReadWriteOnce"]
    {{- with $db.persistence.storageClass }}
    storageClassName: {{ . | quote }}
    {{- end }}
    resources:
      requests:
        storage: {{ $db.persistence.size | quote }}
{{- end -}}
