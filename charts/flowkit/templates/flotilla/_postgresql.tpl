{{/*
Flotilla's shared helper library: the bundled PostgreSQL (one or several per release), its names and
its password Secret. Generated into each chart that uses them as templates/flotilla/_postgresql.tpl
from pkg/chartkit/templates/_postgresql.tpl: edit it there.
*/}}

{{/* Name of the bundled PostgreSQL's Service and StatefulSet. */}}
{{- define "flotilla.postgresql.fullname" -}}
{{- printf "%s-postgresql" (include "flotilla.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Host the app connects to for a bundled PostgreSQL named N (its Service, StatefulSet and Secret
name) with values PG: dict "name" N "pg" PG. standalone: the StatefulSet's Service N;
cloudnative-pg: the read-write Service <cluster>-rw of the Cluster, which follows the primary (the
Cluster is N cut to 60 characters, so that name fits 63).
*/}}
{{- define "flotilla.postgresql.hostOf" -}}
{{- if eq .pg.mode "cloudnative-pg" }}{{ trunc 60 .name | trimSuffix "-" }}-rw{{ else }}{{ .name }}{{ end -}}
{{- end -}}

{{/* Secret and key holding the bundled PostgreSQL's password: returns "secret/key". */}}
{{- define "flotilla.postgresql.secretRef" -}}
{{- $a := .Values.postgresql.auth -}}
{{- if $a.existingSecret -}}
{{- printf "%s/%s" $a.existingSecret $a.existingSecretPasswordKey -}}
{{- else -}}
{{- printf "%s/password" (include "flotilla.postgresql.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/*
The generated Secret of a bundled PostgreSQL, as a JSON list of flotilla.generatedSecrets items
(empty with an existingSecret): dict "pg" VALUES (a chartvalues.PostgreSQL block) "name" SECRET
(flotilla.postgresql.fullname, or flotilla.postgresql.scopedName for an instance). With mode
cloudnative-pg it also holds the owner's name: CloudNativePG reads the credentials from the keys
username and password (the basic-auth layout); the type stays Opaque so the same Secret, and
password, carries over from mode standalone. The chart's <chart>.generatedSecrets lists it;
flotilla.postgresql renders the rest.
*/}}
{{- define "flotilla.postgresql.generatedSecrets" -}}
{{- if .pg.auth.existingSecret -}}[]
{{- else -}}
{{- $keys := list (dict "key" "password" "value" .pg.auth.password) -}}
{{- if eq .pg.mode "cloudnative-pg" -}}{{- $keys = append $keys (dict "key" "username" "value" .pg.auth.username) -}}{{- end -}}
{{- toJson (list (dict "name" .name "component" "postgresql" "keys" $keys)) -}}
{{- end -}}
{{- end -}}

{{/*
The bundled PostgreSQL (its Secret is flotilla.postgresql.generatedSecrets'), by postgresql.mode
either (standalone) an init script (extensions), headless Service and a single-replica
StatefulSet on the official image, restricted Pod Security, or (cloudnative-pg) a CloudNativePG
Cluster.
dict "ctx" $ "extensions" (list "uuid-ossp").
*/}}
{{- define "flotilla.postgresql" -}}
{{- $ := .ctx -}}
{{- $pg := $.Values.postgresql -}}
{{- $name := include "flotilla.postgresql.fullname" $ -}}
{{- $ref := split "/" (include "flotilla.postgresql.secretRef" $) -}}
{{- $lbl := dict "ctx" $ "component" "postgresql" -}}
{{- /* Computed once: each include is a nested template execution. */ -}}
{{- $labels := include "flotilla.labels" $lbl -}}
{{- $selector := include "flotilla.selectorLabels" $lbl -}}
{{- $cnpg := eq $pg.mode "cloudnative-pg" -}}
{{- if $cnpg }}
{{- include "flotilla.postgresql.cnpg" (dict "ctx" $ "name" (trunc 60 $name | trimSuffix "-") "secret" $ref._0 "labels" $labels "selector" (fromYaml $selector) "extensions" .extensions) }}
{{- else }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ $name }}-init
  labels:
    {{- $labels | nindent 4 }}
data:
  10-extensions.sql: |
    {{- range .extensions }}
    CREATE EXTENSION IF NOT EXISTS {{ . | quote }};
    {{- end }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $name | quote }}
  labels:
    {{- $labels | nindent 4 }}
spec:
  type: ClusterIP
  clusterIP: None
  ports:
    - name: postgresql
      port: 5432
      targetPort: postgresql
  selector:
    {{- $selector | nindent 4 }}
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {{ $name | quote }}
  labels:
    {{- $labels | nindent 4 }}
