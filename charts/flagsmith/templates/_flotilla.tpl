{{/*
Flotilla's shared helper library. Generated into every chart as templates/_flotilla.tpl from
pkg/chartkit/templates/_flotilla.tpl: edit it there. One helper per concept; helpers take the
root context as "ctx" where they need it and never include each other more than one level deep,
so renders stay cheap.

Per-render memo: Helm cannot share work between template files, and the release's full name and
the label lines every component shares are needed by almost every object. flotilla.fullname and
flotilla.labelParts compute them once per render and keep them in the root context ($) under
"flotillaFullname" and "flotillaLabels". Helm builds that map afresh for every render (and sets
.Template in it itself before each template), so nothing outlives the render; the values they
derive from (.Chart, .Release, nameOverride, fullnameOverride) do not change during one.
*/}}

{{/* Chart name, honouring nameOverride. */}}
{{- define "flotilla.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Release-scoped full name, honouring fullnameOverride; the prefix of every object name. The
release name alone when it already contains the chart name. Memoised per render (see the top).
*/}}
{{- define "flotilla.fullname" -}}
{{- if not (index . "flotillaFullname") -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- $_ := set . "flotillaFullname" (default (ternary .Release.Name (printf "%s-%s" .Release.Name $name) (contains $name .Release.Name)) .Values.fullnameOverride | trunc 63 | trimSuffix "-") -}}
{{- end -}}
{{- .flotillaFullname -}}
{{- end -}}

{{/*
Label lines shared by every component of the release, stored in the root context as
"flotillaLabels" (dict "selector" S "rest" R) once per render (see the top). Renders nothing.
*/}}
{{- define "flotilla.labelParts" -}}
{{- $name := default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- $chart := printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- $_ := set . "flotillaLabels" (dict "selector" (printf "app.kubernetes.io/name: %s\napp.kubernetes.io/instance: %s" $name .Release.Name) "rest" (printf "app.kubernetes.io/version: %s\napp.kubernetes.io/managed-by: %s\napp.kubernetes.io/part-of: %s\nhelm.sh/chart: %s" (quote .Chart.AppVersion) .Release.Service $name $chart)) -}}
{{- end -}}

{{/* Selector labels of a component: dict "ctx" $ "component" "main". Never change across upgrades. */}}
{{- define "flotilla.selectorLabels" -}}
{{- if not (index .ctx "flotillaLabels") }}{{ include "flotilla.labelParts" .ctx }}{{ end -}}
{{ .ctx.flotillaLabels.selector }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Common labels of a component: dict "ctx" $ "component" "main" (a superset of the selector labels). */}}
{{- define "flotilla.labels" -}}
{{- if not (index .ctx "flotillaLabels") }}{{ include "flotilla.labelParts" .ctx }}{{ end -}}
{{ .ctx.flotillaLabels.selector }}
app.kubernetes.io/component: {{ .component }}
{{ .ctx.flotillaLabels.rest }}
{{- end -}}

{{/*
Pod template metadata of a component: its labels plus podLabels, and podAnnotations. dict "ctx" $
"component" C, and "labels" when the caller has already rendered flotilla.labels.
*/}}
{{- define "flotilla.podMetadata" -}}
labels:
  {{- if .labels }}{{ .labels | nindent 2 }}{{ else }}{{ include "flotilla.labels" . | nindent 2 }}{{ end }}
  {{- with .ctx.Values.podLabels }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- with .ctx.Values.podAnnotations }}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Image reference: dict "image" .Values.image "default" .Chart.AppVersion. A digest wins over the tag. */}}
{{- define "flotilla.image" -}}
{{- if .image.digest -}}
{{- printf "%s@%s" .image.repository .image.digest -}}
{{- else -}}
{{- printf "%s:%s" .image.repository (toString (default .default .image.tag)) -}}
{{- end -}}
{{- end -}}