spec:
  replicas: 1
  serviceName: {{ $name | quote }}
  selector:
    matchLabels:
      {{- $selector | nindent 6 }}
  template:
    metadata:
      labels:
        {{- $labels | nindent 8 }}
    spec:
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 999
        runAsGroup: 999
        fsGroup: 999
        fsGroupChangePolicy: OnRootMismatch
        seccompProfile:
          type: RuntimeDefault
      {{- with include "flotilla.scheduling" $ | trim }}{{ . | nindent 6 }}{{ end }}
      containers:
        - name: postgresql
          image: {{ include "flotilla.image" (dict "image" $pg.image "default" "17") | quote }}
          imagePullPolicy: {{ $pg.image.pullPolicy }}
          securityContext: {{ include "flotilla.containerSecurityContext" $ }}
          env:
            - name: POSTGRES_DB
              value: {{ $pg.auth.database | quote }}
            - name: POSTGRES_USER
              value: {{ $pg.auth.username | quote }}
            - name: POSTGRES_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: {{ $ref._0 | quote }}
                  key: {{ $ref._1 | quote }}
            - name: PGDATA
              value: /var/lib/postgresql/data/pgdata
          ports:
            - name: postgresql
              containerPort: 5432
          startupProbe:
            exec:
              command: ["sh", "-c", "pg_isready -h 127.0.0.1 -U \"$POSTGRES_USER\" -d \"$POSTGRES_DB\""]
            periodSeconds: 5
            failureThreshold: 60
          livenessProbe:
            exec:
              command: ["sh", "-c", "pg_isready -h 127.0.0.1 -U \"$POSTGRES_USER\" -d \"$POSTGRES_DB\""]
            periodSeconds: 20
            timeoutSeconds: 5
            failureThreshold: 6
          readinessProbe:
            exec:
              command: ["sh", "-c", "pg_isready -h 127.0.0.1 -U \"$POSTGRES_USER\" -d \"$POSTGRES_DB\""]
            periodSeconds: 10
            timeoutSeconds: 5
          {{- with $pg.resources }}
          resources: {{ toJson . }}
          {{- end }}
          volumeMounts:
            - name: data
              mountPath: /var/lib/postgresql/data
            - name: init
              mountPath: /docker-entrypoint-initdb.d
              readOnly: true
            - name: run
              mountPath: /var/run/postgresql
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: init
          configMap:
            name: {{ $name }}-init
        - name: run
          emptyDir: {}
        - name: tmp
          emptyDir: {}
        {{- if not $pg.standalone.persistence.enabled }}
        - name: data
          emptyDir: {}
        {{- end }}
  {{- if $pg.standalone.persistence.enabled }}
  persistentVolumeClaimRetentionPolicy:
    whenDeleted: Retain
    whenScaled: Retain
  volumeClaimTemplates:
    - metadata:
        name: data
        labels:
          {{- $selector | nindent 10 }}
      spec:
        accessModes: ["ReadWriteOnce"]
        {{- with $pg.standalone.persistence.storageClass }}
        storageClassName: {{ . | quote }}
        {{- end }}
        resources:
          requests:
            storage: {{ $pg.standalone.persistence.size | quote }}
  {{- end }}
{{- end }}
{{- end -}}

{{/*
CloudNativePG Cluster of a bundled PostgreSQL: dict "ctx" $ "name" CLUSTER "secret" S "labels"
L "selector" SEL "extensions" (list ...). The operator copies inheritedMetadata's labels (SEL, the
postgresql component's selector labels) onto the pods it makes, so the release's NetworkPolicies
(flotilla.networkpolicy.postgresql) select and admit them as they do the standalone pod. initdb creates postgresql.auth.database owned by
postgresql.auth.username with the password in S (keys username and password), and the
extensions as superuser in that database, as the standalone init script does. Empty strings are
left to the operator's defaults, except storageClass, where "" would mean "no class".
Helm parses every template on every render; the Cluster's template is a string literal, which
parses as one token, and tpl parses it only in releases that use cloudnative-pg.
*/}}
{{- define "flotilla.postgresql.cnpg" -}}
{{- tpl `{{- $v := .Values -}}{{- $pg := $v.postgresql -}}{{- $p := $pg.standalone.persistence -}}{{- $c := .flotillaCNPG -}}
{{- $sql := list -}}{{- range $c.extensions }}{{ $sql = append $sql (printf "CREATE EXTENSION IF NOT EXISTS %q;" .) }}{{ end -}}
{{- $storage := dict "size" $p.size -}}{{- with $p.storageClass }}{{ $_ := set $storage "storageClass" . }}{{ end }}
---
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: {{ $c.name }}
  labels:
    {{- $c.labels | nindent 4 }}
spec: {{ toJson (dict "instances" $pg.cloudnativePG.instances "imageName" $pg.cloudnativePG.imageName "storage" $storage "resources" $pg.resources "affinity" (dict "nodeSelector" $v.nodeSelector "tolerations" $v.tolerations) "imagePullSecrets" $v.imagePullSecrets "inheritedMetadata" (dict "labels" $c.selector) "bootstrap" (dict "initdb" (dict "database" $pg.auth.database "owner" $pg.auth.username "secret" (dict "name" $c.secret) "postInitApplicationSQL" $sql))) }}` (merge (dict "flotillaCNPG" (omit . "ctx")) .ctx) -}}
{{- end -}}

{{/*
A second bundled PostgreSQL for one component, next to (or instead of) .Values.postgresql:
dict "ctx" $ "suffix" S "pg" VALUES (a chartvalues.PostgreSQL block) "extensions" (list ...).
It renders flotilla.postgresql in a scope where .Values.postgresql is VALUES, the full name is
<fullname>-S (objects <fullname>-S-postgresql) and the name label is <chart>-S, so two bundled
instances of one release never share a selector. flotilla.postgresql.scopedName gives the name.
*/}}
{{- define "flotilla.postgresql.instance" -}}
{{- $ := .ctx -}}
{{- $vals := merge (dict "postgresql" .pg "fullnameOverride" (printf "%s-%s" (include "flotilla.fullname" $) .suffix) "nameOverride" (printf "%s-%s" (include "flotilla.name" $) .suffix)) $.Values -}}
{{- include "flotilla.postgresql" (dict "ctx" (dict "Values" $vals "Release" $.Release "Chart" $.Chart "Capabilities" $.Capabilities "Template" $.Template) "extensions" .extensions) -}}
{{- end -}}

{{/* Name of the Service, StatefulSet and generated Secret of flotilla.postgresql.instance: dict "ctx" $ "suffix" S. */}}
{{- define "flotilla.postgresql.scopedName" -}}
{{- printf "%s-%s-postgresql" (include "flotilla.fullname" .ctx) .suffix | trunc 63 | trimSuffix "-" -}}
{{- end -}}