{{/* Name of the ServiceAccount the pods run as. */}}
{{- define "flotilla.serviceAccountName" -}}
{{- default (ternary (include "flotilla.fullname" .) "default" .Values.serviceAccount.create) .Values.serviceAccount.name -}}
{{- end -}}

{{/* ServiceAccount manifest. */}}
{{- define "flotilla.serviceAccount" -}}
{{- if .Values.serviceAccount.create }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "flotilla.serviceAccountName" . }}
  labels:
    {{- include "flotilla.labels" (dict "ctx" . "component" "main") | nindent 4 }}
  {{- with .Values.serviceAccount.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
automountServiceAccountToken: {{ .Values.serviceAccount.automountServiceAccountToken }}
{{- end }}
{{- end -}}

{{/*
Secret whose values are generated once and kept: dict "ctx" $ "name" NAME "component" C
"keys" (list (dict "key" K "value" EXPLICIT "length" N) ...). An explicit value wins; else the
value already in the cluster (lookup) is kept; else a random one is made. helm.sh/resource-policy
keep leaves it in place on uninstall so a reinstall finds and reuses it. `helm template` has no
cluster to look into, so there every render makes new random values.
*/}}
{{- define "flotilla.generatedSecret" -}}
{{- $existing := dict -}}
{{- with lookup "v1" "Secret" .ctx.Release.Namespace .name -}}{{- $existing = .data | default dict -}}{{- end }}
apiVersion: v1
kind: Secret
metadata:
  name: {{ .name }}
  labels:
    {{- include "flotilla.labels" (dict "ctx" .ctx "component" .component) | nindent 4 }}
  annotations:
    helm.sh/resource-policy: keep
type: Opaque
data:
{{- range .keys }}
  {{- if .value }}
  {{ .key }}: {{ .value | toString | b64enc | quote }}
  {{- else if hasKey $existing .key }}
  {{ .key }}: {{ index $existing .key | quote }}
  {{- else }}
  {{ .key }}: {{ randAlphaNum (.length | default 40) | b64enc | quote }}
  {{- end }}
{{- end }}
{{- end -}}

{{/* Secret holding values given in the chart's values (no generation): dict "ctx" $ "name" N "component" C "data" (dict K V ...). */}}
{{- define "flotilla.valuesSecret" -}}
apiVersion: v1
kind: Secret
metadata:
  name: {{ .name }}
  labels:
    {{- include "flotilla.labels" (dict "ctx" .ctx "component" .component) | nindent 4 }}
type: Opaque
data:
{{- range $k, $v := .data }}
  {{ $k }}: {{ $v | toString | b64enc | quote }}
{{- end }}
{{- end -}}

{{/* One env var read from a Secret key: dict "name" ENV "secret" S "key" K. */}}
{{- define "flotilla.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .key }}
{{- end -}}

{{/*
Pod-level securityContext from values (restricted by default), on one line: "securityContext:
{{ include ... }}". JSON is YAML, and toJson costs a tenth of toYaml, which every pod needs.
*/}}
{{- define "flotilla.podSecurityContext" -}}
{{- toJson .Values.podSecurityContext -}}
{{- end -}}

{{/* Container-level securityContext from values (restricted by default), on one line as above. */}}
{{- define "flotilla.containerSecurityContext" -}}
{{- toJson .Values.containerSecurityContext -}}
{{- end -}}

{{/*
The three probes of a container: dict "probes" .Values.x.probes "handler" YAML, where YAML is
the probe handler already written out (e.g. "httpGet: {path: /ping, port: http}"), so it is
not re-serialised for every probe.
*/}}
{{- define "flotilla.probes" -}}
{{- $handler := .handler -}}
{{- range $kind, $p := .probes }}
{{- if $p.enabled }}
{{ $kind }}Probe:
  {{ $handler }}
  initialDelaySeconds: {{ $p.initialDelaySeconds }}
  periodSeconds: {{ $p.periodSeconds }}
  timeoutSeconds: {{ $p.timeoutSeconds }}
  failureThreshold: {{ $p.failureThreshold }}
{{- end }}
{{- end }}
{{- end -}}

{{/* PodDisruptionBudget of a component with more than one replica: dict "ctx" $ "component" C "replicas" N "pdb" .Values.x. */}}
{{- define "flotilla.pdb" -}}
{{- if and .pdb.enabled (gt (int .replicas) 1) }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ printf "%s-%s" (include "flotilla.fullname" .ctx) .component | trunc 63 | trimSuffix "-" }}
  labels:
    {{- include "flotilla.labels" . | nindent 4 }}
spec:
  maxUnavailable: {{ .pdb.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "flotilla.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end -}}

{{/* Scheduling fields of a pod spec from values. */}}
{{- define "flotilla.scheduling" -}}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* The Service of the main component: dict "ctx" $ "component" C "targetPort" NAME (see flotilla.serviceFor). */}}
{{- define "flotilla.service" -}}
{{- template "flotilla.serviceFor" (dict "ctx" .ctx "component" .component "name" (include "flotilla.fullname" .ctx) "svc" .ctx.Values.service "targetPort" .targetPort) -}}
{{- end -}}

{{/* Name of the bundled PostgreSQL's Service and StatefulSet. */}}
{{- define "flotilla.postgresql.fullname" -}}
{{- printf "%s-postgresql" (include "flotilla.fullname" .) | trunc 63 | trimSuffix "-" -}}
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
The bundled PostgreSQL: password Secret (generated once), init script (extensions), headless
Service and a single-replica StatefulSet on the official image, restricted Pod Security.
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
{{- if not $pg.auth.existingSecret }}
{{ template "flotilla.generatedSecret" (dict "ctx" $ "name" $name "component" "postgresql" "keys" (list (dict "key" "password" "value" $pg.auth.password))) }}
{{- end }}
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
  name: {{ $name }}
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
  name: {{ $name }}
  labels:
    {{- $labels | nindent 4 }}
spec:
  replicas: 1
  serviceName: {{ $name }}
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
          image: {{ include "flotilla.image" (dict "image" $pg.image "default" "17") }}
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
                  name: {{ $ref._0 }}
                  key: {{ $ref._1 }}
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
          resources:
            {{- toYaml . | nindent 12 }}
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
            storage: {{ $pg.standalone.persistence.size }}
  {{- end }}
{{- end -}}

{{/* Name of the bundled Redis's Service and StatefulSet. */}}
{{- define "flotilla.redis.fullname" -}}
{{- printf "%s-redis" (include "flotilla.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Redis connection the app uses, bundled or external: a dict with host, port, username, tls and
secret/key of the password ("" when there is none).
*/}}
{{- define "flotilla.redis.connection" -}}
{{- $r := .Values.redis -}}
{{- if $r.enabled -}}
{{- $name := include "flotilla.redis.fullname" . -}}
{{- $secret := "" -}}{{- $key := "" -}}
{{- if $r.auth.enabled -}}
{{- $secret = default $name $r.auth.existingSecret -}}
{{- $key = ternary $r.auth.existingSecretPasswordKey "redis-password" (ne $r.auth.existingSecret "") -}}
{{- end -}}
{{- toJson (dict "host" $name "port" 6379 "username" "" "tls" false "secret" $secret "key" $key) -}}
{{- else -}}
{{- $e := $r.external -}}
{{- $secret := "" -}}{{- $key := "" -}}
{{- if $e.existingSecret -}}
{{- $secret = $e.existingSecret -}}{{- $key = $e.existingSecretPasswordKey -}}
{{- else if $e.password -}}
{{- $secret = printf "%s-external-redis" (include "flotilla.fullname" .) -}}{{- $key = "redis-password" -}}
{{- end -}}
{{- toJson (dict "host" $e.host "port" $e.port "username" $e.username "tls" $e.tls "secret" $secret "key" $key) -}}
{{- end -}}
{{- end -}}

{{/*
The bundled Redis (official image, password on by default, generated once) or the Secret of an
external Redis's inline password.
*/}}
{{- define "flotilla.redis" -}}
{{- $ := . -}}
{{- $r := .Values.redis -}}
{{- if and (not $r.enabled) $r.external.password (not $r.external.existingSecret) }}
{{ include "flotilla.valuesSecret" (dict "ctx" $ "name" (printf "%s-external-redis" (include "flotilla.fullname" $)) "component" "redis" "data" (dict "redis-password" $r.external.password)) }}
{{- end }}
{{- if $r.enabled }}
{{- $name := include "flotilla.redis.fullname" $ -}}
{{- $conn := include "flotilla.redis.connection" $ | fromJson -}}
{{- $lbl := dict "ctx" $ "component" "redis" -}}
{{- $labels := include "flotilla.labels" $lbl -}}
{{- $selector := include "flotilla.selectorLabels" $lbl -}}
{{- if and $r.auth.enabled (not $r.auth.existingSecret) }}
{{ template "flotilla.generatedSecret" (dict "ctx" $ "name" $name "component" "redis" "keys" (list (dict "key" "redis-password" "value" $r.auth.password))) }}
{{- end }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $name }}
  labels:
    {{- $labels | nindent 4 }}
spec:
  type: ClusterIP
  ports:
    - name: redis
      port: 6379
      targetPort: redis
  selector:
    {{- $selector | nindent 4 }}
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {{ $name }}
  labels:
    {{- $labels | nindent 4 }}
spec:
  replicas: 1
  serviceName: {{ $name }}
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
        - name: redis
          image: {{ include "flotilla.image" (dict "image" $r.image "default" "7") }}
          imagePullPolicy: {{ $r.image.pullPolicy }}
          securityContext: {{ include "flotilla.containerSecurityContext" $ }}
          {{- if $r.auth.enabled }}
          env:
            - name: REDIS_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: {{ $conn.secret }}
                  key: {{ $conn.key }}
            - name: REDISCLI_AUTH
              value: $(REDIS_PASSWORD)
          {{- end }}
          command: ["redis-server"]
          args:
            - --dir
            - /data
            - --appendonly
            - {{ ternary "yes" "no" $r.persistence.enabled | quote }}
            {{- if $r.auth.enabled }}
            - --requirepass
            - $(REDIS_PASSWORD)
            {{- end }}
          ports:
            - name: redis
              containerPort: 6379
          startupProbe:
            exec:
              command: ["redis-cli", "ping"]
            periodSeconds: 2
            failureThreshold: 30
          livenessProbe:
            exec:
              command: ["redis-cli", "ping"]
            periodSeconds: 20
            timeoutSeconds: 5
          readinessProbe:
            exec:
              command: ["redis-cli", "ping"]
            periodSeconds: 10
            timeoutSeconds: 5
          {{- with $r.resources }}
          resources:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          volumeMounts:
            - name: data
              mountPath: /data
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: tmp
          emptyDir: {}
        {{- if not $r.persistence.enabled }}
        - name: data
          emptyDir: {}
        {{- end }}
  {{- if $r.persistence.enabled }}
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: ["ReadWriteOnce"]
        {{- with $r.persistence.storageClass }}
        storageClassName: {{ . | quote }}
        {{- end }}
        resources:
          requests:
            storage: {{ $r.persistence.size }}
  {{- end }}
{{- end }}
{{- end -}}

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
    - name: PGHOST
      value: {{ .pg.host | quote }}
    - name: PGPORT
      value: {{ .pg.port | toString | quote }}
    - name: PGDATABASE
      value: {{ .pg.database | quote }}
    - name: PGUSER
      value: {{ .pg.user | quote }}
    - name: PGSSLMODE
      value: {{ .pg.sslmode | quote }}
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
A Service for any component: dict "ctx" $ "name" N
"component" C "svc" (a cv.Service value block) "targetPort" PORTNAME.
*/}}
{{- define "flotilla.serviceFor" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ .name }}
  labels:
    {{- include "flotilla.labels" . | nindent 4 }}
  {{- with .svc.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ .svc.type }}
  ports:
    - name: http
      port: {{ .svc.port }}
      targetPort: {{ .targetPort }}
      protocol: TCP
      {{- if and (ne .svc.type "ClusterIP") .svc.nodePort }}
      nodePort: {{ .svc.nodePort }}
      {{- end }}
  selector:
    {{- include "flotilla.selectorLabels" . | nindent 4 }}
{{- end -}}

{{/*
An Ingress for any Service: dict "ctx" $ "name" N
"component" C "ingress" (a cv.Ingress value block) "service" SERVICE-NAME. The Service's port
must be named http. Renders nothing when the block is disabled.
*/}}
{{- define "flotilla.ingressFor" -}}
{{- $ing := .ingress -}}
{{- $svc := .service -}}
{{- if $ing.enabled }}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ .name }}
  labels:
    {{- include "flotilla.labels" . | nindent 4 }}
  {{- with $ing.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  {{- with $ing.ingressClassName }}
  ingressClassName: {{ . }}
  {{- end }}
  {{- with $ing.tls }}
  tls:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  rules:
    {{- range $ing.hosts }}
    - host: {{ .host | quote }}
      http:
        paths:
          {{- range .paths }}
          - path: {{ .path }}
            pathType: {{ .pathType }}
            backend:
              service:
                name: {{ $svc }}
                port:
                  name: http
          {{- end }}
    {{- end }}
{{- end }}
{{- end -}}

{{/*
HorizontalPodAutoscaler (autoscaling/v2) of a Deployment: dict "ctx" $ "component" C "target"
DEPLOYMENT-NAME "autoscaling" (a cv.Autoscaling value block). Renders nothing when disabled;
fails when minReplicas > maxReplicas (a JSON schema cannot compare two values).
*/}}
{{- define "flotilla.hpa" -}}
{{- $a := .autoscaling -}}
{{- if $a.enabled }}
{{- if gt (int $a.minReplicas) (int $a.maxReplicas) }}
{{- fail (printf "%s autoscaling: minReplicas (%v) must not exceed maxReplicas (%v)" .component $a.minReplicas $a.maxReplicas) }}
{{- end }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ .target }}
  labels:
    {{- include "flotilla.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ .target }}
  minReplicas: {{ $a.minReplicas }}
  maxReplicas: {{ $a.maxReplicas }}
  {{- if or $a.targetCPUUtilizationPercentage $a.targetMemoryUtilizationPercentage }}
  metrics:
    {{- range $resource, $target := dict "cpu" $a.targetCPUUtilizationPercentage "memory" $a.targetMemoryUtilizationPercentage }}
    {{- if $target }}
    - type: Resource
      resource:
        name: {{ $resource }}
        target:
          type: Utilization
          averageUtilization: {{ $target }}
    {{- end }}
    {{- end }}
  {{- end }}
{{- end }}
{{- end -}}

{{/*
A Gateway API HTTPRoute for any Service: dict "ctx" $
"name" N "component" C "route" (a cv.HTTPRoute value block) "service" SERVICE-NAME "port" PORT.
Renders nothing when the block is disabled.
*/}}
{{- define "flotilla.httpRouteFor" -}}
{{- $r := .route -}}
{{- if $r.enabled }}
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: {{ .name }}
  labels:
    {{- include "flotilla.labels" . | nindent 4 }}
  {{- with $r.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  parentRefs:
    {{- toYaml $r.parentRefs | nindent 4 }}
  {{- with $r.hostnames }}
  hostnames:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  rules:
    - matches:
        - path:
            type: PathPrefix
            value: {{ $r.path }}
      backendRefs:
        - name: {{ .service }}
          port: {{ .port }}
{{- end }}
{{- end -}}
